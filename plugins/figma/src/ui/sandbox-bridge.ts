// The UI's side of the contract with the Figma sandbox: posts typed messages to the parent
// and validates everything that comes back (the iframe's `message` event is a trust
// boundary). Requests that expect an answer (prepare-job, insert-result, export-image) are matched
// by id.

import {
  type JobInput,
  parseSandboxToUi,
  type SandboxToUi,
  type Sizing,
  type UiToSandbox,
} from '../contract/plugin-messages';

type Listener = (message: SandboxToUi) => void;

export interface SandboxBridge {
  post(message: UiToSandbox): void;
  on(listener: Listener): () => void;
  prepareJob(
    sizing: Sizing,
    regenerate?: 'txt2img' | 'source',
  ): Promise<{ ok: true; input: JobInput } | { ok: false; reason: string }>;
  insertResult(
    message: Omit<Extract<UiToSandbox, { type: 'insert-result' }>, 'type' | 'requestId'>,
  ): Promise<{ ok: true; nodeId: string } | { ok: false; reason: string }>;
  keepLive(): Promise<{ ok: true; nodeId: string } | { ok: false; reason: string }>;
  /** The selected image's bytes (reverse prompt). */
  exportImage(): Promise<{ ok: true; png: Uint8Array; name: string } | { ok: false; reason: string }>;
}

export function createSandboxBridge(win: Window, onInvalid: (reason: string) => void): SandboxBridge {
  const listeners = new Set<Listener>();
  let nextId = 1;
  win.addEventListener('message', (event: MessageEvent) => {
    const data: unknown = event.data;
    if (typeof data !== 'object' || data === null || !('pluginMessage' in data)) return;
    const parsed = parseSandboxToUi(data.pluginMessage);
    if (!parsed.ok) {
      onInvalid(parsed.reason);
      return;
    }
    for (const l of listeners) l(parsed.message);
  });
  const post = (message: UiToSandbox) => win.parent.postMessage({ pluginMessage: message }, '*');
  const on = (l: Listener) => {
    listeners.add(l);
    return () => listeners.delete(l);
  };
  /** Posts a message with a fresh requestId and waits for the answer carrying that id. */
  function ask<T>(
    build: (requestId: string) => UiToSandbox,
    pick: (m: SandboxToUi, id: string) => T | undefined,
  ) {
    const requestId = `q${nextId++}`;
    return new Promise<T>((resolve) => {
      const off = on((m) => {
        const v = pick(m, requestId);
        if (v === undefined) return;
        off();
        resolve(v);
      });
      post(build(requestId));
    });
  }
  type Placed = { ok: true; nodeId: string } | { ok: false; reason: string };
  const placed = (m: SandboxToUi, id: string): Placed | undefined => {
    if (m.type === 'inserted' && m.requestId === id) return { ok: true, nodeId: m.nodeId };
    if (m.type === 'insert-error' && m.requestId === id) return { ok: false, reason: m.reason };
    return undefined;
  };
  return {
    post,
    on,
    prepareJob: (sizing, regenerate) =>
      ask(
        (requestId) => ({ type: 'prepare-job', requestId, sizing, ...(regenerate ? { regenerate } : {}) }),
        (m, id) => {
          if (m.type === 'job-input' && m.requestId === id) return { ok: true as const, input: m.input };
          if (m.type === 'job-input-error' && m.requestId === id)
            return { ok: false as const, reason: m.reason };
          return undefined;
        },
      ),
    insertResult: (message) => ask((requestId) => ({ type: 'insert-result', requestId, ...message }), placed),
    keepLive: () => ask((requestId) => ({ type: 'keep-live', requestId }), placed),
    exportImage: () =>
      ask(
        (requestId) => ({ type: 'export-image', requestId }),
        (m, id) => {
          if (m.type === 'image-bytes' && m.requestId === id)
            return { ok: true as const, png: m.png, name: m.name };
          if (m.type === 'image-error' && m.requestId === id) return { ok: false as const, reason: m.reason };
          return undefined;
        },
      ),
  };
}
