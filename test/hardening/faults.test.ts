// Issue 8, item 6: faults. The pipeline process killed mid-job (as by a crash or the OOM killer)
// with jobs queued behind it, cancel of running/queued/unknown jobs, the daemon itself SIGKILLed
// mid-job and restarted, an ONNX Runtime failure from a corrupted model, a full disk while writing
// an output, and a model folder modified after install. Models are COPIES under the temporary
// home: ../shared/fixtures is never written.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import {
  closeSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { ClientError, StippleClient } from '../../shared/protocol/stipple-client';
import { startDaemon, type TestDaemon } from '../helpers/daemon';
import { repoRoot, skipNoFixtures } from '../helpers/fixtures';
import { connectClient } from '../helpers/ws-client';
import {
  assertNoPartialOutputs,
  assertNothingLost,
  assertStillServing,
  copyFixtureModel,
  fastConfig,
  snapshotDisk,
  tinyJob,
} from './daemon-integrity';

let d: TestDaemon;
let home: string;
before(async () => {
  if (skipNoFixtures) return;
  home = mkdtempSync(path.join(os.tmpdir(), 'stipple-faults-'));
  await copyFixtureModel(home, 'sd15-tiny');
  await copyFixtureModel(home, 'broken');
  await copyFixtureModel(home, 'edited');
  d = await startDaemon({ home, config: { ...fastConfig, defaultModel: 'sd15-tiny' } });
});
after(async () => {
  await d?.dispose();
  if (home) rmSync(home, { recursive: true, force: true });
});

