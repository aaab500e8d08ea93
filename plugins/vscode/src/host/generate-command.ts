// "Generate image asset…": prompt from the cursor's context, preset, size and count; run the
// job; pick a candidate; write it into the workspace under a fresh name; insert a reference
// in the document's language at the cursor (or in place of the image reference under it).
import type * as vscode from 'vscode';
import type { GenerateRequestInput } from '../../../../shared/protocol/generate-request';
import type { JobImage } from '../../../../shared/protocol/stipple-client';
import { formatAssetName, slugify } from './asset-naming';
import { writeAsset } from './asset-writer';
import { pickCandidate } from './candidate-picker';
import { type PromptContext, promptFromContext } from './cursor-context';
import type { HostContext } from './host-context';
import { runJob } from './job-runner';
import { formatReference, referenceStyleFor } from './reference-syntax';
import { joinUriPath, relativeReferencePath } from './relative-path';
import { parseSize, readSettings, type StippleSettings } from './settings';

export interface GenerateOptions {
  prompt: string;
  negativePrompt?: string;
  preset?: string;
  width: number;
  height: number;
  count: number;
  seed?: number;
  /** Checkpoint id; absent = the daemon's default model. */
  model?: string;
  /** LoRAs from the side panel's picker, sent as the request's `loras` list. */
  loras?: { name: string; weight: number }[];
}

interface EditorTarget {
  editor: vscode.TextEditor;
  document: vscode.TextDocument;
  version: number;
  selection: vscode.Selection;
  context: PromptContext;
}

const SIZES = ['512x512', '768x512', '512x768', '768x768', '1024x1024', '1024x576', '576x1024', '256x256'];

function settingsOf(ctx: HostContext): StippleSettings {
  return readSettings(ctx.vscode.workspace.getConfiguration('stipple'));
}

function captureEditor(ctx: HostContext): EditorTarget | undefined {
  const editor = ctx.vscode.window.activeTextEditor;
  if (!editor) return undefined;
  const document = editor.document;
  const selection = editor.selection;
  const context = promptFromContext(
    document.getText(),
    document.offsetAt(selection.active),
    document.languageId,
    document.getText(selection),
  );
  return { editor, document, version: document.version, selection, context };
}

async function presetIds(ctx: HostContext): Promise<{ id: string; name: string }[]> {
  const client = ctx.connection.stipple;
  if (!client || ctx.connection.connectionState !== 'connected') return [];
  try {
    const reply = await client.request({ type: 'presets' });
    return reply.type === 'presets' ? reply.presets.map((p) => ({ id: p.id, name: p.name })) : [];
  } catch (e) {
    ctx.log(`presets: ${String(e)}`);
    return [];
  }
}

/** Asks prompt, preset, size and count; undefined when the user backs out. */
export async function askGenerateOptions(
  ctx: HostContext,
  initialPrompt: string,
): Promise<GenerateOptions | undefined> {
  const w = ctx.vscode.window;
  const s = settingsOf(ctx);
  const prompt = await w.showInputBox({
    title: 'Stipple: generate image asset',
    prompt: 'Describe the image (keywords, most important first)',
    value: initialPrompt,
    validateInput: (v) => (v.trim() ? undefined : 'The prompt is empty'),
  });
  if (prompt === undefined) return undefined;
  const presets = await presetIds(ctx);
  let preset: string | undefined;
  if (presets.length > 0) {
    const items = [
      { label: 'No preset', id: '' },
      ...presets.map((p) => ({ label: p.name, description: p.id, id: p.id })),
    ];
    const def = items.findIndex((i) => i.id === s.defaultPreset);
    if (def > 0) items.unshift(...items.splice(def, 1));
    const picked = await w.showQuickPick(items, { title: 'Style preset', placeHolder: 'Style preset' });
    if (!picked) return undefined;
    preset = picked.id || undefined;
  }
  const defSize = `${s.defaultWidth}x${s.defaultHeight}`;
  const sizes = [defSize, ...SIZES.filter((x) => x !== defSize)];
  const sizePick = await w.showQuickPick([...sizes, 'Custom…'], {
    title: 'Size (width x height)',
    placeHolder: defSize,
  });
  if (!sizePick) return undefined;
  let size = parseSize(sizePick);
  if (!size) {
    const custom = await w.showInputBox({
      title: 'Size',
      prompt: 'WIDTHxHEIGHT, each a multiple of 8 between 64 and 2048',
      value: defSize,
      validateInput: (v) => (parseSize(v) ? undefined : 'Use WIDTHxHEIGHT with multiples of 8, 64–2048'),
    });
    size = custom ? parseSize(custom) : null;
    if (!size) return undefined;
  }
  const countPick = await w.showQuickPick(['1', '2', '3', '4'], {
    title: 'How many candidates?',
    placeHolder: '1',
  });
  if (!countPick) return undefined;
  return { prompt: prompt.trim(), preset, ...size, count: Number(countPick) };
}

