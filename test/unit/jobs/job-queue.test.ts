import assert from 'node:assert/strict';
import { existsSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { type JobEvent, JobQueue } from '../../../companion/jobs/job-queue';
import { OutputHistory } from '../../../companion/jobs/output-history';
import type { ResolvedRequest } from '../../../companion/jobs/pipeline-port';
import { silentLogger } from '../../../companion/logger';
import { ScriptedPipeline } from '../../helpers/scripted-pipeline';

function request(prompt: string, steps = 3): ResolvedRequest {
  return {
    mode: 'txt2img',
    model: 'm',
    prompt,
    negativePrompt: '',
    sampler: 'euler',
    steps,
    cfg: 7,
    seed: 5,
    width: 64,
    height: 64,
    strength: 0.75,
    batch: 1,
    maskBlur: 4,
    onlyMasked: false,
    onlyMaskedPadding: 32,
    resizeMode: 'fill',
    quality: 'full',
    previewEvery: 1,
    loras: [],
  };
}

async function setup(opts: { limit?: number; perClient?: number; stepMs?: number } = {}) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'stipple-queue-'));
  const history = new OutputHistory(dir);
  await history.load();
  const pipeline = new ScriptedPipeline(opts.stepMs ?? 5);
  const queue = new JobQueue({
    port: pipeline,
    history,
    logger: silentLogger(),
    limit: opts.limit ?? 32,
    perClientLimit: opts.perClient ?? 32,
  });
  const events: Array<{ client: string; e: JobEvent }> = [];
  queue.onEvent((client, e) => events.push({ client, e }));
  const submit = (client: string, prompt: string, steps = 3) => {
    const r = queue.submit(client, { request: request(prompt, steps), modelDir: '/m', modelName: 'm' });
    assert.ok(r.ok, 'submit accepted');
    return r.jobId;
  };
  const endings = (jobId: string) =>
    events.filter((x) => x.e.jobId === jobId && ['done', 'error', 'cancelled'].includes(x.e.type));
  return { dir, history, pipeline, queue, events, submit, endings };
}

test('jobs run one at a time, fairly across clients, each ending exactly once', async () => {
  const { queue, pipeline, submit, endings, events } = await setup();
  const a = [submit('A', 'a0'), submit('A', 'a1'), submit('A', 'a2')];
  const b = [submit('B', 'b0')];
  await queue.idle();
  assert.deepEqual(pipeline.started, [a[0], b[0], a[1], a[2]]);
  for (const id of [...a, ...b]) assert.equal(endings(id).length, 1);
  const progress = events.filter((x) => x.e.type === 'progress' && x.e.jobId === b[0]);
  assert.ok(
    progress.every((x) => x.client === 'B'),
    'progress goes to the requesting client',
  );
  assert.equal(progress.length, 3);
});

test('results are in history on disk before the client hears done', async () => {
  const { queue, history, dir, submit, events } = await setup();
  const id = submit('A', 'cat');
  await queue.idle();
  const done = events.find((x) => x.e.type === 'done' && x.e.jobId === id)!.e as Extract<
    JobEvent,
    { type: 'done' }
  >;
  assert.equal(done.images.length, 1);
  assert.ok(existsSync(path.join(dir, done.images[0].file)));
  assert.equal(history.get(id)?.status, 'done');
  assert.equal(history.list({ client: 'A', limit: 10 })[0].jobId, id);
});

test('cancelling a queued job removes it; cancelling the running job stops it at the next step', async () => {
  const { queue, pipeline, submit, endings, events } = await setup({ stepMs: 30 });
  const running = submit('A', 'long', 50);
  const queued = submit('A', 'queued');
  await new Promise((r) => setTimeout(r, 80));
  assert.equal(queue.cancel('A', queued), true);
  assert.equal(queue.cancel('B', running), false, 'another client cannot cancel it');
  assert.equal(queue.cancel('A', 'unknown'), false);
  assert.equal(queue.cancel('A', running), true);
  await queue.idle();
  assert.deepEqual(pipeline.started, [running]);
  assert.equal(endings(running)[0].e.type, 'cancelled');
  assert.equal(endings(queued)[0].e.type, 'cancelled');
  const steps = events.filter((x) => x.e.type === 'progress' && x.e.jobId === running).length;
  assert.ok(steps < 50, `stopped early (after ${steps} steps)`);
});

test('past the queue limit a submit is refused with queue_full and a retry hint', async () => {
  const { queue, submit } = await setup({ limit: 2, stepMs: 20 });
  submit('A', '1');
  await new Promise((r) => setTimeout(r, 5)); // first one is running now
  submit('A', '2');
  submit('B', '3');
  const r = queue.submit('C', { request: request('4'), modelDir: '/m', modelName: 'm' });
  assert.equal(r.ok, false);
  if (!r.ok) {
    assert.equal(r.code, 'E_QUEUE_FULL');
    assert.ok(r.retryAfterMs >= 1000);
  }
  await queue.idle();
});

test('a failing job is reported and the next job still runs', async () => {
  const { queue, pipeline, submit, endings } = await setup();
  pipeline.failNext = 'E_WORKER_CRASHED';
  const bad = submit('A', 'bad');
  const good = submit('A', 'good');
  await queue.idle();
  const e = endings(bad)[0].e;
  assert.equal(e.type, 'error');
  assert.equal(e.type === 'error' && e.code, 'E_WORKER_CRASHED');
  assert.equal(endings(good)[0].e.type, 'done');
});

test('a job left running by a crash is marked interrupted on the next start', async () => {
  const { dir, history } = await setup();
  await history.start('job-1', 'A', request('x'));
  const again = new OutputHistory(dir);
  assert.equal(await again.load(), 1);
  assert.equal(again.get('job-1')?.status, 'interrupted');
  assert.equal(again.get('job-1')?.error?.code, 'E_INTERRUPTED');
});
