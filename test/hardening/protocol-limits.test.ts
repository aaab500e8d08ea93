// Issue 8, item 2: protocol limits. Oversize messages, fragment floods, header floods,
// slow headers and bodies, oversize and malformed JSON, a client that stops reading, and a
// dead peer. Each ends with the daemon serving the next request and the background jobs done.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import WebSocket from 'ws';
import { Limits } from '../../shared/protocol/limits';
import { CloseCode, PROTOCOL_VERSION } from '../../shared/protocol/version';
import { startDaemon, type TestDaemon } from '../helpers/daemon';
import { skipNoFixtures } from '../helpers/fixtures';
import { rawSocket } from '../helpers/ws-client';
import {
  assertNothingLost,
  assertStillServing,
  fastConfig,
  snapshotDisk,
  startBackgroundJobs,
} from './daemon-integrity';
import { clientFrame, rawTcp, rawWebSocket } from './raw-connection';

const config = { ...fastConfig, sendBufferSoftBytes: 64 * 1024, sendBufferHardBytes: 256 * 1024 };
let d: TestDaemon;
let background: { settle(): Promise<void> } | null = null;
let disk: Map<string, string>;
before(async () => {
  d = await startDaemon({ config, models: skipNoFixtures ? undefined : { 'sd15-tiny': 'sd15-tiny' } });
  if (!skipNoFixtures) background = await startBackgroundJobs(d, 60);
  disk = snapshotDisk(d.home);
});
after(async () => {
  if (process.env.DEBUG_HARDENING) console.log(d?.output());
  await d?.dispose();
});

const hello = (token: string) =>
  JSON.stringify({
    type: 'hello',
    id: 'h',
    token,
    client: { name: 'limits' },
    protocolVersion: PROTOCOL_VERSION,
  });

function rssKb(pid: number): number {
  const m = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(m?.[1] ?? 0);
}

test('a text message over the limit closes with 1009; so does a binary one over the frame limit', async () => {
  const s = await rawSocket(d.wsUrl);
  s.send(hello(d.token));
  await s.next();
  s.send(JSON.stringify({ type: 'tokenize', text: 'x'.repeat(Limits.maxTextMessageBytes) }));
  assert.equal((await s.closed).code, CloseCode.messageTooBig);
  // A binary frame whose header declares more than the limit is refused from the header alone,
  // before the daemon buffers any of it.
  const b = await rawWebSocket(d.port);
  const len = Buffer.alloc(8);
  len.writeBigUInt64BE(BigInt(Limits.maxBinaryMessageBytes + 8 + 4096 + 1));
  b.socket.write(
    Buffer.concat([Buffer.from([0x82, 0x80 | 127]), len, Buffer.from([1, 2, 3, 4]), Buffer.alloc(1024)]),
  );
  for (let i = 0; i < 250 && !b.received().includes(0x88); i++) await new Promise((r) => setTimeout(r, 20));
  const got = b.received();
  b.socket.destroy();
  const close = got.indexOf(0x88);
  assert.ok(close > 0, 'a close frame came back');
  assert.equal(got.readUInt16BE(close + 2), CloseCode.messageTooBig);
  await assertStillServing(d);
});

test('before hello only small messages are read: a large or deeply nested one closes the socket unparsed', async () => {
  const big = await rawSocket(d.wsUrl, { Origin: 'null' });
  big.send(JSON.stringify({ type: 'hello', token: 'x'.repeat(Limits.maxUnauthenticatedMessageBytes) }));
  assert.equal((await big.closed).code, CloseCode.messageTooBig);
  const deep = await rawSocket(d.wsUrl, { Origin: 'null' });
  deep.send(`${'['.repeat(4000)}${']'.repeat(4000)}`);
  assert.equal(((await deep.next()).text as { code: string }).code, 'E_MALFORMED');
  assert.equal((await deep.closed).code, CloseCode.unauthorized);
  await assertStillServing(d);
});

test('a flood of tiny fragments never ending a message is cut off, with memory bounded', async () => {
  const rssBefore = rssKb(d.proc.pid!);
  const ws = new WebSocket(d.wsUrl);
  await new Promise((r) => ws.once('open', r));
  const closed = new Promise<number>((r) => ws.once('close', (code) => r(code)));
  ws.on('error', () => undefined);
  let sent = 0;
  let isClosed = false;
  void closed.then(() => {
    isClosed = true;
  });
  const one = Buffer.from('x');
  // 200,000 one-byte continuation frames: each would cost the daemon a Buffer object if it kept them.
  for (let batch = 0; batch < 200 && !isClosed; batch++) {
    for (let i = 0; i < 1000; i++) ws.send(one, { fin: false, binary: true });
    sent += 1000;
    await new Promise((r) => setImmediate(r));
    while (ws.bufferedAmount > 1 << 20 && !isClosed) await new Promise((r) => setTimeout(r, 5));
  }
  const code = await Promise.race([closed, new Promise<number>((r) => setTimeout(() => r(-1), 10_000))]);
  assert.notEqual(code, -1, `the daemon kept accepting fragments (${sent} sent)`);
  assert.ok(
    code === CloseCode.policyViolation || code === CloseCode.messageTooBig || code === 1006,
    `closed with ${code}`,
  );
  assert.ok(sent <= 20_000, `cut off after ${sent} fragments`);
  const grownMb = (rssKb(d.proc.pid!) - rssBefore) / 1024;
  assert.ok(grownMb < 100, `daemon RSS grew by ${grownMb.toFixed(1)} MB`);
  ws.terminate();
  await assertStillServing(d);
});