/** The folder to save into: the setting's folder in the document's workspace folder, or asked. */
async function outputFolder(
  ctx: HostContext,
  doc: vscode.Uri | undefined,
  s: StippleSettings,
): Promise<vscode.Uri | undefined> {
  const ws = ctx.vscode.workspace;
  const folder = (doc && ws.getWorkspaceFolder(doc)) ?? ws.workspaceFolders?.[0];
  if (folder) return folder.uri.with({ path: joinUriPath(folder.uri.path, s.outputFolder) });
  const picked = await ctx.vscode.window.showOpenDialog({
    canSelectFolders: true,
    canSelectFiles: false,
    canSelectMany: false,
    title: 'No workspace folder is open: where should Stipple save the image?',
    openLabel: 'Save here',
  });
  return picked?.[0];
}

/** Writes the image, asking for another folder when this one is read-only. */
export async function saveImage(
  ctx: HostContext,
  folder: vscode.Uri,
  baseName: string,
  png: Uint8Array,
): Promise<vscode.Uri | undefined> {
  let target = folder;
  for (;;) {
    const r = await writeAsset(ctx.vscode.workspace.fs, target, baseName, png);
    if (r.ok) return r.uri;
    ctx.log(r.message);
    const choice = await ctx.vscode.window.showErrorMessage(
      r.reason === 'not_writable'
        ? `Stipple: ${target.path} is not writable. Choose another folder?`
        : `Stipple: ${r.message}`,
      'Choose folder…',
    );
    if (choice !== 'Choose folder…') return undefined;
    const picked = await ctx.vscode.window.showOpenDialog({ canSelectFolders: true, canSelectFiles: false });
    if (!picked?.[0]) return undefined;
    target = picked[0];
  }
}

async function insertReference(
  ctx: HostContext,
  t: EditorTarget,
  asset: vscode.Uri,
  alt: string,
  img: JobImage,
) {
  const v = ctx.vscode;
  const s = settingsOf(ctx);
  const doc = t.document;
  let relPath: string;
  if (doc.isUntitled) {
    const folder = v.workspace.getWorkspaceFolder(asset);
    relPath = folder ? relativeReferencePath(`${folder.uri.path}/_`, asset.path) : asset.fsPath;
  } else relPath = relativeReferencePath(doc.uri.path, asset.path);
  const style = referenceStyleFor(doc.languageId, s.referenceStyle);
  const text = formatReference(style, { path: relPath, alt, width: img.width, height: img.height });
  let editor = v.window.visibleTextEditors.find((e) => e.document === doc);
  if (!editor) editor = await v.window.showTextDocument(doc);
  const unchanged = doc.version === t.version;
  const replace = unchanged && t.context.replace ? t.context.replace : undefined;
  const range = replace
    ? new v.Range(doc.positionAt(replace.start), doc.positionAt(replace.end))
    : unchanged
      ? t.selection
      : editor.selection;
  const ok = await editor.edit((eb) => eb.replace(range, text));
  if (!ok) ctx.log(`could not insert the reference into ${doc.uri.toString()}`);
  return text;
}

export async function generateAsset(
  ctx: HostContext,
  given?: GenerateOptions,
): Promise<vscode.Uri | undefined> {
  const target = captureEditor(ctx);
  const opts = given ?? (await askGenerateOptions(ctx, target?.context.prompt ?? ''));
  if (!opts) return undefined;
  const s = settingsOf(ctx);
  const request: GenerateRequestInput = {
    mode: 'txt2img',
    prompt: opts.prompt,
    negativePrompt: opts.negativePrompt ?? '',
    preset: opts.preset,
    width: opts.width,
    height: opts.height,
    batch: opts.count,
    seed: opts.seed ?? -1,
    sampler: s.sampler,
    steps: s.steps,
    ...(opts.model ? { model: opts.model } : {}),
    ...(opts.loras?.length ? { loras: opts.loras } : {}),
  };
  const outcome = await runJob(ctx.jobs, `Stipple: generating "${opts.prompt.slice(0, 40)}"`, request);
  if (outcome.status !== 'done') return undefined;
  const index = await pickCandidate(ctx, outcome.images);
  const img = index === undefined ? undefined : outcome.images[index];
  if (!img) {
    void ctx.vscode.window.showInformationMessage('Stipple: no image chosen; nothing was written.');
    return undefined;
  }
  const folder = await outputFolder(ctx, target?.document.uri, s);
  if (!folder) return undefined;
  const base = formatAssetName(s.fileNamePattern, {
    slug: slugify(opts.prompt),
    seed: img.seed,
    index: img.index,
    preset: opts.preset,
    model: outcome.done.params.model,
    date: new Date(),
  });
  const uri = await saveImage(ctx, folder, base, img.png);
  if (!uri) return undefined;
  ctx.log(`saved ${uri.toString()}`);
  const alt = target?.context.source === 'alt' && target.context.prompt ? target.context.prompt : opts.prompt;
  if (target) {
    const ref = await insertReference(ctx, target, uri, alt, img);
    void ctx.vscode.window.showInformationMessage(
      `Stipple: saved ${ctx.vscode.workspace.asRelativePath(uri)} and inserted ${ref}`,
    );
  } else {
    void ctx.vscode.window.showInformationMessage(
      `Stipple: saved ${ctx.vscode.workspace.asRelativePath(uri)}`,
    );
  }
  return uri;
}
