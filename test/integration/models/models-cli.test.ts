// Drives `stipple models …` as a separate process against the local fake hub: a pull killed
// with SIGKILL mid-file resumes on the next run, and errors print their stable code.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { startFakeHub } from '../../helpers/fake-hub.js';
import { fixturePath, repoRoot, skipNoFixtures } from '../../helpers/fixtures.js';

const REPO = 'stipple-test/sd15-tiny';
const ID = 'stipple-test--sd15-tiny';
const BIG = 'unet/weights.pb';
const ENTRY = path.join(repoRoot, 'companion', 'models', 'models-standalone.ts');

function runCli(
  args: string[],
  env: Record<string, string>,
): { child: ChildProcess; done: Promise<CliResult> } {
  const child = spawn(process.execPath, ['--import', 'tsx', ENTRY, 'models', ...args], {
    cwd: repoRoot,
    env: { ...process.env, ...env, STIPPLE_LOG_LEVEL: 'silent' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d: Buffer) => {
    stdout += d.toString();
  });
  child.stderr?.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const done = new Promise<CliResult>((resolve) => {
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  return { child, done };
}

interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

async function waitFor(cond: () => boolean, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > until) throw new Error('timed out waiting for condition');
    await new Promise((r) => setTimeout(r, 20));
  }
}

test('a pull killed with SIGKILL mid-file resumes on the next run', {
  skip: skipNoFixtures,
  timeout: 120_000,
}, async (t) => {
  const hub = await startFakeHub({
    repo: REPO,
    dir: fixturePath('tiny-sd', 'sd15-tiny'),
    throttleBytesPerSec: 1024 * 1024,
  });
  t.after(() => hub.close());
  const home = await mkdtemp(path.join(os.tmpdir(), 'stipple-cli-'));
  t.after(() => rm(home, { recursive: true, force: true }));
  const env = { STIPPLE_HOME: home, HF_ENDPOINT: hub.endpoint };
  const size = hub.file(BIG).content.length;

  // 1. Start, wait until a good part of the big file has been sent, kill -9.
  const first = runCli(['pull', REPO], env);
  await waitFor(() => hub.bytesServed(BIG) > size / 3, 60_000);
  first.child.kill('SIGKILL');
  const killed = await first.done;
  assert.equal(killed.signal, 'SIGKILL');
  const partial = path.join(home, 'models', '.staging', ID, 'unet', 'weights.pb.incomplete');
  const kept = statSync(partial).size;
  assert.ok(kept > 0 && kept < size, `partial file holds ${kept} of ${size} bytes`);

  // 2. Nothing is listed while only a partial download exists.
  const listed = await runCli(['list', '--json'], env).done;
  assert.equal(listed.code, 0, listed.stderr);
  assert.deepEqual(JSON.parse(listed.stdout), []);

  // 3. Run again: it resumes with Range, so the big file costs less than its size.
  hub.throttleBytesPerSec = 0;
  const before = hub.bytesServed(BIG);
  const second = await runCli(['pull', REPO], env).done;
  assert.equal(second.code, 0, second.stderr);
  assert.match(second.stdout, new RegExp(`installed ${ID}`));
  const resumedBytes = hub.bytesServed(BIG) - before;
  assert.ok(resumedBytes < size, `second run transferred ${resumedBytes} bytes of ${size}`);
  assert.ok(hub.contentRequests(BIG).at(-1)?.range?.startsWith('bytes='));

  // 4. The installed copy is byte-identical to the fixture, listed and verifiable.
  for (const f of hub.files) {
    const got = readFileSync(path.join(home, 'models', ID, ...f.path.split('/')));
    assert.ok(got.equals(f.content), `${f.path} differs from the fixture`);
  }
  const list = await runCli(['list', '--json'], env).done;
  assert.deepEqual(
    JSON.parse(list.stdout).map((m: { id: string }) => m.id),
    [ID],
  );
  const verify = await runCli(['verify', ID], env).done;
  assert.equal(verify.code, 0, verify.stderr);
  assert.match(verify.stdout, /files OK/);
});

test('CLI errors print the stable code and exit non-zero', {
  skip: skipNoFixtures,
  timeout: 60_000,
}, async (t) => {
  const home = await mkdtemp(path.join(os.tmpdir(), 'stipple-cli-'));
  t.after(() => rm(home, { recursive: true, force: true }));
  const env = { STIPPLE_HOME: home, HF_ENDPOINT: 'http://127.0.0.1:9' };
  const unknown = await runCli(['pull', 'no-such-model'], env).done;
  assert.equal(unknown.code, 1);
  assert.match(unknown.stderr, /error \[E_MODEL_NOT_FOUND\]: unknown model "no-such-model"/);

  const malformed = await runCli(['pull', 'a/b/c'], env).done;
  assert.equal(malformed.code, 1);
  assert.match(malformed.stderr, /error \[E_BAD_REQUEST\]/);

  const notModel = await runCli(['import', fixturePath('tiny-sd', 'sd15-tiny', 'unet')], env).done;
  assert.equal(notModel.code, 1);
  assert.match(notModel.stderr, /error \[E_MODEL_LAYOUT\]: .*missing "model_index\.json"/);

  const imported = await runCli(['import', fixturePath('tiny-sd', 'sd15-tiny'), '--id', 'tiny'], env).done;
  assert.equal(imported.code, 0, imported.stderr);
  const rmOut = await runCli(['rm', 'tiny'], env).done;
  assert.equal(rmOut.code, 0, rmOut.stderr);
  const rmAgain = await runCli(['rm', 'tiny'], env).done;
  assert.match(rmAgain.stderr, /error \[E_MODEL_NOT_FOUND\]/);
});
