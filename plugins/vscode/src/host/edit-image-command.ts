// "Edit image…" on a PNG/JPEG/WebP (explorer context menu or the image preview): variations
// (img2img), inpainting with a mask painted in a webview, or outpainting to a larger canvas.
// The result is saved next to the original under a new name, or (PNG originals, after a modal
// confirmation) replaces it, the original being copied to .stipple/history first.
import type * as vscode from 'vscode';
import type { GenerateRequestInput } from '../../../../shared/protocol/generate-request';
import { Limits } from '../../../../shared/protocol/limits';
import { slugify } from './asset-naming';
import { pickCandidate } from './candidate-picker';
import { saveImage } from './generate-command';
import type { HostContext } from './host-context';
import { fitSize, outpaintCanvas, readImageInfo } from './image-size';
import { confirmAndReplace } from './image-versions-command';
import { runJob } from './job-runner';
import { readParametersFromPng } from './png-parameters';
import { basenameUriPath, dirnameUriPath } from './relative-path';
import { readSettings } from './settings';
import { openAnswerPanel } from './webview-panels';

export type EditMode = 'img2img' | 'inpaint' | 'outpaint';

/** The image the command is about: the explorer's argument, else the active image preview tab. */
export function imageTarget(ctx: HostContext, arg: unknown): vscode.Uri | undefined {
  const v = ctx.vscode;
  if (arg instanceof v.Uri) return arg;
  const input = v.window.tabGroups.activeTabGroup.activeTab?.input;
  if (input instanceof v.TabInputCustom || input instanceof v.TabInputText) return input.uri;
  return undefined;
}

/** `hero.png` + `inpaint` → base name `hero-inpaint-<seed>` (extension added by the writer). */
export function editedBaseName(originalName: string, mode: EditMode, seed: number): string {
  const stem = originalName.replace(/\.[^.]+$/, '') || 'image';
  const label = mode === 'img2img' ? 'variation' : mode;
  return `${stem}-${label}-${seed}`;
}

function dataUrlBytes(dataUrl: string): Uint8Array {
  return new Uint8Array(Buffer.from(dataUrl.slice(dataUrl.indexOf(',') + 1), 'base64'));
}

async function paintMask(
  ctx: HostContext,
  png: Uint8Array,
  mime: string,
  w: number,
  h: number,
  prompt: string,
) {
  return openAnswerPanel<{ mask: Uint8Array; prompt: string }>(ctx, {
    viewType: 'stipple.maskEditor',
    title: 'Stipple: paint the area to repaint',
    script: 'mask-editor',
    body: `<div class="toolbar">
  <label>Prompt <input id="prompt" type="text" size="40"></label>
  <label><input type="radio" name="tool" value="brush" checked> Brush</label>
  <label><input type="radio" name="tool" value="eraser"> Eraser</label>
  <label>Size <input id="size" type="range" min="4" max="200" value="40"></label>
  <label>Feather <input id="feather" type="range" min="0" max="64" value="8"></label>
  <button id="clear" type="button">Clear</button>
  <button id="done" type="button">Inpaint</button>
  <button id="cancel" type="button">Cancel</button>
</div>
<div class="stage"><canvas id="image"></canvas><canvas id="mask"></canvas></div>`,
    init: {
      type: 'maskImage',
      src: `data:${mime};base64,${Buffer.from(png).toString('base64')}`,
      width: w,
      height: h,
      prompt,
    },
    onMessage: (m) =>
      m.type === 'maskDone'
        ? { mask: dataUrlBytes(m.maskDataUrl), prompt: m.prompt }
        : m.type === 'maskCancel'
          ? 'cancel'
          : undefined,
  });
}

const OUTPAINT_CHOICES = [
  { label: 'Extend every side by 128 px', m: { left: 128, right: 128, top: 128, bottom: 128 } },
  { label: 'Wider: left and right by 256 px', m: { left: 256, right: 256, top: 0, bottom: 0 } },
  { label: 'Taller: top and bottom by 256 px', m: { left: 0, right: 0, top: 256, bottom: 256 } },
  { label: 'Right by 256 px', m: { left: 0, right: 256, top: 0, bottom: 0 } },
  { label: 'Bottom by 256 px', m: { left: 0, right: 0, top: 0, bottom: 256 } },
] as const;

