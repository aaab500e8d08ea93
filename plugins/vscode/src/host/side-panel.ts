// The side panel (webview view in the activity bar): prompt editor with token budget per
// chunk and findings (highlighted inline, "fix all" as a before/after diff to accept), presets,
// Optimize, Rewrite (LLM) through the daemon's endpoint and Preset into prompt, each also a diff to accept,
// reverse prompt from an image file (PNG parameters, else the daemon's CLIP interrogator), checkpoint picker with the compatible LoRAs and embeddings
// (weights, trigger words) and download progress, and the gallery of generated assets. The panel never sees the
// token: every daemon request goes through the host, and every message is validated.
import type * as vscode from 'vscode';
import type { ServerMessage } from '../../../../shared/protocol/server-messages';
import { ClientError, type StippleClient } from '../../../../shared/protocol/stipple-client';
import {
  type HostToWebview,
  type ModelItem,
  parseWebviewToHost,
  type WebviewToHost,
} from '../common/panel-messages';
import {
  familyForModel,
  type PresetText,
  presetIntoPrompt,
  rewriteErrorText,
} from '../common/prompt-panel-logic';
import { scanGallery, toGalleryItems } from './gallery';
import { generateAsset } from './generate-command';
import type { HostContext } from './host-context';
import { panelGenerateOptions } from './panel-generate';
import { regenerate } from './png-commands';
import { readParametersFromPng } from './png-parameters';
import {
  analysisQueries,
  analyzeForPanel,
  fixAllForPanel,
  optimizeForPanel,
  TokenCountCache,
} from './prompt-analysis';
import { formatReference, referenceStyleFor } from './reference-syntax';
import { basenameUriPath, relativeReferencePath } from './relative-path';
import { reversePrompt } from './reverse-prompt';
import { readSettings } from './settings';
import { statusView } from './status-text';
import { webviewShell } from './webview-panels';

export const SIDE_PANEL_VIEW_ID = 'stipple.panel';
const PULL_TIMEOUT_MS = 6 * 3600_000;
/** LLMs are slow (a local one on a CPU takes minutes); the daemon has its own endpoint timeout too. */
const REWRITE_TIMEOUT_MS = 5 * 60_000;

const BODY = `<section>
  <h3>Prompt</h3>
  <textarea id="prompt" rows="5" placeholder="subject, details, style, lighting"></textarea>
  <div id="budget" class="budget" aria-label="token budget per 75-token chunk"></div>
  <textarea id="negative" rows="2" placeholder="negative prompt: what must not appear"></textarea>
  <ul id="findings" class="findings"></ul>
  <div class="row tools">
    <button id="fix-all" type="button">Fix all</button>
    <button id="optimize" type="button" title="the optimizer's fixes, subject first, a negative prompt and settings checks">Optimize</button>
    <button id="rewrite" type="button" title="the daemon's LLM endpoint (llm in its config.json) rewrites the prompt">Rewrite (LLM)</button>
    <button id="preset-into-prompt" type="button" title="write the picked preset into the prompt and set the preset to None" disabled>Preset into prompt</button>
  </div>
  <div id="proposal" class="proposal" role="region" aria-label="proposed change" hidden>
    <h4 id="proposal-title"></h4>
    <div id="proposal-prompt" class="diff" aria-label="prompt: before and after"></div>
    <div id="proposal-negative" class="diff" aria-label="negative prompt: before and after"></div>
    <p id="proposal-details" class="muted"></p>
    <div class="row">
      <button id="proposal-accept" type="button">Accept</button>
      <button id="proposal-reject" type="button">Reject</button>
    </div>
  </div>
  <div class="row">
    <select id="preset" aria-label="preset"></select>
    <select id="size" aria-label="size">
      <option>512x512</option><option>768x512</option><option>512x768</option><option>1024x1024</option>
    </select>
    <select id="count" aria-label="count"><option>1</option><option>2</option><option>4</option></select>
  </div>
  <div class="row">
    <button id="generate" type="button">Generate into editor</button>
    <button id="reverse" type="button">Reverse prompt from image…</button>
  </div>
  <p id="notice" class="notice" role="status"></p>
</section>
<section>
  <h3>Models <span id="connection" class="muted"></span></h3>
  <div class="row"><label for="model">Checkpoint</label> <select id="model" aria-label="checkpoint"></select></div>
  <h4>LoRAs <span class="muted">for this checkpoint</span></h4>
  <ul id="loras" class="adapters"></ul>
  <h4>Embeddings</h4>
  <ul id="embeddings" class="adapters"></ul>
  <h4>Catalog</h4>
  <ul id="models" class="models"></ul>
  <div class="row"><input id="pull-ref" type="text" placeholder="catalog id or owner/repo"><button id="pull" type="button">Download</button><button id="pull-cancel" type="button" hidden>Cancel download</button></div>
  <progress id="pull-progress" max="1" value="0" hidden></progress>
  <p id="pull-status" class="muted" role="status"></p>
</section>
<section>
  <h3>Generated assets</h3>
  <input id="search" type="search" placeholder="search prompts">
  <div id="gallery" class="gallery"></div>
</section>`;

