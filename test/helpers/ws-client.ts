// A StippleClient over the `ws` package for tests, plus a raw socket helper for protocol abuse.
import WebSocket from 'ws';
import { type SocketLike, StippleClient } from '../../shared/protocol/stipple-client';

export function createSocket(url: string): SocketLike {
  return new WebSocket(url) as unknown as SocketLike;
}

export async function connectClient(url: string, token: string, name = 'test'): Promise<StippleClient> {
  const c = new StippleClient({
    url,
    token,
    client: { name },
    createSocket,
    reconnect: { minMs: 100, maxMs: 0 },
  });
  await c.ready();
  return c;
}

export interface RawSocket {
  ws: WebSocket;
  next(): Promise<{ text?: unknown; binary?: Buffer }>;
  closed: Promise<{ code: number; reason: string }>;
  send(data: string | Buffer): void;
}

export function rawSocket(url: string, headers: Record<string, string> = {}): Promise<RawSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers });
    const queue: Array<{ text?: unknown; binary?: Buffer }> = [];
    const waiters: Array<(m: { text?: unknown; binary?: Buffer }) => void> = [];
    ws.on('message', (data, isBinary) => {
      const m = isBinary ? { binary: data as Buffer } : { text: JSON.parse(String(data)) };
      const w = waiters.shift();
      if (w) w(m);
      else queue.push(m);
    });
    const closed = new Promise<{ code: number; reason: string }>((r) =>
      ws.on('close', (code, reason) => r({ code, reason: String(reason) })),
    );
    ws.on('open', () =>
      resolve({
        ws,
        closed,
        send: (d) => ws.send(d),
        next: () =>
          new Promise((r, rej) => {
            const m = queue.shift();
            if (m) r(m);
            else {
              waiters.push(r);
              setTimeout(() => rej(new Error('no message within 10 s')), 10_000).unref();
            }
          }),
      }),
    );
    ws.on('error', reject);
    ws.on('unexpected-response', (_req, res) =>
      reject(Object.assign(new Error(`HTTP ${res.statusCode}`), { status: res.statusCode })),
    );
  });
}
