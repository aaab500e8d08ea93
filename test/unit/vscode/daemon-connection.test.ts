import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DaemonConnection } from '../../../plugins/vscode/src/host/daemon-connection';
import type { StatusView } from '../../../plugins/vscode/src/host/status-text';
import type { ConnectionState, SocketLike } from '../../../shared/protocol/stipple-client';
import { FakeSecretStorage } from './fake-vscode';

/** A socket whose behaviour is scripted per test: refuse, or answer hello/pair. */
class ScriptedSocket implements SocketLike {
  binaryType = 'arraybuffer';
  readyState = 0;
  onopen: ((ev: unknown) => void) | null = null;
  onclose: ((ev: { code: number; reason: string }) => void) | null = null;
  onerror: ((ev: unknown) => void) | null = null;
  onmessage: ((ev: { data: unknown }) => void) | null = null;
  readonly sent: unknown[] = [];
  constructor(
    private readonly script: (s: ScriptedSocket, msg: Record<string, unknown>) => void,
    refuse: boolean,
  ) {
    setTimeout(() => {
      if (refuse) {
        this.onerror?.({});
        this.onclose?.({ code: 1006, reason: '' });
        return;
      }
      this.readyState = 1;
      this.onopen?.({});
    }, 1);
  }
  send(data: string | Uint8Array): void {
    const msg = JSON.parse(String(data)) as Record<string, unknown>;
    this.sent.push(msg);
    this.script(this, msg);
  }
  reply(m: unknown): void {
    setTimeout(() => this.onmessage?.({ data: JSON.stringify(m) }), 1);
  }
  close(code = 1000, reason = ''): void {
    if (this.readyState === 3) return;
    this.readyState = 3;
    setTimeout(() => this.onclose?.({ code, reason }), 1);
  }
}

const welcome = {
  type: 'welcome',
  replyTo: 'hello',
  clientId: 'c1',
  serverInfo: {
    name: 'stipple',
    version: '0.1.0',
    protocolVersion: 1,
    executionProviders: ['cpu'],
    executionProvider: null,
    loadedModel: null,
    defaultModel: null,
    queueLength: 0,
  },
};

function setup(opts: { up: () => boolean; files?: Record<string, string>; goodToken?: string }) {
  const secrets = new FakeSecretStorage();
  const views: StatusView[] = [];
  const states: ConnectionState[] = [];
  const conn = new DaemonConnection({
    createSocket: () =>
      new ScriptedSocket((s, m) => {
        if (m.type === 'hello') {
          if (m.token === (opts.goodToken ?? 'tok')) s.reply(welcome);
          else s.close(4001, 'bad token');
        } else if (m.type === 'pair') {
          if (m.code === '123456') s.reply({ type: 'paired', token: 'paired-tok', tokenId: 't2' });
          else s.reply({ type: 'error', code: 'E_PAIRING_CODE', message: 'wrong code' });
        }
      }, !opts.up()),
    secrets,
    log: (l) => process.env.DEBUG_CONN && console.log(l),
    onStatus: (v, s) => {
      views.push(v);
      states.push(s);
    },
    readText: async (p) => opts.files?.[p],
    daemonAddress: () => '127.0.0.1:7999',
    env: { STIPPLE_HOME: '/h' },
    platform: 'linux',
    homedir: '/u',
    clientVersion: 'test',
    reconnect: { minMs: 5, maxMs: 20 },
    heartbeatMs: 0,
  });
  return { conn, secrets, views, states };
}

async function waitFor(pred: () => boolean, ms = 2000): Promise<void> {
  const end = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('daemon connection in the extension host', () => {
  it('connects with the token file of the local daemon and says "connected"', async () => {
    const { conn, views } = setup({ up: () => true, files: { '/h/token': 'tok\n' } });
    await conn.start();
    await waitFor(() => conn.connectionState === 'connected');
    assert.match(views.at(-1)?.text ?? '', /connected$/);
    conn.dispose();
  });
  it('says "daemon not running" without flickering while retrying, then connects when it starts', async () => {
    let up = false;
    const { conn, states } = setup({ up: () => up, files: { '/h/token': 'tok' } });
    await conn.start();
    await waitFor(() => conn.connectionState === 'daemon_unreachable');
    await new Promise((r) => setTimeout(r, 60)); // several backoff attempts
    const afterFirst = states.slice(states.indexOf('daemon_unreachable'));
    assert.deepEqual([...new Set(afterFirst)], ['daemon_unreachable']);
    up = true;
    await waitFor(() => conn.connectionState === 'connected');
    conn.dispose();
  });
  it('picks up a token file written after the first attempt (daemon started later)', async () => {
    let up = false;
    const files: Record<string, string> = {};
    const { conn } = setup({ up: () => up, files });
    await conn.start();
    await waitFor(() => conn.connectionState === 'daemon_unreachable');
    files['/h/token'] = 'tok';
    up = true;
    await waitFor(() => conn.connectionState === 'connected');
    conn.dispose();
  });
  it('a refused token shows "unauthorized" and clicking it offers pairing', async () => {
    const { conn, views } = setup({ up: () => true, files: { '/h/token': 'wrong' } });
    await conn.start();
    await waitFor(() => conn.connectionState === 'unauthorized');
    assert.equal(views.at(-1)?.command, 'stipple.pair');
    conn.dispose();
  });
  it('pairing stores the token in SecretStorage (per daemon URL) and reconnects with it', async () => {
    const { conn, secrets } = setup({ up: () => true, goodToken: 'paired-tok' });
    await conn.start();
    await waitFor(() => conn.connectionState === 'unauthorized');
    await conn.pair(' 123456 ');
    assert.equal(await secrets.get('stipple.token:ws://127.0.0.1:7999/ws'), 'paired-tok');
    await waitFor(() => conn.connectionState === 'connected');
    conn.dispose();
  });
  it('a wrong pairing code is an error and stores nothing', async () => {
    const { conn, secrets } = setup({ up: () => true });
    await conn.start();
    await assert.rejects(conn.pair('000000'), /wrong code/);
    assert.equal((await secrets.keys()).length, 0);
    conn.dispose();
  });
  it('shows "generating 12/30" while a job reports progress', async () => {
    const { conn, views } = setup({ up: () => true, files: { '/h/token': 'tok' } });
    await conn.start();
    await waitFor(() => conn.connectionState === 'connected');
    conn.setJobProgress({ step: 12, steps: 30, image: 0, images: 1 });
    assert.match(views.at(-1)?.text ?? '', /generating 12\/30$/);
    conn.setJobProgress(undefined);
    assert.match(views.at(-1)?.text ?? '', /connected$/);
    conn.dispose();
  });
});
