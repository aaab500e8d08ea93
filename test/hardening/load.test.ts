// Issue 8, item 5: load. 20 concurrent clients × 5 jobs on the tiny model plus a burst past the
// queue limit: the excess is refused with E_QUEUE_FULL and a retry hint, every accepted job ends
// exactly once with its results at the client that asked, the queue is fair across clients, and
// the daemon's RSS returns near where it started. Figures are printed, never asserted (bench/load.ts).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { rssMiB, runLoad } from '../../bench/load-driver';
import { startDaemon, type TestDaemon } from '../helpers/daemon';
import { skipNoFixtures } from '../helpers/fixtures';
import { connectClient } from '../helpers/ws-client';
import { assertNoPartialOutputs, assertStillServing, fastConfig, tinyJob } from './daemon-integrity';

const CLIENTS = 20;
const JOBS = 5;
const QUEUE_LIMIT = CLIENTS * JOBS + 4;

let d: TestDaemon;
before(async () => {
  if (skipNoFixtures) return;
  d = await startDaemon({
    config: { ...fastConfig, queueLimit: QUEUE_LIMIT, perClientQueueLimit: 16 },
    models: { 'sd15-tiny': 'sd15-tiny' },
  });
});
after(async () => {
  await d?.dispose();
});

test('20 clients × 5 jobs plus a burst past the queue limit: refused with a retry hint, every accepted job ends once at its client, fair, RSS back', {
  skip: skipNoFixtures,
  timeout: 300_000,
}, async () => {
  // Warm up (worker start, model load) so RSS and timings measure the load, not the first load.
  const warm = await connectClient(d.wsUrl, d.token, 'warm');
  await warm.generate({ prompt: 'warm', ...tinyJob, steps: 1 }).done;
  warm.close();
  const rssBefore = await rssMiB(d.proc.pid!);

  const r = await runLoad({
    wsUrl: d.wsUrl,
    token: d.token,
    clients: CLIENTS,
    jobsPerClient: JOBS,
    burstClients: 4,
    burstJobs: 10,
    steps: (c, j) => 1 + ((c + j) % 3),
  });

  // The burst went past the limit: the excess was refused with a retry hint, the rest accepted.
  assert.ok(r.refused.length > 0, 'the burst was refused in part');
  for (const x of r.refused) {
    assert.equal(x.code, 'E_QUEUE_FULL');
    assert.ok((x.retryAfterMs ?? 0) > 0, 'a retry hint');
  }
  const mainJobs = r.jobs.filter((j) => j.client.startsWith('load-'));
  assert.equal(mainJobs.length, CLIENTS * JOBS, 'every main submission fitted the queue');
  // Every accepted job ended exactly once, done, with one result at the connection that asked.
  for (const j of r.jobs) {
    assert.deepEqual(j.endings, ['done'], `${j.jobId} of ${j.client}`);
    assert.equal(j.results, 1, `${j.jobId}: one result frame`);
  }
  assert.deepEqual(r.misrouted, [], 'no event or image reached another client');

  // Fairness: round-robin across clients — at every start, the client starting its k-th job is at
  // most 2 ahead of any client that still had queued jobs.
  const total = new Map<string, number>();
  for (const j of r.jobs) total.set(j.client, (total.get(j.client) ?? 0) + 1);
  const started = new Map<string, number>([...total.keys()].map((c) => [c, 0]));
  const arrived = new Set<string>();
  for (const c of r.startOrder) {
    arrived.add(c);
    const mine = started.get(c)!;
    for (const [other, n] of started) {
      if (other === c || !arrived.has(other) || n >= total.get(other)!) continue;
      assert.ok(mine - n <= 2, `${c} started job ${mine + 1} while ${other} had started only ${n}`);
    }
    started.set(c, mine + 1);
  }

  // Memory: the daemon (not the pipeline process) returns near its start once the queue is empty.
  await new Promise((res) => setTimeout(res, 2000));
  const rssAfter = await rssMiB(d.proc.pid!);
  console.log(
    `# load: ${r.jobs.length} jobs (${r.refused.length} refused) in ${(r.wallMs / 1000).toFixed(1)} s = ${r.jobsPerSecond.toFixed(2)} jobs/s; ` +
      `queue wait p50 ${r.waitP50Ms.toFixed(0)} ms, p95 ${r.waitP95Ms.toFixed(0)} ms; daemon RSS ${rssBefore.toFixed(0)} → ${rssAfter.toFixed(0)} MiB`,
  );
  assert.ok(rssAfter < rssBefore + 100, `daemon RSS ${rssBefore.toFixed(0)} → ${rssAfter.toFixed(0)} MiB`);
  assertNoPartialOutputs(d.home);
  await assertStillServing(d, { generate: true });
});
