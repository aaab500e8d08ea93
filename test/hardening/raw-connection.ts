// Raw TCP access to the daemon for abuse that a well-behaved HTTP or WebSocket client cannot
// produce: trickled headers, thousands of headers, a WebSocket peer that never answers pings.
import net from 'node:net';

export interface RawTcp {
  socket: net.Socket;
  /** Everything received so far. */
  received(): Buffer;
  /** Resolves with the time (ms since connect) at which the daemon ended the connection. */
  ended: Promise<number>;
}

export function rawTcp(port: number): Promise<RawTcp> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    const chunks: Buffer[] = [];
    const t0 = Date.now();
    const ended = new Promise<number>((r) => {
      socket.on('close', () => r(Date.now() - t0));
    });
    socket.on('data', (c) => chunks.push(c));
    socket.on('error', () => undefined); // ECONNRESET when the daemon destroys the socket
    socket.once('connect', () => resolve({ socket, received: () => Buffer.concat(chunks), ended }));
    socket.once('error', reject);
  });
}

/** Performs the WebSocket handshake by hand; the socket then speaks raw frames. */
export async function rawWebSocket(port: number): Promise<RawTcp> {
  const c = await rawTcp(port);
  c.socket.write(
    `GET /ws HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
      'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n',
  );
  for (let i = 0; i < 100 && !c.received().includes('\r\n\r\n'); i++)
    await new Promise((r) => setTimeout(r, 20));
  if (!c.received().toString('latin1').startsWith('HTTP/1.1 101')) {
    throw new Error(`upgrade failed: ${c.received().toString('latin1').slice(0, 80)}`);
  }
  return c;
}

/** A masked client frame (RFC 6455 §5.2). */
export function clientFrame(opcode: number, payload: Buffer, fin = true): Buffer {
  const mask = Buffer.from([1, 2, 3, 4]);
  const len = payload.length;
  const head =
    len < 126
      ? Buffer.from([(fin ? 0x80 : 0) | opcode, 0x80 | len])
      : Buffer.from([(fin ? 0x80 : 0) | opcode, 0x80 | 126, len >> 8, len & 0xff]);
  const body = Buffer.from(payload.map((b, i) => b ^ mask[i % 4]));
  return Buffer.concat([head, mask, body]);
}