test('a request with more than 2000 headers is refused (431/400), not served and no crash', async () => {
  for (const [name, value] of [
    ['X', '1'],
    ['X-Header-Name', 'some value'],
  ]) {
    const c = await rawTcp(d.port);
    let req = `GET /health HTTP/1.1\r\nHost: 127.0.0.1:${d.port}\r\n`;
    for (let i = 0; i < 2500; i++) req += `${name}${i}: ${value}\r\n`;
    c.socket.write(`${req}\r\n`);
    await c.ended;
    const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(c.received().toString('latin1'))?.[1]);
    assert.ok(status === 431 || status === 400, `${name}: got ${status}`);
  }
  const up = await rawTcp(d.port);
  let req = `GET /ws HTTP/1.1\r\nHost: 127.0.0.1:${d.port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n`;
  for (let i = 0; i < 2500; i++) req += `X${i}: 1\r\n`;
  up.socket.write(`${req}\r\n`);
  await up.ended;
  assert.doesNotMatch(up.received().toString('latin1'), /^HTTP\/1\.1 101/);
  await assertStillServing(d);
});

test('slow headers and slow bodies are cut at the configured timeouts (below Node defaults)', async () => {
  const slowHead = await rawTcp(d.port);
  slowHead.socket.write(`GET /health HTTP/1.1\r\nHost: 127.0.0.1:${d.port}\r\n`);
  const trickle = setInterval(() => slowHead.socket.writable && slowHead.socket.write('X-Slow: 1\r\n'), 200);
  const headMs = await slowHead.ended;
  clearInterval(trickle);
  // Node's own default would be 60 s; the daemon is configured at 1.5 s here.
  assert.ok(headMs < fastConfig.headersTimeoutMs * 4, `headers: closed after ${headMs} ms`);
  assert.doesNotMatch(slowHead.received().toString('latin1'), /"status":"ok"/);

  const slowBody = await rawTcp(d.port);
  slowBody.socket.write(
    `POST /api/pairing-code HTTP/1.1\r\nHost: 127.0.0.1:${d.port}\r\nAuthorization: Bearer ${d.token}\r\n` +
      'Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{',
  );
  const drip = setInterval(() => slowBody.socket.writable && slowBody.socket.write(' '), 200);
  const bodyMs = await slowBody.ended;
  clearInterval(drip);
  assert.ok(bodyMs < fastConfig.requestTimeoutMs * 3, `body: closed after ${bodyMs} ms`);
  assert.doesNotMatch(slowBody.received().toString('latin1'), /"code":"\d{6}"/);
  await assertStillServing(d);
});

