import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { normalizeDaemonAddress, resolveEndpoint } from '../../../plugins/vscode/src/host/daemon-endpoint';

function files(map: Record<string, string>) {
  return async (p: string) => map[p];
}

describe('daemon address and token', () => {
  it('normalizes host:port and ws URLs to …/ws', () => {
    assert.equal(normalizeDaemonAddress('127.0.0.1:9000'), 'ws://127.0.0.1:9000/ws');
    assert.equal(normalizeDaemonAddress('ws://localhost:7787'), 'ws://localhost:7787/ws');
    assert.equal(normalizeDaemonAddress('ws://box:1/custom'), 'ws://box:1/custom');
    assert.equal(normalizeDaemonAddress('  '), null);
    assert.equal(normalizeDaemonAddress('ws://[bad'), null);
  });
  it('with no setting, the port comes from STIPPLE_HOME/daemon.json and the token from its token file', async () => {
    const ep = await resolveEndpoint({
      setting: '',
      env: { STIPPLE_HOME: '/h' },
      platform: 'linux',
      homedir: '/home/u',
      readText: files({
        '/h/daemon.json': '{"pid":1,"host":"127.0.0.1","port":40123}',
        '/h/token': 'tok-123\n',
      }),
    });
    assert.deepEqual(ep, {
      url: 'ws://127.0.0.1:40123/ws',
      fileToken: 'tok-123',
      isLocal: true,
      configDir: '/h',
    });
  });
  it('falls back to the default port and the platform config folder', async () => {
    const ep = await resolveEndpoint({
      setting: '',
      env: {},
      platform: 'linux',
      homedir: '/home/u',
      readText: files({ '/home/u/.config/stipple/token': 'abc' }),
    });
    assert.equal(ep.url, 'ws://127.0.0.1:7787/ws');
    assert.equal(ep.fileToken, 'abc');
  });
  it('a remote daemon never gets the local token file: it must be paired', async () => {
    const ep = await resolveEndpoint({
      setting: 'gpu-box:7787',
      env: { STIPPLE_HOME: '/h' },
      platform: 'linux',
      homedir: '/home/u',
      readText: files({ '/h/token': 'local-secret' }),
    });
    assert.equal(ep.isLocal, false);
    assert.equal(ep.fileToken, undefined);
  });
  it('a half-written daemon.json does not break the connection', async () => {
    const ep = await resolveEndpoint({
      setting: '',
      env: { STIPPLE_HOME: '/h' },
      platform: 'linux',
      homedir: '/u',
      readText: files({ '/h/daemon.json': '{"port": 4' }),
    });
    assert.equal(ep.url, 'ws://127.0.0.1:7787/ws');
  });
});
