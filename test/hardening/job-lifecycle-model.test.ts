// Issue 8, item 3 (second half): a model-based test (fast-check commands) of connect / hello /
// generate / cancel / disconnect / reconnect interleavings against a real daemon on the tiny
// model. After each run: every accepted job ended exactly once (done, error or cancelled), no job
// produced two endings, a client that stayed connected heard its job's ending, and history has it.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import fc from 'fast-check';
import WebSocket from 'ws';
import { PROTOCOL_VERSION } from '../../shared/protocol/version';
import { startDaemon, type TestDaemon } from '../helpers/daemon';
import { skipNoFixtures } from '../helpers/fixtures';
import { connectClient } from '../helpers/ws-client';
import { assertNoPartialOutputs, assertStillServing, fastConfig } from './daemon-integrity';

const CLIENTS = 3;
const TERMINAL = new Set(['done', 'cancelled', 'error']);

let d: TestDaemon;
before(async () => {
  if (skipNoFixtures) return;
  d = await startDaemon({ config: fastConfig, models: { 'sd15-tiny': 'sd15-tiny' } });
});
after(async () => {
  await d?.dispose();
});

type Msg = { type: string; replyTo?: string; jobId?: string; code?: string };

/** The real system: up to CLIENTS raw connections and everything each one heard. */
class Real {
  readonly sockets: Array<WebSocket | null> = Array(CLIENTS).fill(null);
  /** jobId → endings heard (over all connections). */
  readonly endings = new Map<string, string[]>();
  /** jobId → the client index that submitted it and whether it stayed connected since. */
  readonly owners = new Map<string, { client: number; stayed: boolean }>();
  private seq = 0;
  private waiters = new Map<string, (m: Msg) => void>();

  async connect(i: number): Promise<void> {
    const ws = new WebSocket(d.wsUrl);
    ws.on('message', (data, isBinary) => {
      if (isBinary) return;
      const m = JSON.parse(String(data)) as Msg;
      if (m.replyTo && this.waiters.has(m.replyTo)) {
        this.waiters.get(m.replyTo)!(m);
        this.waiters.delete(m.replyTo);
      }
      if (m.jobId && !m.replyTo && (TERMINAL.has(m.type) || (m.type === 'error' && m.jobId))) {
        this.endings.set(m.jobId, [...(this.endings.get(m.jobId) ?? []), m.type]);
      }
    });
    ws.on('error', () => undefined);
    await new Promise((r, j) => {
      ws.once('open', r);
      ws.once('error', j);
    });
    this.sockets[i] = ws;
    const w = await this.request(i, {
      type: 'hello',
      token: d.token,
      client: { name: `mb-${i}` },
      protocolVersion: PROTOCOL_VERSION,
    });
    assert.equal(w.type, 'welcome');
  }

  request(i: number, msg: Record<string, unknown>): Promise<Msg> {
    const id = `m${this.seq++}`;
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`no answer to ${String(msg.type)}`)), 15_000);
      this.waiters.set(id, (m) => {
        clearTimeout(t);
        resolve(m);
      });
      this.sockets[i]!.send(JSON.stringify({ ...msg, id }));
    });
  }

  async disconnect(i: number): Promise<void> {
    const ws = this.sockets[i]!;
    this.sockets[i] = null;
    for (const o of this.owners.values()) if (o.client === i) o.stayed = false;
    await new Promise<void>((r) => {
      ws.once('close', () => r());
      ws.close();
    });
  }
}

interface Model {
  connected: boolean[];
  jobs: Array<{ jobId: string; client: number }>;
}

class Connect implements fc.AsyncCommand<Model, Real> {
  constructor(readonly i: number) {}
  check = (m: Readonly<Model>) => !m.connected[this.i];
  async run(m: Model, r: Real) {
    await r.connect(this.i);
    m.connected[this.i] = true;
  }
  toString = () => `connect(${this.i})`;
}

class Disconnect implements fc.AsyncCommand<Model, Real> {
  constructor(
    readonly i: number,
    readonly reconnect: boolean,
  ) {}
  check = (m: Readonly<Model>) => m.connected[this.i];
  async run(m: Model, r: Real) {
    await r.disconnect(this.i);
    m.connected[this.i] = false;
    if (this.reconnect) {
      await r.connect(this.i);
      m.connected[this.i] = true;
    }
  }
  toString = () => `${this.reconnect ? 'reconnect' : 'disconnect'}(${this.i})`;
}