test('HTTP JSON over the body limit gets 413 (declared, chunked or lying), malformed or deep JSON 400 without a stack', async () => {
  const post = (body: string, headers: Record<string, string> = {}) =>
    fetch(`${d.url}/api/pairing-code`, {
      method: 'POST',
      headers: { authorization: `Bearer ${d.token}`, 'content-type': 'application/json', ...headers },
      body,
    });
  assert.equal((await post(JSON.stringify({ x: 'y'.repeat(70_000) }))).status, 413);
  const chunked = await fetch(`${d.url}/api/pairing-code`, {
    method: 'POST',
    headers: { authorization: `Bearer ${d.token}`, 'content-type': 'application/json' },
    body: new ReadableStream({
      start(ctl) {
        for (let i = 0; i < 20; i++)
          ctl.enqueue(new TextEncoder().encode(`${i === 0 ? '{"x":"' : ''}${'z'.repeat(8192)}`));
        ctl.enqueue(new TextEncoder().encode('"}'));
        ctl.close();
      },
    }),
    duplex: 'half',
  } as RequestInit);
  assert.equal(chunked.status, 413);
  const lying = await rawTcp(d.port);
  lying.socket.write(
    `POST /api/pairing-code HTTP/1.1\r\nHost: 127.0.0.1:${d.port}\r\nAuthorization: Bearer ${d.token}\r\n` +
      'Content-Type: application/json\r\nContent-Length: 999999999\r\n\r\n{',
  );
  for (let i = 0; i < 100 && !lying.received().length; i++) await new Promise((r) => setTimeout(r, 20));
  assert.match(lying.received().toString('latin1'), /^HTTP\/1\.1 413/);
  lying.socket.destroy();
  for (const body of [
    '{"a":',
    '{"a":1,}',
    '\u0000',
    '{"a":"\ud800"',
    `${'['.repeat(30_000)}`,
    `${'{"a":'.repeat(10_000)}1${'}'.repeat(9_999)}`,
  ]) {
    const r = await post(body);
    assert.equal(r.status, 400, JSON.stringify(body.slice(0, 20)));
    const text = await r.text();
    assert.doesNotMatch(text, /at \S+ \(|\.ts:\d|node_modules|SyntaxError/, 'no stack trace or internals');
    assert.equal((JSON.parse(text) as { code: string }).code, 'E_MALFORMED');
  }
  // Deep but well-formed JSON is parsed and handled (the route ignores the body).
  const deep = await post(`${'['.repeat(20_000)}${']'.repeat(20_000)}`);
  assert.ok(deep.status === 200 || deep.status === 400, `deep array: ${deep.status}`);
  await assertStillServing(d);
});

test('deeply nested or malformed JSON over the WebSocket gets E_MALFORMED/E_BAD_REQUEST and the socket stays usable', async () => {
  const s = await rawSocket(d.wsUrl);
  s.send(hello(d.token));
  await s.next();
  for (const text of [
    `${'['.repeat(500_000)}${']'.repeat(500_000)}`,
    `{"type":"queue","id":"q","x":${'['.repeat(400_000)}${']'.repeat(400_000)}}`,
    `{"type":"generate","id":"g","request":{"prompt":${'{"a":'.repeat(100_000)}1${'}'.repeat(100_000)}}}`,
    '{"type":"queue","id":"q",}',
    '{"type":"generate","request":{"prompt":"x","cfg":NaN}}',
  ]) {
    s.send(text);
    const m = (await s.next()).text as { type: string; code?: string; message?: string };
    if (m.type === 'error') {
      assert.match(m.code ?? '', /^E_(MALFORMED|BAD_REQUEST)$/);
      assert.doesNotMatch(m.message ?? '', /at \S+ \(|\.ts:\d/);
    } else assert.equal(m.type, 'queue');
  }
  s.send(JSON.stringify({ type: 'queue', id: 'after' }));
  assert.equal(((await s.next()).text as { type: string }).type, 'queue');
  s.ws.close();
  await assertStillServing(d);
});

test('a client that stops reading is closed once its unread bytes pass the bound; memory stays bounded', async () => {
  const rssBefore = rssKb(d.proc.pid!);
  const s = await rawSocket(d.wsUrl);
  s.send(hello(d.token));
  await s.next();
  const tcp = (s.ws as unknown as { _socket: import('node:net').Socket })._socket;
  tcp.pause();
  let closed = false;
  void s.closed.then(() => {
    closed = true;
  });
  // Each `presets` request is ~30 bytes; each answer is many kilobytes the client never reads.
  const req = JSON.stringify({ type: 'presets' });
  for (let i = 0; i < 200 && !closed; i++) {
    for (let j = 0; j < 50; j++) s.send(req);
    await new Promise((r) => setTimeout(r, 10));
    if (i % 20 === 19) {
      // The daemon's side of the socket is gone once it gave up on us: writes start failing.
      if (tcp.destroyed || s.ws.readyState !== WebSocket.OPEN) break;
    }
  }
  // Reading again drains what the kernel held and then meets the daemon's close.
  tcp.resume();
  const { code } = await Promise.race([
    s.closed,
    new Promise<{ code: number }>((r) => setTimeout(() => r({ code: -1 }), 15_000)),
  ]);
  assert.notEqual(code, -1, 'the daemon never gave up on a client that stopped reading');
  const grownMb = (rssKb(d.proc.pid!) - rssBefore) / 1024;
  assert.ok(grownMb < 100, `daemon RSS grew by ${grownMb.toFixed(1)} MB`);
  await assertStillServing(d);
});

test('a dead peer (never answers pings) is dropped within two ping intervals; a live one stays', async () => {
  const dead = await rawWebSocket(d.port);
  const ms = await Promise.race([dead.ended, new Promise<number>((r) => setTimeout(() => r(-1), 20_000))]);
  assert.notEqual(ms, -1, 'never dropped');
  const pings = [...dead.received().toString('latin1').matchAll(/\x89/g)].length;
  assert.ok(pings >= 1, 'it was pinged');
  // Two intervals plus scheduling slack on a busy 2-core machine.
  assert.ok(ms <= 2 * fastConfig.pingIntervalMs + 1500, `dropped after ${ms} ms`);

  const live = await rawWebSocket(d.port);
  const pong = setInterval(() => {
    if (live.received().includes(0x89) && live.socket.writable)
      live.socket.write(clientFrame(0xa, Buffer.alloc(0)));
  }, fastConfig.pingIntervalMs / 4);
  await new Promise((r) => setTimeout(r, fastConfig.pingIntervalMs * 4));
  clearInterval(pong);
  assert.equal(live.socket.destroyed, false, 'a peer that answers pings is kept');
  live.socket.destroy();
  await assertStillServing(d);
});

test('after all of the above nothing was lost: background jobs finished, models and outputs intact', async () => {
  await background?.settle();
  assertNothingLost(d.home, disk);
  await assertStillServing(d, { generate: !skipNoFixtures });
});
