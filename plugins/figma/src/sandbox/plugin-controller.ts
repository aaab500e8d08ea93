// The sandbox side of the plugin: shows the UI, tells it what the selection means, prepares
// job inputs, places results and keeps the token and preferences in clientStorage. Everything
// it receives from the UI is validated against the contract first. All state lives in the
// closure of startPlugin (no module-level state), so tests can start it on a fake `figma`.

import {
  parseUiToSandbox,
  type SandboxToUi,
  type SelectionInfo,
  type UiToSandbox,
} from '../contract/plugin-messages';
import type { PluginAPI, SceneNode } from './figma-types';
import { readParams } from './generation-params';
import { prepareJob } from './job-input';
import type { JobTarget } from './job-targets';
import { classifyForRegenerate } from './regenerate';
import { placeResult } from './result-insertion';
import { classifySelection, imagePaintOf } from './selection-mode';

export const TOKEN_KEY = 'stipple.token';
export const PREFS_KEY = 'stipple.prefs';
export const HISTORY_KEY = 'stipple.history';

export interface PluginOptions {
  width?: number;
  height?: number;
}

export function describeSelection(selection: readonly SceneNode[]): SelectionInfo {
  const c = classifySelection(selection);
  const info: SelectionInfo = { mode: c.mode, label: c.label };
  if (c.mode === null) info.reason = c.reason;
  const sized =
    c.mode === 'txt2img' ? (c.target.kind === 'fill' ? c.target.node : null) : c.mode ? c.image : null;
  if (sized) {
    info.width = sized.width;
    info.height = sized.height;
  }
  if (selection.length === 1) {
    const params = readParams(selection[0]);
    if (params) info.generatedParams = params;
    if (imagePaintOf(selection[0])) info.hasImage = true;
  }
  return info;
}

