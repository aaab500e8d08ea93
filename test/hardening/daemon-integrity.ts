// What every hardening suite checks at its end: the daemon still serves the next normal request,
// and nothing was lost — the running and queued jobs started before the abuse finish, and every
// model and output file that existed before is still there, byte for byte.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { silentLogger } from '../../companion/logger';
import { ModelManager } from '../../companion/models/model-manager';
import type { JobHandle, StippleClient } from '../../shared/protocol/stipple-client';
import type { TestDaemon } from '../helpers/daemon';
import { fixturePath } from '../helpers/fixtures';
import { connectClient, rawSocket } from '../helpers/ws-client';

/** Config for a test daemon: short timers so the suites stay fast, everything else default. */
export const fastConfig = {
  pingIntervalMs: 1500,
  headersTimeoutMs: 1500,
  requestTimeoutMs: 3000,
};

/** Imports a fixture model as a COPY under the temporary home (never touches ../shared). */
export async function copyFixtureModel(home: string, id: string, folder = 'sd15-tiny'): Promise<string> {
  const manager = new ModelManager({ home, logger: silentLogger(), hub: { endpoint: 'http://127.0.0.1:9' } });
  await manager.import(fixturePath('tiny-sd', folder), { mode: 'copy', id });
  return (await manager.resolve(id)).dir;
}

function walk(dir: string, out: string[] = []): string[] {
  if (!existsSync(dir)) return out;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) walk(p, out);
    else if (e.isFile()) out.push(p);
  }
  return out;
}

/** sha256 of every file under the home's models/ and outputs/ (follows no links). */
export function snapshotDisk(home: string): Map<string, string> {
  const m = new Map<string, string>();
  for (const sub of ['models', 'outputs']) {
    for (const f of walk(path.join(home, sub))) {
      if (path.basename(f).startsWith('.')) continue; // atomic-write temporaries
      m.set(path.relative(home, f), createHash('sha256').update(readFileSync(f)).digest('hex'));
    }
  }
  return m;
}

/** Every file of `before` still exists with the same bytes (new outputs may have appeared). */
export function assertNothingLost(
  home: string,
  before: Map<string, string>,
  except: (rel: string) => boolean = () => false,
): void {
  for (const [rel, sha] of before) {
    if (except(rel)) continue;
    const abs = path.join(home, rel);
    assert.ok(existsSync(abs), `${rel} was lost`);
    const now = createHash('sha256').update(readFileSync(abs)).digest('hex');
    // A history record of a job that ran meanwhile may be rewritten (running → done): compare images and models only.
    if (rel.endsWith('.json') && rel.startsWith('outputs')) continue;
    assert.equal(now, sha, `${rel} changed`);
  }
}

/** No output file is a truncated PNG, and no temporary file was left beside the outputs. */
export function assertNoPartialOutputs(home: string): void {
  for (const f of walk(path.join(home, 'outputs'))) {
    assert.ok(!path.basename(f).endsWith('.tmp'), `temporary file left behind: ${f}`);
    if (f.endsWith('.png')) {
      const b = readFileSync(f);
      assert.ok(
        b.length > 8 && b.subarray(b.length - 8, b.length - 4).toString('latin1') === 'IEND',
        `${f} is truncated`,
      );
    }
  }
}

export const tinyJob = { width: 64, height: 64, sampler: 'euler' as const, seed: 11, previewEvery: 0 };

/**
 * Puts one job in the running slot and one behind it, before the abuse starts. `settle()` then
 * checks both finished normally: the abuse cost no accepted work.
 */
export async function startBackgroundJobs(d: TestDaemon, steps = 30): Promise<{ settle(): Promise<void> }> {
  // A paired token, so that suites regenerating the primary token do not cut this client.
  const c = await connectClient(d.wsUrl, await pairToken(d, 'background'), 'background');
  let progressed = 0;
  const running = c.generate(
    { prompt: 'background running', ...tinyJob, steps },
    {},
    { onProgress: () => progressed++ },
  );
  await running.jobId;
  const queued = c.generate({ prompt: 'background queued', ...tinyJob, steps: 2 });
  await queued.jobId;
  for (let i = 0; i < 200 && progressed === 0; i++) await new Promise((r) => setTimeout(r, 50));
  return {
    async settle() {
      for (const [name, job] of [
        ['running', running],
        ['queued', queued],
      ] as Array<[string, JobHandle]>) {
        const r = await job.done;
        assert.equal(r.images.length, 1, `the ${name} background job finished`);
        assert.ok(existsSync(path.join(d.home, 'outputs', r.done.images[0].file)));
      }
      c.close();
    },
  };
}

/** Pairs a new client over a raw socket and returns its token. */
export async function pairToken(d: TestDaemon, name: string): Promise<string> {
  const code = await d.pairingCode();
  const s = await rawSocket(d.wsUrl);
  s.send(JSON.stringify({ type: 'pair', code, client: { name } }));
  const m = (await s.next()).text as { type: string; token?: string };
  s.ws.close();
  assert.equal(m.type, 'paired');
  return m.token!;
}

/** /health answers and a fresh client authenticates and is answered; optionally a job runs. */
export async function assertStillServing(d: TestDaemon, opts: { generate?: boolean } = {}): Promise<void> {
  const res = await fetch(`${d.url}/health`);
  assert.equal(res.status, 200);
  const c: StippleClient = await connectClient(d.wsUrl, d.token, 'after-abuse');
  try {
    const q = await c.request({ type: 'queue' });
    assert.equal(q.type, 'queue');
    if (opts.generate) {
      const r = await c.generate({ prompt: 'still serving', ...tinyJob, steps: 1 }).done;
      assert.equal(r.images.length, 1);
    }
  } finally {
    c.close();
  }
}

export function fileMode(p: string): number {
  return statSync(p).mode & 0o777;
}
