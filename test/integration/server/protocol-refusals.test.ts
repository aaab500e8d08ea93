// Each refused case is answered as the protocol says, and the daemon keeps serving the next client.
import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, test } from 'node:test';
import WebSocket from 'ws';
import { encodeBinaryFrame } from '../../../shared/protocol/binary-frame';
import { Limits } from '../../../shared/protocol/limits';
import { CloseCode, PROTOCOL_VERSION } from '../../../shared/protocol/version';
import { startDaemon, type TestDaemon } from '../../helpers/daemon';
import { connectClient, rawSocket } from '../../helpers/ws-client';

let d: TestDaemon;
before(async () => {
  d = await startDaemon();
});
after(async () => {
  await d?.dispose();
});

const hello = (token: string, protocolVersion = PROTOCOL_VERSION) =>
  JSON.stringify({ type: 'hello', id: 'h', token, client: { name: 'test' }, protocolVersion });

async function stillServing() {
  const res = await fetch(`${d.url}/health`);
  assert.equal(res.status, 200);
  const c = await connectClient(d.wsUrl, d.token);
  const q = await c.request({ type: 'queue' });
  assert.equal(q.type, 'queue');
  c.close();
}

function httpGet(headers: Record<string, string | undefined>): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: d.port, path: '/health', headers }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}

test('HTTP requests with a foreign Origin or Host get 403', async () => {
  const port = d.port;
  for (const headers of [
    { origin: 'https://evil.example' },
    { origin: `http://localhost:${port}.evil.com` },
    { host: `attacker.example:${port}` },
    { host: `localhost.evil.com:${port}` },
    { host: `127.0.0.1.nip.io:${port}` },
  ]) {
    assert.equal(await httpGet(headers), 403, JSON.stringify(headers));
  }
  assert.equal(await httpGet({ origin: 'null' }), 200);
  await stillServing();
});

test('WebSocket upgrades with a foreign Origin or Host are refused with 403 before any work', async () => {
  for (const headers of [{ Origin: 'https://evil.example' }, { Host: `attacker.example:${d.port}` }] as Array<
    Record<string, string>
  >) {
    await assert.rejects(rawSocket(d.wsUrl, headers), (e: Error & { status?: number }) => e.status === 403);
  }
  await stillServing();
});

test('Origin null (the Figma iframe) may connect but still needs a token', async () => {
  const s = await rawSocket(d.wsUrl, { Origin: 'null' });
  s.send(JSON.stringify({ type: 'queue', id: 'q' }));
  const m = (await s.next()).text as { type: string; code: string };
  assert.equal(m.code, 'E_NOT_AUTHENTICATED');
  assert.equal((await s.closed).code, CloseCode.unauthorized);
});

test('a wrong token closes with 4001', async () => {
  const s = await rawSocket(d.wsUrl);
  s.send(hello('not-the-token'));
  const m = (await s.next()).text as { code: string };
  assert.equal(m.code, 'E_UNAUTHORIZED');
  assert.equal((await s.closed).code, CloseCode.unauthorized);
  await stillServing();
});

test('a wrong protocol version closes with 4002', async () => {
  const s = await rawSocket(d.wsUrl);
  s.send(hello(d.token, PROTOCOL_VERSION + 1));
  assert.equal(((await s.next()).text as { code: string }).code, 'E_VERSION_MISMATCH');
  assert.equal((await s.closed).code, CloseCode.versionMismatch);
});

test('a binary frame before hello closes with 4001', async () => {
  const s = await rawSocket(d.wsUrl);
  s.send(Buffer.from(encodeBinaryFrame({ kind: 'attachment', ref: 'a' }, new Uint8Array(4))));
  assert.equal(((await s.next()).text as { code: string }).code, 'E_NOT_AUTHENTICATED');
  assert.equal((await s.closed).code, CloseCode.unauthorized);
  await stillServing();
});

test('after hello, malformed JSON, unknown types and bad fields get errors and the socket stays usable', async () => {
  const s = await rawSocket(d.wsUrl);
  s.send(hello(d.token));
  assert.equal(((await s.next()).text as { type: string }).type, 'welcome');
  s.send('{not json');
  assert.equal(((await s.next()).text as { code: string }).code, 'E_MALFORMED');
  s.send(JSON.stringify({ type: 'launch_missiles', id: 'x' }));
  const unknown = (await s.next()).text as { code: string; replyTo: string };
  assert.equal(unknown.code, 'E_UNKNOWN_TYPE');
  assert.equal(unknown.replyTo, 'x');
  s.send(JSON.stringify({ type: 'generate', id: 'g', request: { prompt: 'a cat', width: 513 } }));
  const bad = (await s.next()).text as { code: string; field: string; message: string };
  assert.equal(bad.code, 'E_BAD_REQUEST');
  assert.equal(bad.field, 'request.width');
  assert.match(bad.message, /multiple of 8, got 513/);
  s.send(Buffer.from('garbage binary'));
  assert.equal(((await s.next()).text as { code: string }).code, 'E_ATTACHMENT');
  s.send(JSON.stringify({ type: 'queue', id: 'q' }));
  assert.equal(((await s.next()).text as { type: string }).type, 'queue');
  s.ws.close();
});