export class SidePanelProvider implements vscode.WebviewViewProvider {
  private view: vscode.WebviewView | undefined;
  private presets: PresetText[] = [];
  private models: ModelItem[] = [];
  private defaultModel: string | null = null;
  private readonly tokenCounts = new TokenCountCache();

  constructor(private readonly ctx: HostContext) {}

  resolveWebviewView(view: vscode.WebviewView): void {
    const v = this.ctx.vscode;
    this.view = view;
    const roots = [
      v.Uri.joinPath(this.ctx.extensionUri, 'dist', 'webview'),
      ...(v.workspace.workspaceFolders ?? []).map((f) => f.uri),
    ];
    view.webview.options = { enableScripts: true, localResourceRoots: roots };
    view.webview.html = webviewShell(this.ctx, view.webview, 'side-panel', 'Stipple', BODY);
    view.webview.onDidReceiveMessage((raw: unknown) => {
      const parsed = parseWebviewToHost(raw);
      if (!parsed.ok) {
        this.ctx.log(`side panel: dropped invalid message (${parsed.error})`);
        return;
      }
      this.handle(parsed.message).catch((e: unknown) => {
        this.ctx.log(`side panel: ${parsed.message.type} failed: ${String(e)}`);
        this.post({ type: 'notice', level: 'error', text: e instanceof Error ? e.message : String(e) });
      });
    });
    view.onDidDispose(() => {
      this.view = undefined;
    });
  }

  private post(m: HostToWebview): void {
    void this.view?.webview.postMessage(m);
  }

  /** Connection changes and daemon events (model downloads) reach the panel through here. */
  onConnectionChange(): void {
    void this.refreshDaemonData();
  }

  onServerMessage(m: ServerMessage): void {
    if (m.type === 'model_progress') {
      this.post({
        type: 'modelProgress',
        model: m.model,
        phase: m.phase,
        bytesDone: m.bytesDone,
        bytesTotal: m.bytesTotal,
      });
    } else if (m.type === 'model_done') {
      void this.refreshDaemonData();
    }
  }

  async refreshGallery(): Promise<void> {
    if (!this.view) return;
    const entries = await scanGallery(this.ctx);
    this.post({ type: 'gallery', items: toGalleryItems(entries, this.view.webview) });
  }

