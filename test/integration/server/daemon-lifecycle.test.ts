import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { PROTOCOL_VERSION } from '../../../shared/protocol/version';
import { startDaemon, type TestDaemon } from '../../helpers/daemon';
import { repoRoot } from '../../helpers/fixtures';

let d: TestDaemon;
before(async () => {
  d = await startDaemon();
});
after(async () => {
  await d?.dispose();
});

test('stipple serve writes a default config and answers /health', async () => {
  assert.ok(existsSync(path.join(d.home, 'config.json')));
  const res = await fetch(`${d.url}/health`);
  assert.equal(res.status, 200);
  const h = (await res.json()) as Record<string, unknown>;
  assert.equal(h.status, 'ok');
  assert.equal(h.protocolVersion, PROTOCOL_VERSION);
  assert.equal(typeof h.version, 'string');
  assert.ok(Array.isArray(h.executionProviders));
  assert.equal(h.queueLength, 0);
  assert.ok('loadedModel' in h);
});

test('the status page says how to pair and lists the catalog', async () => {
  const res = await fetch(`${d.url}/`);
  assert.equal(res.status, 200);
  const html = await res.text();
  assert.match(html, /npx stipple pair/);
  assert.match(html, /sd-turbo/);
  assert.match(res.headers.get('content-security-policy') ?? '', /default-src 'none'/);
});

test('stipple pair prints a code from the running daemon', () => {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'companion/main.ts', 'pair', '--json'], {
    cwd: repoRoot,
    env: { ...process.env, STIPPLE_HOME: d.home },
    encoding: 'utf8',
  });
  assert.equal(r.status, 0, r.stderr);
  assert.match(JSON.parse(r.stdout).code, /^\d{6}$/);
});

test('stipple pair without a running daemon says how to start it', () => {
  const home = mkdtempSync(path.join(os.tmpdir(), 'stipple-nodaemon-'));
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'companion/main.ts', 'pair'], {
    cwd: repoRoot,
    env: { ...process.env, STIPPLE_HOME: home },
    encoding: 'utf8',
  });
  assert.equal(r.status, 1);
  assert.match(r.stderr, /not running.*npm start/);
});

test('an invalid config is a clear error naming the key', () => {
  const home = mkdtempSync(path.join(os.tmpdir(), 'stipple-badcfg-'));
  writeFileSync(path.join(home, 'config.json'), JSON.stringify({ port: 'eighty' }));
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'companion/main.ts', 'serve'], {
    cwd: repoRoot,
    env: { ...process.env, STIPPLE_HOME: home },
    encoding: 'utf8',
    timeout: 20_000,
  });
  assert.equal(r.status, 1);
  assert.match(r.stderr, /key `port`/);
  writeFileSync(path.join(home, 'config.json'), '{\n  "port": 1,\n  oops\n}');
  const r2 = spawnSync(process.execPath, ['--import', 'tsx', 'companion/main.ts', 'serve'], {
    cwd: repoRoot,
    env: { ...process.env, STIPPLE_HOME: home },
    encoding: 'utf8',
    timeout: 20_000,
  });
  assert.equal(r2.status, 1);
  assert.match(r2.stderr, /not valid JSON at line 3/);
});

test('a non-loopback --host is refused without --allow-remote', () => {
  const home = mkdtempSync(path.join(os.tmpdir(), 'stipple-remote-'));
  const r = spawnSync(
    process.execPath,
    ['--import', 'tsx', 'companion/main.ts', 'serve', '--host', '0.0.0.0', '--port', '0'],
    {
      cwd: repoRoot,
      env: { ...process.env, STIPPLE_HOME: home },
      encoding: 'utf8',
      timeout: 20_000,
    },
  );
  assert.equal(r.status, 1);
  assert.match(r.stderr, /only loopback unless --allow-remote/);
});

test('every command has --help', () => {
  for (const cmd of [[], ['serve'], ['pair'], ['models']]) {
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'companion/main.ts', ...cmd, '--help'], {
      cwd: repoRoot,
      encoding: 'utf8',
    });
    assert.equal(r.status, 0, `${cmd.join(' ')}: ${r.stderr}`);
    assert.match(r.stdout, /Usage: stipple/);
  }
});

test('SIGTERM stops the daemon and removes daemon.json', async () => {
  const e = await startDaemon();
  await e.stop();
  assert.equal(existsSync(path.join(e.home, 'daemon.json')), false);
  await e.dispose();
});