function workerPid(parent: number): number | undefined {
  for (const p of readdirSync('/proc')) {
    if (!/^\d+$/.test(p)) continue;
    try {
      const stat = readFileSync(`/proc/${p}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === parent && readFileSync(`/proc/${p}/cmdline`, 'utf8').includes('pipeline-worker'))
        return Number(p);
    } catch {
      // gone
    }
  }
  return undefined;
}

async function progressOf(c: StippleClient, request: Record<string, unknown>) {
  let steps = 0;
  const job = c.generate({ prompt: 'fault', ...tinyJob, ...request }, {}, { onProgress: () => steps++ });
  const id = await job.jobId;
  return { job, id, steps: () => steps };
}

async function until(cond: () => boolean, what: string, ms = 60_000) {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

async function historyStatus(c: StippleClient, jobId: string): Promise<string | undefined> {
  const h = await c.request({ type: 'history', scope: 'all', limit: 500 });
  return h.type === 'history' ? h.entries.find((e) => e.jobId === jobId)?.status : undefined;
}

test('the pipeline process killed mid-job (crash or OOM kill) costs that job only; the jobs queued behind it run', {
  skip: skipNoFixtures,
}, async () => {
  const c = await connectClient(d.wsUrl, d.token, 'crash');
  const victim = await progressOf(c, { steps: 80 });
  const behind = [
    c.generate({ prompt: 'behind 1', ...tinyJob, steps: 2 }),
    c.generate({ prompt: 'behind 2', ...tinyJob, steps: 2 }),
  ];
  await until(() => victim.steps() > 0, 'the victim to run');
  const disk = snapshotDisk(home);
  const pid = workerPid(d.proc.pid!);
  assert.ok(pid, 'found the pipeline process');
  process.kill(pid, 'SIGKILL');
  await assert.rejects(victim.job.done, (e: ClientError) => e.code === 'E_WORKER_CRASHED');
  for (const b of behind) assert.equal((await b.done).images.length, 1);
  assert.equal(await historyStatus(c, victim.id), 'error');
  assert.notEqual(workerPid(d.proc.pid!), pid, 'a new pipeline process');
  assertNothingLost(home, disk);
  assertNoPartialOutputs(home);
  c.close();
});

test('a job that needs more memory than the device has (simulated: the OOM killer SIGKILLs the worker mid-job) fails; models reload; the next job runs', {
  skip: skipNoFixtures,
}, async () => {
  // Simulated, not provoked: on this 23 GB machine a real 2048² batch-8 job on the tiny model
  // reached 24 GB and the kernel's OOM killer fired — which endangers every process on the host.
  // So the kernel's response to such a job is reproduced instead: the pipeline process is
  // SIGKILLed (what the OOM killer sends) while it works on a large job.
  const c = await connectClient(d.wsUrl, d.token, 'oom');
  const big = await progressOf(c, { width: 128, height: 128, steps: 150, previewEvery: 0 });
  await until(() => big.steps() > 0, 'the large job to run in the pipeline process');
  const pid = workerPid(d.proc.pid!);
  assert.ok(pid, 'found the pipeline process');
  process.kill(pid, 'SIGKILL');
  await assert.rejects(
    big.job.done,
    (e: ClientError) => e.code === 'E_WORKER_CRASHED' && /more memory/.test(e.message),
  );
  assert.equal(await historyStatus(c, big.id), 'error');
  const next = await c.generate({
    prompt: 'after oom',
    sampler: 'euler',
    seed: 2,
    width: 128,
    height: 128,
    steps: 1,
    previewEvery: 0,
  }).done;
  assert.equal(next.images[0].width, 128); // 128² stands in for 512²: one 512² step of the tiny model takes over 20 s on 2 cores
  const health = (await (await fetch(`${d.url}/health`)).json()) as { loadedModel: string | null };
  assert.equal(health.loadedModel, 'sd15-tiny', 'the model was reloaded in the new pipeline process');
  c.close();
});

test('cancel: a running job stops at the next step with no file, a queued one never runs, an unknown id changes nothing', {
  skip: skipNoFixtures,
}, async () => {
  const c = await connectClient(d.wsUrl, d.token, 'cancel');
  const running = await progressOf(c, { steps: 60 });
  const queued = c.generate({ prompt: 'queued', ...tinyJob, steps: 2 });
  const queuedId = await queued.jobId;
  await until(() => running.steps() >= 2, 'two steps');
  // An unknown id: refused, and the running job goes on.
  const unknown = await c.request({ type: 'cancel', jobId: 'no-such-job' });
  assert.equal(unknown.type === 'error' && unknown.code, 'E_JOB_NOT_FOUND');
  const before = running.steps();
  await until(() => running.steps() > before, 'the running job to continue after the unknown cancel');
  // Another client cannot cancel it either.
  const other = await connectClient(d.wsUrl, d.token, 'other');
  const foreign = await other.request({ type: 'cancel', jobId: running.id });
  assert.equal(foreign.type === 'error' && foreign.code, 'E_JOB_NOT_FOUND');
  other.close();
  await queued.cancel();
  await assert.rejects(queued.done, (e: ClientError) => e.code === 'E_CANCELLED');
  await running.job.cancel();
  await assert.rejects(running.job.done, (e: ClientError) => e.code === 'E_CANCELLED');
  assert.ok(running.steps() < 60, 'stopped early');
  assert.equal(await historyStatus(c, running.id), 'cancelled');
  assert.equal(await historyStatus(c, queuedId), 'cancelled');
  for (const id of [running.id, queuedId]) {
    const day = new Date().toISOString().slice(0, 10);
    assert.equal(
      existsSync(path.join(home, 'outputs', day, `${id}-0.png`)),
      false,
      'no image at the final path',
    );
  }
  assertNoPartialOutputs(home);
  c.close();
});

test('an ONNX Runtime failure (a corrupted model file of the right size) is an error; the daemon keeps serving', {
  skip: skipNoFixtures,
}, async () => {
  const unet = path.join(home, 'models', 'broken', 'unet', 'model.onnx');
  assert.ok(existsSync(unet), `copy at ${unet}`);
  const size = statSync(unet).size;
  const fd = openSync(unet, 'r+');
  writeSync(fd, Buffer.alloc(Math.min(4096, size), 0xab), 0, Math.min(4096, size), 0);
  closeSync(fd);
  const c = await connectClient(d.wsUrl, d.token, 'ort');
  await assert.rejects(
    c.generate({ prompt: 'broken', ...tinyJob, steps: 1, model: 'broken' }).done,
    (e: ClientError) =>
      ['E_RUNTIME', 'E_MODEL_LAYOUT', 'E_PIPELINE'].includes(e.code) && !/at \S+ \(/.test(e.message),
  );
  const ok = await c.generate({ prompt: 'fine', ...tinyJob, steps: 1, model: 'sd15-tiny' }).done;
  assert.equal(ok.images.length, 1);
  c.close();
});

test('a model folder modified after install: a changed size is refused before load; `models verify` finds any change', {
  skip: skipNoFixtures,
}, async () => {
  const dir = path.join(home, 'models', 'edited');
  const cfg = path.join(dir, 'unet', 'config.json');
  const verify = () =>
    spawnSync(
      process.execPath,
      ['--import', 'tsx', path.join(repoRoot, 'companion/main.ts'), 'models', 'verify', 'edited'],
      {
        cwd: repoRoot,
        env: { ...process.env, STIPPLE_HOME: home },
        encoding: 'utf8',
      },
    );
  assert.equal(verify().status, 0);
  // Same size, different bytes: only the full re-hash of `models verify` can see it.
  const original = readFileSync(cfg);
  const flipped = Buffer.from(original);
  flipped[flipped.length - 2] = flipped[flipped.length - 2] === 0x20 ? 0x0a : 0x20;
  writeFileSync(cfg, flipped);
  const r1 = verify();
  assert.equal(r1.status, 1);
  assert.match(r1.stdout, /unet\/config\.json: corrupt/);
  // A changed size is caught before every load: the job is refused before it is queued.
  writeFileSync(cfg, Buffer.concat([original, Buffer.from(' ')]));
  const c = await connectClient(d.wsUrl, d.token, 'edited');
  await assert.rejects(
    c.generate({ prompt: 'edited', ...tinyJob, steps: 1, model: 'edited' }).jobId,
    (e: ClientError) => e.code === 'E_MODEL_CHECKSUM' && e.field === 'request.model',
  );
  const r2 = verify();
  assert.equal(r2.status, 1);
  assert.match(r2.stdout, /unet\/config\.json: wrong size/);
  writeFileSync(cfg, original);
  assert.equal(verify().status, 0);
  c.close();
});

test('the daemon SIGKILLed mid-job and restarted: history intact, no partial PNG, the job reported interrupted', {
  skip: skipNoFixtures,
}, async () => {
  const c = await connectClient(d.wsUrl, d.token, 'restart');
  const finished = await c.generate({ prompt: 'kept', ...tinyJob, steps: 1 }).done;
  const victim = await progressOf(c, { steps: 80 });
  await until(() => victim.steps() > 0, 'the victim to run');
  const disk = snapshotDisk(home);
  const worker = workerPid(d.proc.pid!);
  await d.stop('SIGKILL');
  c.close();
  await until(
    () => worker === undefined || !existsSync(`/proc/${worker}`),
    'the orphaned pipeline process to exit',
    10_000,
  );
  await d.restart();
  assertNothingLost(home, disk);
  assertNoPartialOutputs(home);
  const again = await connectClient(d.wsUrl, d.token, 'restart');
  assert.equal(await historyStatus(again, victim.id), 'interrupted');
  assert.equal(await historyStatus(again, finished.done.jobId), 'done');
  const got = await again.request({ type: 'history_get', jobId: victim.id });
  assert.equal(got.type === 'error' && got.code, 'E_INTERRUPTED');
  again.close();
  await assertStillServing(d, { generate: true });
});

/** A tmpfs for outputs/ needs root; where mounting is not allowed the test skips with the reason. */
function tryMountTmpfs(dir: string, size: string): string | null {
  mkdirSync(dir, { recursive: true });
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir], { stdio: 'pipe' });
    return null;
  } catch (e) {
    return `cannot mount a tmpfs to fill (${String((e as Error).message).split('\n')[0]})`;
  }
}

test('disk full while writing an output: the job fails with E_DISK_FULL, no truncated file is kept, and the next job runs once space is back', {
  skip: skipNoFixtures,
}, async (t) => {
  const fullHome = mkdtempSync(path.join(os.tmpdir(), 'stipple-diskfull-'));
  const outputs = path.join(fullHome, 'outputs');
  const why = tryMountTmpfs(outputs, '192k');
  if (why) {
    rmSync(fullHome, { recursive: true, force: true });
    t.skip(why);
    return;
  }
  let full: TestDaemon | null = null;
  try {
    await copyFixtureModel(fullHome, 'sd15-tiny');
    full = await startDaemon({ home: fullHome, config: fastConfig });
    const c = await connectClient(full.wsUrl, full.token, 'disk');
    await c.generate({ prompt: 'fits', ...tinyJob, steps: 1 }).done; // warm: the worker is up
    // Leave about 2 KiB: the job's record fits, its PNG does not.
    const filler = path.join(outputs, 'filler');
    const fd = openSync(filler, 'w');
    try {
      for (;;) writeSync(fd, Buffer.alloc(1024));
    } catch {
      // ENOSPC: full
    }
    closeSync(fd);
    const st = statSync(filler);
    writeFileSync(filler, Buffer.alloc(Math.max(0, st.size - 3 * 1024)));
    await assert.rejects(
      c.generate({ prompt: 'no room', ...tinyJob, steps: 1 }).done,
      (e: ClientError) => e.code === 'E_DISK_FULL',
    );
    for (const f of readdirSync(outputs, { recursive: true }) as string[]) {
      assert.ok(!f.endsWith('.tmp'), `temporary file kept: ${f}`);
    }
    assertNoPartialOutputs(fullHome);
    rmSync(filler);
    const next = await c.generate({ prompt: 'room again', ...tinyJob, steps: 1 }).done;
    assert.equal(next.images.length, 1);
    c.close();
  } finally {
    await full?.stop();
    spawnSync('umount', [outputs]);
    rmSync(fullHome, { recursive: true, force: true });
  }
});
