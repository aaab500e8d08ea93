// The webview side of the message channel: validates what the host sends, and types what it
// sends back. One `acquireVsCodeApi()` per page load.
import { type HostToWebview, parseHostToWebview, type WebviewToHost } from '../common/panel-messages';

interface VsCodeApi {
  postMessage(message: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

export interface Channel {
  send(m: WebviewToHost): void;
  onMessage(cb: (m: HostToWebview) => void): void;
}

export function openChannel(): Channel {
  const api = acquireVsCodeApi();
  return {
    send: (m) => api.postMessage(m),
    onMessage: (cb) =>
      window.addEventListener('message', (ev: MessageEvent) => {
        const parsed = parseHostToWebview(ev.data);
        if (parsed.ok) cb(parsed.message);
      }),
  };
}

export function byId<T extends HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (!el) throw new Error(`missing #${id}`);
  return el as T;
}
