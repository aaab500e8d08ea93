// `npx tsx bench/load.ts [clients] [jobsPerClient]`: queue throughput and wait under load on the
// tiny model (64×64, 1–3 steps) through a real daemon: jobs/second, p50/p95 queue wait (queued →
// started, as the client sees it), daemon RSS before and after. Prints a table, writes
// bench/results/load.json. Figures only; correctness is test/hardening/load.test.ts.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { startDaemon } from '../test/helpers/daemon';
import { connectClient } from '../test/helpers/ws-client';
import { rssMiB, runLoad } from './load-driver';

const clients = Number(process.argv[2] ?? 20);
const jobsPerClient = Number(process.argv[3] ?? 5);
const d = await startDaemon({
  config: { queueLimit: clients * jobsPerClient + 4, perClientQueueLimit: Math.max(16, jobsPerClient) },
  models: { 'sd15-tiny': 'sd15-tiny' },
});
try {
  const warm = await connectClient(d.wsUrl, d.token, 'warm');
  await warm.generate({ prompt: 'warm', width: 64, height: 64, steps: 1 }).done;
  warm.close();
  const rssBefore = await rssMiB(d.proc.pid!);
  const r = await runLoad({
    wsUrl: d.wsUrl,
    token: d.token,
    clients,
    jobsPerClient,
    burstClients: 4,
    burstJobs: 10,
    steps: (c, j) => 1 + ((c + j) % 3),
  });
  await new Promise((res) => setTimeout(res, 2000));
  const rssAfter = await rssMiB(d.proc.pid!);
  const row = {
    clients,
    jobsPerClient,
    accepted: r.jobs.length,
    refused: r.refused.length,
    wallSec: Number((r.wallMs / 1000).toFixed(2)),
    jobsPerSecond: Number(r.jobsPerSecond.toFixed(2)),
    waitP50Ms: Math.round(r.waitP50Ms),
    waitP95Ms: Math.round(r.waitP95Ms),
    daemonRssBeforeMiB: Math.round(rssBefore),
    daemonRssAfterMiB: Math.round(rssAfter),
  };
  console.table([row]);
  const out = path.join(import.meta.dirname, 'results');
  mkdirSync(out, { recursive: true });
  writeFileSync(
    path.join(out, 'load.json'),
    `${JSON.stringify({ ...row, at: new Date().toISOString() }, null, 2)}\n`,
  );
} finally {
  await d.dispose();
}
