// Adapts the browser's WebSocket to the shared client's SocketLike (the shapes differ only in
// event types), so the UI uses the one protocol client instead of its own socket logic.

import type { SocketLike } from '../../../../shared/protocol/stipple-client';

export function browserSocket(url: string): SocketLike {
  const ws = new WebSocket(url);
  ws.binaryType = 'arraybuffer';
  const socket: SocketLike = {
    get binaryType() {
      return ws.binaryType;
    },
    set binaryType(v: string) {
      ws.binaryType = v === 'blob' ? 'blob' : 'arraybuffer';
    },
    get readyState() {
      return ws.readyState;
    },
    send: (data) => ws.send(data),
    close: (code, reason) => ws.close(code, reason),
    onopen: null,
    onclose: null,
    onerror: null,
    onmessage: null,
  };
  ws.onopen = (ev) => socket.onopen?.(ev);
  ws.onclose = (ev) => socket.onclose?.({ code: ev.code, reason: ev.reason });
  ws.onerror = (ev) => socket.onerror?.(ev);
  ws.onmessage = (ev) => socket.onmessage?.({ data: ev.data });
  return socket;
}