test('a text message over the size limit closes with 1009', async () => {
  const s = await rawSocket(d.wsUrl);
  s.send(hello(d.token));
  await s.next();
  s.send(JSON.stringify({ type: 'tokenize', text: 'x'.repeat(Limits.maxTextMessageBytes + 10) }));
  assert.equal((await s.closed).code, CloseCode.messageTooBig);
  await stillServing();
});

test('pairing: no active code, wrong codes, the 6th attempt, then a fresh code works', async () => {
  const pair = async (code: string) => {
    const s = await rawSocket(d.wsUrl);
    s.send(JSON.stringify({ type: 'pair', code, client: { name: 'figma' } }));
    const m = (await s.next()).text as { type: string; code?: string; message?: string; token?: string };
    s.ws.close();
    return m;
  };
  const first = await pair('123456');
  assert.equal(first.code, 'E_PAIRING_CODE');
  const code = await d.pairingCode();
  const wrong = code === '000000' ? '111111' : '000000';
  for (let i = 0; i < 5; i++) assert.equal((await pair(wrong)).code, 'E_PAIRING_CODE');
  const sixth = await pair(code);
  assert.equal(sixth.code, 'E_PAIRING_CODE', 'the right code is void after 5 wrong attempts');
  assert.match(sixth.message ?? '', /too many wrong attempts|no pairing code/);
  const fresh = await d.pairingCode();
  const ok = await pair(fresh);
  assert.equal(ok.type, 'paired');
  const c = await connectClient(d.wsUrl, ok.token!, 'figma');
  const list = await c.request({ type: 'tokens_list' });
  assert.equal(list.type, 'tokens_list');
  if (list.type === 'tokens_list')
    assert.equal(list.tokens.length, 1, 'a paired client sees only its own token');
  const other = await c.request({ type: 'token_revoke', tokenId: 'primary' });
  assert.equal(other.type === 'error' && other.code, 'E_UNAUTHORIZED', 'and cannot revoke the token file');
  c.close();
});

test('revoking a paired token cuts its open sessions', async () => {
  const code = await d.pairingCode();
  const s = await rawSocket(d.wsUrl);
  s.send(JSON.stringify({ type: 'pair', code, client: { name: 'vscode' } }));
  const paired = (await s.next()).text as { token: string; tokenId: string };
  const victim = await rawSocket(d.wsUrl);
  victim.send(hello(paired.token));
  assert.equal(((await victim.next()).text as { type: string }).type, 'welcome');
  const admin = await connectClient(d.wsUrl, d.token, 'admin');
  const r = await admin.request({ type: 'token_revoke', tokenId: paired.tokenId });
  assert.equal(r.type, 'token_revoked');
  assert.equal((await victim.closed).code, CloseCode.tokenRevoked);
  admin.close();
});

test('state-changing HTTP routes need the token and a JSON body (no text/plain CSRF)', async () => {
  const noToken = await fetch(`${d.url}/api/pairing-code`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{}',
  });
  assert.equal(noToken.status, 401);
  const textPlain = await fetch(`${d.url}/api/pairing-code`, {
    method: 'POST',
    headers: { authorization: `Bearer ${d.token}`, 'content-type': 'text/plain' },
    body: '{}',
  });
  assert.equal(textPlain.status, 415);
  const tooBig = await fetch(`${d.url}/api/pairing-code`, {
    method: 'POST',
    headers: { authorization: `Bearer ${d.token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ x: 'y'.repeat(100_000) }),
  });
  assert.equal(tooBig.status, 413);
  const malformed = await fetch(`${d.url}/api/pairing-code`, {
    method: 'POST',
    headers: { authorization: `Bearer ${d.token}`, 'content-type': 'application/json' },
    body: '{"a":',
  });
  assert.equal(malformed.status, 400);
  assert.doesNotMatch(await malformed.text(), /at .*\.ts/);
  await stillServing();
});

test('WebSocket on another path is 404', async () => {
  await assert.rejects(
    new Promise((resolve, reject) => {
      const ws = new WebSocket(`ws://127.0.0.1:${d.port}/other`);
      ws.on('open', resolve);
      ws.on('unexpected-response', (_q, res) => reject(new Error(String(res.statusCode))));
      ws.on('error', reject);
    }),
    /404/,
  );
});
