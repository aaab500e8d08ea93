// Drives a running daemon with many concurrent clients and a burst past the queue limit, and
// records what each client saw: when each job was queued, started and ended, which results came
// to which connection, and which submissions were refused with `E_QUEUE_FULL`. Used by
// bench/load.ts (figures) and test/hardening/load.test.ts (correctness); it asserts nothing.
import WebSocket from 'ws';
import { decodeBinaryFrame } from '../shared/protocol/binary-frame';
import { PROTOCOL_VERSION } from '../shared/protocol/version';

export interface LoadOptions {
  wsUrl: string;
  token: string;
  clients: number;
  jobsPerClient: number;
  /** Extra clients that each fire `burstJobs` at once after the main submissions are queued. */
  burstClients: number;
  burstJobs: number;
  steps: (client: number, job: number) => number;
}

export interface JobTrace {
  client: string;
  jobId: string;
  queuedAt: number;
  startedAt?: number;
  endedAt?: number;
  endings: string[];
  results: number;
}

export interface LoadResult {
  jobs: JobTrace[];
  refused: Array<{ client: string; code: string; retryAfterMs?: number }>;
  /** Events or result frames delivered to a connection that did not submit the job. */
  misrouted: string[];
  startOrder: string[];
  wallMs: number;
  jobsPerSecond: number;
  waitP50Ms: number;
  waitP95Ms: number;
}

type Msg = { type: string; replyTo?: string; jobId?: string; code?: string; retryAfterMs?: number };

class LoadClient {
  ws!: WebSocket;
  readonly jobs = new Map<string, JobTrace>();
  private waiters = new Map<string, (m: Msg) => void>();
  private seq = 0;

  constructor(
    readonly name: string,
    private readonly sink: { misrouted: string[]; startOrder: string[] },
  ) {}

  async open(wsUrl: string, token: string): Promise<void> {
    this.ws = new WebSocket(wsUrl);
    this.ws.on('message', (data, isBinary) =>
      isBinary ? this.onBinary(data as Buffer) : this.onText(String(data)),
    );
    await new Promise((r, j) => {
      this.ws.once('open', r);
      this.ws.once('error', j);
    });
    const w = await this.request({
      type: 'hello',
      token,
      client: { name: this.name },
      protocolVersion: PROTOCOL_VERSION,
    });
    if (w.type !== 'welcome') throw new Error(`${this.name}: ${JSON.stringify(w)}`);
  }

  request(msg: Record<string, unknown>): Promise<Msg> {
    const id = `${this.name}-${this.seq++}`;
    return new Promise((resolve) => {
      this.waiters.set(id, resolve);
      this.ws.send(JSON.stringify({ ...msg, id }));
    });
  }

  private onText(text: string): void {
    const m = JSON.parse(text) as Msg;
    if (m.replyTo && this.waiters.has(m.replyTo)) {
      this.waiters.get(m.replyTo)!(m);
      this.waiters.delete(m.replyTo);
      return;
    }
    if (!m.jobId) return;
    const job = this.jobs.get(m.jobId);
    if (!job) {
      this.sink.misrouted.push(`${m.type} of ${m.jobId} at ${this.name}`);
      return;
    }
    if (m.type === 'started') {
      job.startedAt = performance.now();
      this.sink.startOrder.push(this.name);
    } else if (m.type === 'done' || m.type === 'cancelled' || m.type === 'error') {
      job.endedAt = performance.now();
      job.endings.push(m.type);
    }
  }

  private onBinary(bytes: Buffer): void {
    const f = decodeBinaryFrame(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength));
    if (!f.ok || f.frame.header.kind === 'attachment') return;
    const job = this.jobs.get(f.frame.header.jobId);
    if (!job)
      this.sink.misrouted.push(`${f.frame.header.kind} frame of ${f.frame.header.jobId} at ${this.name}`);
    else if (f.frame.header.kind === 'result') job.results++;
  }

  async submit(steps: number, seed: number, refused: LoadResult['refused']): Promise<void> {
    const sent = performance.now();
    const a = await this.request({
      type: 'generate',
      request: {
        prompt: `load ${this.name}`,
        width: 64,
        height: 64,
        steps,
        sampler: 'euler',
        seed,
        previewEvery: 1,
      },
    });
    if (a.type === 'queued') {
      // Registered before any event of the job can arrive: events follow the `queued` reply.
      this.jobs.set(a.jobId!, {
        client: this.name,
        jobId: a.jobId!,
        queuedAt: sent,
        endings: [],
        results: 0,
      });
    } else refused.push({ client: this.name, code: a.code ?? a.type, retryAfterMs: a.retryAfterMs });
  }

  get finished(): boolean {
    return [...this.jobs.values()].every(
      (j) => j.endings.length > 0 && (j.endings[0] !== 'done' || j.results > 0),
    );
  }
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

export async function runLoad(o: LoadOptions, timeoutMs = 300_000): Promise<LoadResult> {
  const sink = { misrouted: [] as string[], startOrder: [] as string[] };
  const refused: LoadResult['refused'] = [];
  const main = Array.from({ length: o.clients }, (_, i) => new LoadClient(`load-${i}`, sink));
  const burst = Array.from({ length: o.burstClients }, (_, i) => new LoadClient(`burst-${i}`, sink));
  await Promise.all([...main, ...burst].map((c) => c.open(o.wsUrl, o.token)));
  const t0 = performance.now();
  // Every main client submits all its jobs at once, concurrently with the others.
  await Promise.all(
    main.flatMap((c, ci) =>
      Array.from({ length: o.jobsPerClient }, (_, j) => c.submit(o.steps(ci, j), ci * 100 + j, refused)),
    ),
  );
  await Promise.all(
    burst.flatMap((c, ci) =>
      Array.from({ length: o.burstJobs }, (_, j) => c.submit(1, 9000 + ci * 100 + j, refused)),
    ),
  );
  const all = [...main, ...burst];
  while (!all.every((c) => c.finished)) {
    if (performance.now() - t0 > timeoutMs) throw new Error('load run did not finish in time');
    await new Promise((r) => setTimeout(r, 50));
  }
  const wallMs = performance.now() - t0;
  await new Promise((r) => setTimeout(r, 300)); // late duplicates, if any, would arrive now
  for (const c of all) c.ws.close();
  const jobs = all.flatMap((c) => [...c.jobs.values()]);
  const waits = jobs
    .filter((j) => j.startedAt !== undefined)
    .map((j) => j.startedAt! - j.queuedAt)
    .sort((a, b) => a - b);
  return {
    jobs,
    refused,
    misrouted: sink.misrouted,
    startOrder: sink.startOrder,
    wallMs,
    jobsPerSecond: jobs.length / (wallMs / 1000),
    waitP50Ms: percentile(waits, 50),
    waitP95Ms: percentile(waits, 95),
  };
}

/** Resident set size of a process, in MiB (Linux /proc). */
export async function rssMiB(pid: number): Promise<number> {
  const { readFile } = await import('node:fs/promises');
  const m = /VmRSS:\s+(\d+)/.exec(await readFile(`/proc/${pid}/status`, 'utf8'));
  return Number(m?.[1] ?? 0) / 1024;
}
