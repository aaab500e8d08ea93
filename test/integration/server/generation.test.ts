// End to end through the real daemon, the real pipeline process and the tiny fixture model.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { ClientError } from '../../../shared/protocol/stipple-client';
import { startDaemon, type TestDaemon } from '../../helpers/daemon';
import { skipNoFixtures } from '../../helpers/fixtures';
import { connectClient } from '../../helpers/ws-client';

let d: TestDaemon;
before(async () => {
  if (skipNoFixtures) return;
  d = await startDaemon({ models: { 'sd15-tiny': 'sd15-tiny' } });
});
after(async () => {
  await d?.dispose();
});

const small = { width: 64, height: 64, steps: 4, sampler: 'euler' as const, seed: 7 };

test('txt2img through the daemon: progress, PNG result with parameters, done with the seed', {
  skip: skipNoFixtures,
}, async () => {
  const c = await connectClient(d.wsUrl, d.token);
  const steps: number[] = [];
  const job = c.generate({ prompt: 'a lighthouse', ...small }, {}, { onProgress: (p) => steps.push(p.step) });
  const { done, images } = await job.done;
  assert.deepEqual(steps, [1, 2, 3, 4]);
  assert.equal(done.seed, 7);
  assert.equal(done.params.model, 'sd15-tiny');
  assert.equal(images.length, 1);
  assert.equal(images[0].width, 64);
  assert.deepEqual([...images[0].png.subarray(1, 4)], [0x50, 0x4e, 0x47]);
  assert.match(Buffer.from(images[0].png).toString('latin1'), /parameters\0a lighthouse/);
  assert.ok(existsSync(path.join(d.home, 'outputs', done.images[0].file)));
  const health = (await (await fetch(`${d.url}/health`)).json()) as {
    loadedModel: string | null;
    executionProvider: string | null;
  };
  assert.ok(health.loadedModel, 'the loaded model is reported');
  assert.equal(health.executionProvider, done.executionProvider, 'and the provider it runs on');
  c.close();
});

test('a client that disconnects mid-job fetches the result later from history', {
  skip: skipNoFixtures,
}, async () => {
  const a = await connectClient(d.wsUrl, d.token, 'figma');
  const job = a.generate({ prompt: 'a bridge', ...small, steps: 6 });
  const jobId = await job.jobId;
  a.close();
  const b = await connectClient(d.wsUrl, d.token, 'figma');
  let entry: { status: string } | undefined;
  for (let i = 0; i < 100 && entry?.status !== 'done'; i++) {
    await new Promise((r) => setTimeout(r, 200));
    const h = await b.request({ type: 'history' });
    assert.equal(h.type, 'history');
    if (h.type === 'history') entry = h.entries.find((e) => e.jobId === jobId);
  }
  assert.equal(entry?.status, 'done');
  const got = await new Promise<number>((resolve) => {
    const off = b.onMessage((m) => {
      if (m.type === 'done' && m.jobId === jobId) {
        off();
        resolve(m.images.length);
      }
    });
    void b.request({ type: 'history_get', jobId }).catch(() => undefined);
  });
  assert.equal(got, 1);
  b.close();
});

test('cancelling the running job stops it and writes no result; the next job runs', {
  skip: skipNoFixtures,
}, async () => {
  const c = await connectClient(d.wsUrl, d.token);
  let progressed = 0;
  const long = c.generate({ prompt: 'slow', ...small, steps: 60 }, {}, { onProgress: () => progressed++ });
  const id = await long.jobId;
  while (progressed < 2) await new Promise((r) => setTimeout(r, 50));
  await long.cancel();
  await assert.rejects(long.done, (e: ClientError) => e.code === 'E_CANCELLED');
  assert.ok(progressed < 60);
  const next = await c.generate({ prompt: 'after cancel', ...small }).done;
  assert.equal(next.images.length, 1);
  const h = await c.request({ type: 'history' });
  const rec = h.type === 'history' ? h.entries.find((e) => e.jobId === id) : undefined;
  assert.equal(rec?.status, 'cancelled');
  assert.equal(rec?.images.length, 0);
  c.close();
});

test('a generate with a bad field is refused before queueing, naming the field', {
  skip: skipNoFixtures,
}, async () => {
  const c = await connectClient(d.wsUrl, d.token);
  const bad = c.generate({ prompt: 'x', ...small, model: '../../x' });
  await assert.rejects(
    bad.jobId,
    (e: ClientError) => e.code === 'E_BAD_REQUEST' && e.field === 'request.model',
  );
  const missing = c.generate({ prompt: 'x', ...small, model: 'not-installed' });
  await assert.rejects(missing.jobId, (e: ClientError) => e.code === 'E_MODEL_NOT_FOUND');
  const noImage = c.generate({ prompt: 'x', ...small, mode: 'img2img', initImage: 'nope' });
  await assert.rejects(noImage.jobId, (e: ClientError) => e.code === 'E_ATTACHMENT');
  const q = await c.request({ type: 'queue' });
  assert.equal(q.type === 'queue' && q.jobs.length, 0);
  c.close();
});

test('img2img with an attachment sent as a binary frame', { skip: skipNoFixtures }, async () => {
  const c = await connectClient(d.wsUrl, d.token);
  const first = await c.generate({ prompt: 'base', ...small }).done;
  const init = first.images[0].png;
  const r = await c.generate(
    { prompt: 'variation', ...small, mode: 'img2img', strength: 0.5, initImage: 'init' },
    { init },
  ).done;
  assert.equal(r.images[0].width, 64);
  assert.equal(r.done.params.mode, 'img2img');
  c.close();
});

test('a pipeline process killed mid-job costs that job only: reported failed, the next job runs', {
  skip: skipNoFixtures,
}, async () => {
  const c = await connectClient(d.wsUrl, d.token);
  let progressed = 0;
  const victim = c.generate(
    { prompt: 'victim', ...small, steps: 80 },
    {},
    { onProgress: () => progressed++ },
  );
  await victim.jobId;
  while (progressed < 1) await new Promise((r) => setTimeout(r, 50));
  const pid = findWorkerPid(d.proc.pid!);
  assert.ok(pid, 'found the pipeline process');
  process.kill(pid, 'SIGKILL');
  await assert.rejects(victim.done, (e: ClientError) => e.code === 'E_WORKER_CRASHED');
  const next = await c.generate({ prompt: 'survivor', ...small }).done;
  assert.equal(next.images.length, 1);
  c.close();
});

function findWorkerPid(parent: number): number | undefined {
  for (const p of readdirSync('/proc')) {
    if (!/^\d+$/.test(p)) continue;
    try {
      const stat = readFileSync(`/proc/${p}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const cmd = readFileSync(`/proc/${p}/cmdline`, 'utf8');
      if (ppid === parent && cmd.includes('pipeline-worker')) return Number(p);
    } catch {
      // process went away
    }
  }
  return undefined;
}