class Generate implements fc.AsyncCommand<Model, Real> {
  constructor(
    readonly i: number,
    readonly steps: number,
  ) {}
  check = (m: Readonly<Model>) => m.connected[this.i];
  async run(m: Model, r: Real) {
    const a = await r.request(this.i, {
      type: 'generate',
      request: {
        prompt: `model ${this.steps}`,
        width: 64,
        height: 64,
        steps: this.steps,
        sampler: 'euler',
        seed: 3,
      },
    });
    if (a.type === 'queued') {
      m.jobs.push({ jobId: a.jobId!, client: this.i });
      r.owners.set(a.jobId!, { client: this.i, stayed: true });
    } else assert.equal(a.code, 'E_QUEUE_FULL', JSON.stringify(a));
  }
  toString = () => `generate(${this.i}, steps ${this.steps})`;
}

class Cancel implements fc.AsyncCommand<Model, Real> {
  constructor(
    readonly i: number,
    readonly pick: number,
  ) {}
  check = (m: Readonly<Model>) => m.connected[this.i];
  async run(m: Model, r: Real) {
    const mine = m.jobs.filter((j) => j.client === this.i);
    const target = mine.length > 0 ? mine[this.pick % mine.length].jobId : 'no-such-job';
    const a = await r.request(this.i, { type: 'cancel', jobId: target });
    // Cancelling a job that already ended (or an unknown id) is E_JOB_NOT_FOUND, never a failure.
    assert.ok(a.type === 'ack' || a.code === 'E_JOB_NOT_FOUND', JSON.stringify(a));
  }
  toString = () => `cancel(${this.i}, #${this.pick})`;
}

const generate = fc
  .tuple(fc.integer({ min: 0, max: CLIENTS - 1 }), fc.integer({ min: 1, max: 3 }))
  .map(([i, s]) => new Generate(i, s));
const commands = [
  generate,
  generate,
  generate,
  fc.integer({ min: 0, max: CLIENTS - 1 }).map((i) => new Connect(i)),
  fc.tuple(fc.integer({ min: 0, max: CLIENTS - 1 }), fc.boolean()).map(([i, re]) => new Disconnect(i, re)),
  fc
    .tuple(fc.integer({ min: 0, max: CLIENTS - 1 }), fc.integer({ min: 1, max: 3 }))
    .map(([i, s]) => new Generate(i, s)),
  fc.tuple(fc.integer({ min: 0, max: CLIENTS - 1 }), fc.nat(5)).map(([i, p]) => new Cancel(i, p)),
];

async function settle(r: Real, m: Model): Promise<void> {
  const audit = await connectClient(d.wsUrl, d.token, 'mb-audit');
  try {
    for (let i = 0; i < 300; i++) {
      const q = await audit.request({ type: 'queue' });
      if (q.type === 'queue' && q.jobs.length === 0) break;
      await new Promise((res) => setTimeout(res, 100));
    }
    await new Promise((res) => setTimeout(res, 200)); // the last endings in flight
    const h = await audit.request({ type: 'history', scope: 'all', limit: 500 });
    assert.equal(h.type, 'history');
    const status = new Map(h.type === 'history' ? h.entries.map((e) => [e.jobId, e.status]) : []);
    for (const { jobId } of m.jobs) {
      const heard = r.endings.get(jobId) ?? [];
      assert.ok(heard.length <= 1, `job ${jobId} ended ${heard.length} times: ${heard}`);
      if (r.owners.get(jobId)?.stayed)
        assert.equal(heard.length, 1, `a connected owner heard the end of ${jobId}`);
      assert.match(
        String(status.get(jobId)),
        /^(done|cancelled|error)$/,
        `history of ${jobId}: ${status.get(jobId)}`,
      );
      if (heard.length === 1)
        assert.equal(status.get(jobId), heard[0], `history agrees with the ending of ${jobId}`);
    }
  } finally {
    audit.close();
    for (let i = 0; i < CLIENTS; i++) if (r.sockets[i]) await r.disconnect(i);
  }
}

test('connect/hello/generate/cancel/disconnect/reconnect interleavings: every accepted job ends exactly once and reaches history', {
  skip: skipNoFixtures,
  timeout: 300_000,
}, async () => {
  let runs = 0;
  let jobs = 0;
  await fc.assert(
    fc.asyncProperty(fc.commands(commands, { maxCommands: 14 }), async (cmds) => {
      const real = new Real();
      const model: Model = { connected: Array(CLIENTS).fill(true), jobs: [] };
      try {
        for (let i = 0; i < CLIENTS; i++) await real.connect(i);
        await fc.asyncModelRun(() => ({ model, real }), cmds);
      } finally {
        await settle(real, model);
      }
      runs++;
      jobs += model.jobs.length;
    }),
    { numRuns: Number(process.env.STIPPLE_MODEL_RUNS ?? 12), seed: 8, endOnFailure: true },
  );
  console.log(`# model-based: ${runs} runs, ${jobs} accepted jobs checked`);
  assertNoPartialOutputs(d.home);
  await assertStillServing(d, { generate: true });
});