  private postState(): void {
    const s = readSettings(this.ctx.vscode.workspace.getConfiguration('stipple'));
    const c = this.ctx.connection;
    this.post({
      type: 'state',
      connection: c.connectionState,
      statusText: statusView(c.connectionState, undefined, c.url).text.replace(/^\$\([^)]*\)\s*/, ''),
      presets: this.presets.map((p) => ({ id: p.id, name: p.name })),
      models: this.models,
      defaultModel: this.defaultModel,
      defaultPreset: s.defaultPreset,
      defaultWidth: s.defaultWidth,
      defaultHeight: s.defaultHeight,
    });
  }

  private async refreshDaemonData(): Promise<void> {
    const client = this.ctx.connection.stipple;
    if (client && this.ctx.connection.connectionState === 'connected') {
      try {
        const [p, m] = await Promise.all([
          client.request({ type: 'presets' }),
          client.request({ type: 'models' }),
        ]);
        if (p.type === 'presets')
          this.presets = p.presets.map((x) => ({
            id: x.id,
            name: x.name,
            prompt: x.prompt,
            negativePrompt: x.negativePrompt,
            source: x.source,
          }));
        if (m.type === 'models') {
          this.models = m.models.map((x) => ({
            id: x.id,
            name: x.name,
            kind: x.kind,
            family: x.family,
            installed: x.installed,
            ...(x.sizeBytes !== undefined ? { sizeBytes: x.sizeBytes } : {}),
            ...(x.triggerWords?.length ? { triggerWords: x.triggerWords } : {}),
            ...(x.token ? { token: x.token } : {}),
          }));
          this.defaultModel = m.defaultModel;
        }
      } catch (e) {
        this.ctx.log(`side panel: presets/models: ${String(e)}`);
      }
    }
    this.postState();
  }

  private async promptTool(m: PromptToolMessage): Promise<void> {
    const s = readSettings(this.ctx.vscode.workspace.getConfiguration('stipple'));
    const c = this.ctx.connection;
    this.post(
      await runPromptTool(m, {
        presets: this.presets,
        models: this.models,
        defaultModel: this.defaultModel,
        settings: { ...(s.sampler ? { sampler: s.sampler } : {}), ...(s.steps ? { steps: s.steps } : {}) },
        whenConnected: () => c.whenConnected(3000),
        tokenCounts: this.tokenCounts,
        fillTokenCounts: (texts) => this.fillTokenCounts(texts),
      }),
    );
  }

  /** Counts with the daemon's tokenizer when connected; otherwise the estimates stand. */
  private async fillTokenCounts(texts: string[]): Promise<void> {
    const client = this.ctx.connection.stipple;
    if (!client || this.ctx.connection.connectionState !== 'connected') return;
    await this.tokenCounts.fill(texts, async (text) => {
      const r = await client.request({ type: 'tokenize', text });
      if (r.type !== 'tokens') throw new Error(r.type === 'error' ? r.message : `unexpected ${r.type}`);
      return r.total;
    });
  }

  private async handle(m: WebviewToHost): Promise<void> {
    const v = this.ctx.vscode;
    switch (m.type) {
      case 'ready':
        await this.refreshDaemonData();
        await this.refreshGallery();
        return;
      case 'analyze': {
        await this.fillTokenCounts(analysisQueries(m.prompt, m.negativePrompt));
        const a = analyzeForPanel(m.prompt, m.negativePrompt, this.tokenCounts.counter());
        this.post({ type: 'analysis', requestId: m.requestId, ...a });
        return;
      }
      case 'fixAll': {
        const first = fixAllForPanel(m.prompt, m.negativePrompt, this.tokenCounts.counter());
        // The fixes may create keywords not counted yet: count them and run once more, exactly.
        await this.fillTokenCounts(analysisQueries(first.prompt, first.negativePrompt));
        const r = fixAllForPanel(m.prompt, m.negativePrompt, this.tokenCounts.counter());
        this.post({ type: 'prompt', prompt: r.prompt, negativePrompt: r.negativePrompt, changes: r.changes });
        return;
      }
      case 'promptTool':
        await this.promptTool(m);
        return;
      case 'generate': {
        const uri = await generateAsset(this.ctx, panelGenerateOptions(m));
        if (uri) await this.refreshGallery();
        return;
      }
      case 'reversePrompt': {
        const picked = await v.window.showOpenDialog({
          canSelectMany: false,
          filters: { Images: ['png', 'jpg', 'jpeg', 'webp'] },
          title: 'Reverse prompt from an image',
        });
        if (!picked?.[0]) return;
        const name = basenameUriPath(picked[0].path);
        this.post({ type: 'notice', level: 'info', text: `Reading a prompt from ${name}…` });
        const r = await reversePrompt(this.ctx.connection, await v.workspace.fs.readFile(picked[0]), name);
        if (!r.ok) {
          this.ctx.log(`reverse prompt: ${r.code}`);
          this.post({ type: 'notice', level: 'error', text: r.notice });
          return;
        }
        this.post({ type: 'prompt', prompt: r.prompt, negativePrompt: r.negativePrompt, notice: r.notice });
        return;
      }
      case 'refreshModels':
        await this.refreshDaemonData();
        return;
      case 'pullModel': {
        const client = await this.ctx.connection.whenConnected(3000);
        this.post({ type: 'notice', level: 'info', text: `Downloading ${m.ref}…` });
        // The daemon answers when the whole download is verified and installed: minutes to hours.
        const r = await client.request(
          { type: 'model_pull', ref: m.ref },
          {},
          { timeoutMs: PULL_TIMEOUT_MS },
        );
        this.post({ type: 'modelProgress', model: m.ref, phase: 'done', bytesDone: 0, bytesTotal: 0 });
        if (r.type === 'error')
          this.post({ type: 'notice', level: 'error', text: `${r.message} (${r.code})` });
        else if (r.type === 'model_done')
          this.post({ type: 'notice', level: 'info', text: `${r.model}: ${r.status}.` });
        await this.refreshDaemonData();
        return;
      }
      case 'cancelPull': {
        const client = await this.ctx.connection.whenConnected(3000);
        const r = await client.request({ type: 'model_cancel', model: m.model });
        // The pull request itself then answers E_CANCELLED, which hides the progress and says so.
        if (r.type === 'error')
          this.post({ type: 'notice', level: 'error', text: `${r.message} (${r.code})` });
        return;
      }
      case 'refreshGallery':
        await this.refreshGallery();
        return;
      case 'galleryInsert':
      case 'galleryReveal':
      case 'galleryRegenerate': {
        const uri = v.Uri.parse(m.path, true);
        if (!v.workspace.getWorkspaceFolder(uri)) {
          this.ctx.log(`side panel: refused a path outside the workspace: ${m.path}`);
          return;
        }
        if (m.type === 'galleryReveal') await v.commands.executeCommand('revealInExplorer', uri);
        else if (m.type === 'galleryRegenerate') {
          if (await regenerate(this.ctx, uri)) await this.refreshGallery();
        } else await insertExisting(this.ctx, uri);
        return;
      }
      default:
        this.ctx.log(`side panel: unexpected ${m.type}`);
    }
  }
}