export function startPlugin(api: PluginAPI, html: string, options: PluginOptions = {}): void {
  const targets = new Map<string, JobTarget>();
  /**
   * The one live-mode preview layer, refreshed in place while it shows the same target
   * (the same source node, or the viewport); a new target replaces it.
   */
  let livePreview: { key: string; nodeId: string } | null = null;
  let nextTarget = 1;

  const post = (message: SandboxToUi) => api.ui.postMessage(message);
  const sendSelection = () => post({ type: 'selection', info: describeSelection(api.currentPage.selection) });

  api.showUI(html, {
    width: options.width ?? 380,
    height: options.height ?? 680,
    themeColors: true,
    title: 'Stipple',
  });
  api.on('selectionchange', sendSelection);
  // Live mode follows edits to the selected layers (not to the preview layer it writes itself,
  // which would loop); the UI debounces and decides.
  const watchPage = () =>
    api.currentPage.on('nodechange', (event) => {
      const selected = new Set(api.currentPage.selection.map((n) => n.id));
      if (event.nodeChanges.some((c) => selected.has(c.node.id) && c.node.id !== livePreview?.nodeId)) {
        post({ type: 'selection-edited' });
      }
    });
  watchPage();
  api.on('currentpagechange', () => {
    watchPage();
    sendSelection();
  });

  async function handle(msg: UiToSandbox): Promise<void> {
    switch (msg.type) {
      case 'ui-ready': {
        const token = await api.clientStorage.getAsync(TOKEN_KEY);
        const prefs = await api.clientStorage.getAsync(PREFS_KEY);
        const history = await api.clientStorage.getAsync(HISTORY_KEY);
        post({
          type: 'init',
          token: typeof token === 'string' ? token : null,
          prefs: typeof prefs === 'string' ? prefs : null,
          editorType: api.editorType,
          history: typeof history === 'string' ? history : null,
        });
        sendSelection();
        return;
      }
      case 'save-token':
        if (msg.token === null) await api.clientStorage.deleteAsync(TOKEN_KEY);
        else await api.clientStorage.setAsync(TOKEN_KEY, msg.token);
        return;
      case 'save-prefs':
        await api.clientStorage.setAsync(PREFS_KEY, msg.prefs);
        return;
      case 'prepare-job': {
        try {
          const selection = api.currentPage.selection;
          const c = msg.regenerate
            ? await classifyForRegenerate(api, selection, msg.regenerate)
            : classifySelection(selection);
          const prepared = await prepareJob(api, c, msg.sizing);
          if (!prepared.ok) {
            post({ type: 'job-input-error', requestId: msg.requestId, reason: prepared.reason });
            return;
          }
          const targetId = `t${nextTarget++}`;
          targets.set(targetId, prepared.target);
          post({ type: 'job-input', requestId: msg.requestId, input: { ...prepared.input, targetId } });
        } catch (e) {
          post({ type: 'job-input-error', requestId: msg.requestId, reason: errorText(e) });
        }
        return;
      }
      case 'insert-result': {
        const target = targets.get(msg.targetId);
        if (!target) {
          post({ type: 'insert-error', requestId: msg.requestId, reason: `unknown target ${msg.targetId}` });
          return;
        }
        try {
          // A live preview never replaces a fill: it is a layer over the node, easy to discard.
          const placed: JobTarget =
            msg.live && target.kind === 'fill' ? { kind: 'overlay', nodeId: target.nodeId } : target;
          const key =
            placed.kind === 'viewport'
              ? 'viewport'
              : `${placed.kind}:${'nodeId' in placed ? placed.nodeId : placed.frameId}`;
          let existing: SceneNode | null = null;
          if (msg.live && livePreview) {
            const prev = (await api.getNodeByIdAsync(livePreview.nodeId)) as SceneNode | null;
            if (prev && !prev.removed && livePreview.key === key) existing = prev;
            else if (prev && !prev.removed) prev.remove();
          }
          const node = await placeResult(
            api,
            placed,
            { png: msg.png, name: msg.live ? `Live: ${msg.name}` : msg.name, params: msg.params },
            { commit: !msg.live, existing },
          );
          if (msg.live) livePreview = { key, nodeId: node.id };
          post({ type: 'inserted', requestId: msg.requestId, nodeId: node.id });
        } catch (e) {
          post({ type: 'insert-error', requestId: msg.requestId, reason: errorText(e) });
        }
        return;
      }
      case 'keep-live': {
        const node = livePreview ? await api.getNodeByIdAsync(livePreview.nodeId) : null;
        livePreview = null;
        if (!node || node.removed) {
          post({
            type: 'insert-error',
            requestId: msg.requestId,
            reason: 'There is no live preview to keep.',
          });
          return;
        }
        node.name = node.name.replace(/^Live: /, '');
        api.commitUndo();
        post({ type: 'inserted', requestId: msg.requestId, nodeId: node.id });
        return;
      }
      case 'discard-live': {
        const node = livePreview ? await api.getNodeByIdAsync(livePreview.nodeId) : null;
        livePreview = null;
        if (node && !node.removed && node.type !== 'DOCUMENT' && node.type !== 'PAGE') node.remove();
        return;
      }
      case 'notify':
        api.notify(msg.message, { error: msg.error });
        return;
      case 'save-history':
        await api.clientStorage.setAsync(HISTORY_KEY, msg.history);
        return;
      case 'export-image': {
        try {
          const r = await selectedImageBytes(api, api.currentPage.selection);
          post(
            'png' in r
              ? { type: 'image-bytes', requestId: msg.requestId, png: r.png, name: r.name }
              : { type: 'image-error', requestId: msg.requestId, reason: r.reason },
          );
        } catch (e) {
          post({ type: 'image-error', requestId: msg.requestId, reason: errorText(e) });
        }
        return;
      }
    }
  }

  api.ui.onmessage = (raw: unknown) => {
    const parsed = parseUiToSandbox(raw);
    if (!parsed.ok) {
      api.notify(`Stipple: ignored a malformed message from the UI (${parsed.reason})`, { error: true });
      return;
    }
    handle(parsed.message).catch((e: unknown) => api.notify(`Stipple: ${errorText(e)}`, { error: true }));
  };
}

/**
 * The selected layer's image for "Reverse prompt": the image fill's own file bytes (a PNG keeps its
 * A1111 `parameters` text), or else the layer exported as PNG.
 */
export async function selectedImageBytes(
  api: PluginAPI,
  selection: readonly SceneNode[],
): Promise<{ png: Uint8Array; name: string } | { reason: string }> {
  if (selection.length !== 1) {
    return {
      reason:
        selection.length === 0
          ? 'Select an image layer to read its prompt.'
          : 'Select one image layer to read its prompt.',
    };
  }
  const node = selection[0];
  const paint = imagePaintOf(node);
  if (!paint?.imageHash) return { reason: `"${node.name}" has no image fill.` };
  const image = api.getImageByHash(paint.imageHash);
  const bytes = image ? await image.getBytesAsync() : await node.exportAsync({ format: 'PNG' });
  return { png: bytes, name: node.name };
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