export async function editImage(
  ctx: HostContext,
  arg: unknown,
  forcedMode?: EditMode,
): Promise<vscode.Uri | undefined> {
  const v = ctx.vscode;
  const uri = imageTarget(ctx, arg);
  if (!uri) {
    void v.window.showErrorMessage('Stipple: select a PNG, JPEG or WebP file to edit.');
    return undefined;
  }
  const bytes = await v.workspace.fs.readFile(uri);
  const info = readImageInfo(bytes);
  if (!info) {
    void v.window.showErrorMessage(`Stipple: ${basenameUriPath(uri.path)} is not a PNG, JPEG or WebP image.`);
    return undefined;
  }
  let mode = forcedMode;
  if (!mode) {
    const picked = await v.window.showQuickPick(
      [
        {
          label: 'Variations',
          description: 'img2img: new images close to this one',
          mode: 'img2img' as const,
        },
        { label: 'Inpaint', description: 'repaint an area you paint over', mode: 'inpaint' as const },
        {
          label: 'Outpaint',
          description: 'extend the canvas and fill the new area',
          mode: 'outpaint' as const,
        },
      ],
      { title: `Stipple: edit ${basenameUriPath(uri.path)}` },
    );
    if (!picked) return undefined;
    mode = picked.mode;
  }
  const settings = readSettings(v.workspace.getConfiguration('stipple'));
  const params = info.mime === 'image/png' ? readParametersFromPng(bytes) : undefined;
  const size = fitSize(info.width, info.height, Limits);
  if (size.scaled) {
    void v.window.showInformationMessage(
      `Stipple: the image is ${info.width}×${info.height}; it is scaled to ${size.width}×${size.height} for the model (limit ${Limits.maxSide} px per side).`,
    );
  }
  let prompt = params?.prompt ?? '';
  const request: GenerateRequestInput = {
    mode,
    prompt: '',
    negativePrompt: params?.negativePrompt ?? '',
    width: size.width,
    height: size.height,
    initImage: 'source',
    resizeMode: 'fill',
    sampler: settings.sampler,
    steps: settings.steps,
  };
  const attachments: Record<string, Uint8Array> = { source: bytes };
  if (mode === 'inpaint') {
    const painted = await paintMask(ctx, bytes, info.mime, info.width, info.height, prompt);
    if (!painted) return undefined;
    prompt = painted.prompt;
    attachments.mask = painted.mask;
    request.mask = 'mask';
  } else {
    const asked = await v.window.showInputBox({
      title: 'Stipple: prompt for the edit',
      prompt: 'What the image shows (read from its PNG parameters when Stipple made it)',
      value:
        prompt ||
        basenameUriPath(uri.path)
          .replace(/\.[^.]+$/, '')
          .replace(/[-_]+/g, ' '),
    });
    if (asked === undefined) return undefined;
    prompt = asked;
  }
  if (mode === 'img2img') {
    const strength = await v.window.showQuickPick(['0.35 (close)', '0.55', '0.75 (loose)'], {
      title: 'How far from the original?',
    });
    if (!strength) return undefined;
    request.strength = Number.parseFloat(strength);
  } else if (mode === 'outpaint') {
    const picked = await v.window.showQuickPick(
      OUTPAINT_CHOICES.map((c) => ({ label: c.label, m: c.m })),
      { title: 'Outpaint: new size' },
    );
    if (!picked) return undefined;
    request.outpaint = { ...picked.m };
    // For outpaint, width/height are the whole new canvas (image plus margins), not the image's size.
    const canvas = outpaintCanvas(info.width, info.height, picked.m, Limits);
    request.width = canvas.width;
    request.height = canvas.height;
    if (canvas.scaled && !size.scaled) {
      void v.window.showInformationMessage(
        `Stipple: the outpainted canvas is scaled to ${canvas.width}×${canvas.height} for the model (limit ${Limits.maxSide} px per side).`,
      );
    }
  }
  request.prompt = prompt;
  const outcome = await runJob(
    ctx.jobs,
    `Stipple: ${mode} ${basenameUriPath(uri.path)}`,
    request,
    attachments,
  );
  if (outcome.status !== 'done') return undefined;
  const index = await pickCandidate(ctx, outcome.images);
  const img = index === undefined ? undefined : outcome.images[index];
  if (!img) return undefined;
  const name = basenameUriPath(uri.path);
  if (info.mime === 'image/png') {
    const how = await v.window.showQuickPick(
      [
        { label: 'Save as a new file', description: `next to ${name}`, replace: false },
        {
          label: `Replace ${name}`,
          description: 'the original is kept in .stipple/history',
          replace: true,
        },
      ],
      { title: `Stipple: save the ${mode === 'img2img' ? 'variation' : mode} of ${name}` },
    );
    if (!how) return undefined;
    if (how.replace) {
      return (await confirmAndReplace(ctx, uri, img.png, mode === 'img2img' ? 'variation' : mode))
        ? uri
        : undefined;
    }
  }
  const folder = uri.with({ path: dirnameUriPath(uri.path) });
  const saved = await saveImage(ctx, folder, editedBaseName(name, mode, img.seed), img.png);
  if (saved) {
    ctx.log(`saved ${saved.toString()} (${mode} of ${uri.toString()}, prompt slug ${slugify(prompt)})`);
    void v.window.showInformationMessage(`Stipple: saved ${v.workspace.asRelativePath(saved)}`);
  }
  return saved;
}