type PromptToolMessage = Extract<WebviewToHost, { type: 'promptTool' }>;

export interface PromptToolHost {
  presets: readonly PresetText[];
  models: readonly ModelItem[];
  defaultModel: string | null;
  settings: { sampler?: GenerationSampler; steps?: number };
  /** The daemon's client (the LLM rewrite goes through it); rejects when it is not connected. */
  whenConnected: () => Promise<Pick<StippleClient, 'request'>>;
  tokenCounts: TokenCountCache;
  /** Counts texts with the daemon's tokenizer when connected (Optimize is then exact). */
  fillTokenCounts: (texts: string[]) => Promise<void>;
}
type GenerationSampler = NonNullable<ReturnType<typeof readSettings>['sampler']>;

/**
 * Optimize, Rewrite (LLM) and Preset into prompt: each answers a `proposal` (shown as a diff, applied
 * on Accept) or a `toolFailed` with what went wrong; the prompt itself is never touched here.
 */
export async function runPromptTool(
  m: PromptToolMessage,
  host: PromptToolHost,
): Promise<Extract<HostToWebview, { type: 'proposal' | 'toolFailed' }>> {
  const base = { prompt: m.prompt, negativePrompt: m.negativePrompt };
  const modelId = m.model ?? host.defaultModel ?? undefined;
  const family = familyForModel(host.models.find((x) => x.id === modelId)?.family);
  const preset = m.preset ? host.presets.find((p) => p.id === m.preset) : undefined;
  const proposal = (title: string, prompt: string, negativePrompt: string, details: string[]) =>
    ({
      type: 'proposal',
      tool: m.tool,
      title,
      base,
      prompt,
      negativePrompt,
      details,
      clearPreset: false,
    }) as const;
  switch (m.tool) {
    case 'optimize': {
      const r = await optimizeForPanel(
        m.prompt,
        m.negativePrompt,
        { family, ...host.settings },
        host.tokenCounts,
        host.fillTokenCounts,
      );
      const details = r.changes.map((c) => `• ${c}`);
      if (!r.exact) details.push('Token counts are estimates: the daemon is not connected.');
      return proposal('Optimize', r.prompt, r.negativePrompt, details);
    }
    case 'presetIntoPrompt': {
      if (!preset) {
        return {
          type: 'toolFailed',
          tool: m.tool,
          text: m.preset
            ? `Preset into prompt: the daemon lists no preset "${m.preset}".`
            : 'Preset into prompt: pick a preset first.',
        };
      }
      const r = presetIntoPrompt(preset, { prompt: m.prompt, negative: m.negativePrompt }, family);
      return {
        ...proposal(`Preset "${preset.name}" written into the prompt`, r.prompt, r.negative, [
          'Accepting sets the preset to None, so it is not applied twice.',
        ]),
        clearPreset: true,
      };
    }
    case 'rewrite': {
      if (!m.prompt.trim())
        return { type: 'toolFailed', tool: m.tool, text: 'Rewrite (LLM): write a prompt first.' };
      let reply: Awaited<ReturnType<StippleClient['request']>>;
      try {
        const client = await host.whenConnected();
        reply = await client.request(
          {
            type: 'prompt_rewrite',
            prompt: m.prompt,
            negativePrompt: m.negativePrompt,
            ...(preset ? { context: `style: ${preset.name}` } : {}),
          },
          {},
          { timeoutMs: REWRITE_TIMEOUT_MS },
        );
      } catch (e) {
        const code = e instanceof ClientError ? e.code : 'E_NOT_CONNECTED';
        return {
          type: 'toolFailed',
          tool: m.tool,
          text: rewriteErrorText(code, e instanceof Error ? e.message : String(e)),
        };
      }
      if (reply.type === 'error')
        return { type: 'toolFailed', tool: m.tool, text: rewriteErrorText(reply.code, reply.message) };
      if (reply.type !== 'prompt_rewritten')
        return {
          type: 'toolFailed',
          tool: m.tool,
          text: rewriteErrorText('E_INTERNAL', `the daemon answered ${reply.type}`),
        };
      return proposal(
        'Rewrite (LLM)',
        reply.prompt,
        reply.negativePrompt,
        reply.findings.map((f) => `• ${f.severity}: ${f.message}`),
      );
    }
  }
}

async function insertExisting(ctx: HostContext, uri: vscode.Uri): Promise<void> {
  const v = ctx.vscode;
  const editor = v.window.visibleTextEditors[0] ?? v.window.activeTextEditor;
  if (!editor) {
    void v.window.showInformationMessage('Stipple: open a document to insert the image into.');
    return;
  }
  const s = readSettings(v.workspace.getConfiguration('stipple'));
  const params = readParametersFromPng(await v.workspace.fs.readFile(uri));
  const text = formatReference(referenceStyleFor(editor.document.languageId, s.referenceStyle), {
    path: relativeReferencePath(editor.document.uri.path, uri.path),
    alt: params?.prompt.split(',')[0]?.trim() ?? '',
  });
  await editor.edit((eb) => eb.replace(editor.selection, text));
}
