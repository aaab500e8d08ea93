// The side panel (webview view in the activity bar): prompt editor with token budget per
// chunk and findings (highlighted inline, "fix all" as a before/after diff to accept), presets,
// reverse prompt from an image file (PNG parameters, else the daemon's CLIP interrogator), checkpoint picker with the compatible LoRAs and embeddings
// (weights, trigger words) and download progress, and the gallery of generated assets. The panel never sees the
// token: every daemon request goes through the host, and every message is validated.
import type * as vscode from 'vscode';
import type { ServerMessage } from '../../../../shared/protocol/server-messages';
import {
  type HostToWebview,
  type ModelItem,
  parseWebviewToHost,
  type WebviewToHost,
} from '../common/panel-messages';
import { scanGallery, toGalleryItems } from './gallery';
import { generateAsset } from './generate-command';
import type { HostContext } from './host-context';
import { panelGenerateOptions } from './panel-generate';
import { regenerate } from './png-commands';
import { readParametersFromPng } from './png-parameters';
import { analysisQueries, analyzeForPanel, fixAllForPanel, TokenCountCache } from './prompt-analysis';
import { formatReference, referenceStyleFor } from './reference-syntax';
import { basenameUriPath, relativeReferencePath } from './relative-path';
import { reversePrompt } from './reverse-prompt';
import { readSettings } from './settings';
import { statusView } from './status-text';
import { webviewShell } from './webview-panels';

export const SIDE_PANEL_VIEW_ID = 'stipple.panel';
const PULL_TIMEOUT_MS = 6 * 3600_000;

const BODY = `<section>
  <h3>Prompt</h3>
  <textarea id="prompt" rows="5" placeholder="subject, details, style, lighting"></textarea>
  <div id="budget" class="budget" aria-label="token budget per 75-token chunk"></div>
  <textarea id="negative" rows="2" placeholder="negative prompt: what must not appear"></textarea>
  <ul id="findings" class="findings"></ul>
  <button id="fix-all" type="button">Fix all</button>
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
  <div class="row"><input id="pull-ref" type="text" placeholder="catalog id or owner/repo"><button id="pull" type="button">Download</button></div>
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
  private presets: { id: string; name: string }[] = [];
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
      presets: this.presets,
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
        if (p.type === 'presets') this.presets = p.presets.map((x) => ({ id: x.id, name: x.name }));
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
