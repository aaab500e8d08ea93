// The job queue: one GPU job at a time, fair across clients, bounded, cancellable. Every
// accepted job ends exactly once — done, error or cancelled — and its outcome is written to
// the output history before the owning client hears of it, so a client that disconnected
// can fetch it later.
import { randomBytes } from 'node:crypto';
import type { GenerateRequest } from '../../shared/protocol/generate-request';
import type { Logger } from '../logger';
import { FairQueue } from './fair-queue';
import type { OutputHistory } from './output-history';
import { PipelineError, type PipelineJob, type PipelinePort } from './pipeline-port';

export type JobEvent =
  | { type: 'started'; jobId: string }
  | { type: 'progress'; jobId: string; image: number; step: number; steps: number }
  | {
      type: 'preview';
      jobId: string;
      image: number;
      step: number;
      steps: number;
      width: number;
      height: number;
      png: Uint8Array;
    }
  | {
      type: 'result';
      jobId: string;
      index: number;
      seed: number;
      width: number;
      height: number;
      png: Uint8Array;
    }
  | {
      type: 'done';
      jobId: string;
      seed: number;
      params: GenerateRequest;
      images: Array<{ index: number; seed: number; width: number; height: number; file: string }>;
      executionProvider: string;
      infotext: string;
      notes: string[];
    }
  | { type: 'error'; jobId: string; code: string; message: string; field?: string }
  | { type: 'cancelled'; jobId: string };

interface Job extends PipelineJob {
  clientId: string;
  state: 'queued' | 'running';
  controller: AbortController;
  step?: number;
  steps?: number;
}

export type SubmitResult =
  | { ok: true; jobId: string; position: number }
  | { ok: false; code: 'E_QUEUE_FULL'; message: string; retryAfterMs: number };

export interface JobQueueOptions {
  port: PipelinePort;
  history: OutputHistory;
  logger: Logger;
  limit: number;
  perClientLimit: number;
}

export class JobQueue {
  private readonly queue = new FairQueue<Job>();
  private running: Job | null = null;
  private readonly listeners = new Set<(clientId: string, e: JobEvent) => void>();
  private avgJobMs = 5000;
  private idleWaiters: Array<() => void> = [];
  private closed = false;

  constructor(private readonly opts: JobQueueOptions) {}

  get length(): number {
    return this.queue.size + (this.running ? 1 : 0);
  }

  onEvent(cb: (clientId: string, e: JobEvent) => void): () => void {
    this.listeners.add(cb);
    return () => this.listeners.delete(cb);
  }

  submit(clientId: string, job: Omit<PipelineJob, 'jobId'>): SubmitResult {
    const retryAfterMs = Math.max(1000, Math.round(this.avgJobMs));
    if (this.closed || this.queue.size >= this.opts.limit) {
      return {
        ok: false,
        code: 'E_QUEUE_FULL',
        message: `the queue is full (${this.opts.limit} jobs); retry in about ${Math.ceil(retryAfterMs / 1000)} s`,
        retryAfterMs,
      };
    }
    if (this.queue.countFor(clientId) >= this.opts.perClientLimit) {
      return {
        ok: false,
        code: 'E_QUEUE_FULL',
        message: `this client already has ${this.opts.perClientLimit} queued jobs; retry when one finishes`,
        retryAfterMs,
      };
    }
    const jobId = `${Date.now().toString(36)}-${randomBytes(5).toString('hex')}`;
    this.queue.push({ ...job, jobId, clientId, state: 'queued', controller: new AbortController() });
    const position = this.positionOf(jobId);
    queueMicrotask(() => this.pump());
    return { ok: true, jobId, position };
  }

  /** 0 = running now, 1 = next, … */
  positionOf(jobId: string): number {
    if (this.running?.jobId === jobId) return 0;
    const i = this.queue.ordered().findIndex((j) => j.jobId === jobId);
    return i < 0 ? -1 : i + (this.running ? 1 : 0);
  }

  /** Cancels a queued or running job of this client; false if there is none. */
  cancel(clientId: string, jobId: string): boolean {
    if (this.running?.jobId === jobId && this.running.clientId === clientId) {
      this.running.controller.abort();
      return true;
    }
    const queued = this.queue.ordered().find((j) => j.jobId === jobId && j.clientId === clientId);
    if (!queued) return false;
    this.queue.remove(jobId);
    void this.opts.history
      .fail(
        jobId,
        'cancelled',
        { code: 'E_CANCELLED', message: 'cancelled while queued' },
        { client: clientId, params: queued.request },
      )
      .catch((e) => this.opts.logger.warn({ err: e, jobId }, 'could not record cancellation'));
    this.emit(clientId, { type: 'cancelled', jobId });
    return true;
  }

  snapshot(clientId: string) {
    const jobs = [];
    if (this.running) {
      const r = this.running;
      jobs.push({
        jobId: r.jobId,
        position: 0,
        state: 'running' as const,
        mine: r.clientId === clientId,
        step: r.step,
        steps: r.steps,
      });
    }
    for (const [i, j] of this.queue.ordered().entries()) {
      jobs.push({
        jobId: j.jobId,
        position: i + (this.running ? 1 : 0),
        state: 'queued' as const,
        mine: j.clientId === clientId,
      });
    }
    return { jobs, limit: this.opts.limit };
  }

  /** Resolves when nothing is running or queued. */
  idle(): Promise<void> {
    if (!this.running && this.queue.size === 0) return Promise.resolve();
    return new Promise((r) => this.idleWaiters.push(r));
  }

  /** Stops accepting jobs, cancels the queue, aborts the running job. */
  async close(): Promise<void> {
    this.closed = true;
    for (const j of this.queue.ordered()) this.cancel(j.clientId, j.jobId);
    this.running?.controller.abort();
    await this.idle();
  }

  private emit(clientId: string, e: JobEvent): void {
    for (const l of this.listeners) {
      try {
        l(clientId, e);
      } catch (err) {
        this.opts.logger.error({ err }, 'job event listener failed');
      }
    }
  }

  private pump(): void {
    if (this.running) return;
    const job = this.queue.shift();
    if (!job) {
      const w = this.idleWaiters;
      this.idleWaiters = [];
      for (const r of w) r();
      return;
    }
    this.running = job;
    job.state = 'running';
    void this.execute(job).finally(() => {
      this.running = null;
      this.pump();
    });
  }

  private async execute(job: Job): Promise<void> {
    const { history, logger, port } = this.opts;
    const t0 = Date.now();
    const log = logger.child({ jobId: job.jobId });
    try {
      await history.start(job.jobId, job.clientId, job.request);
      this.emit(job.clientId, { type: 'started', jobId: job.jobId });
      const out = await port.run(
        job,
        {
          onStep: (s) => {
            job.step = s.step;
            job.steps = s.steps;
            this.emit(job.clientId, { type: 'progress', jobId: job.jobId, ...s });
          },
          onPreview: (p) => this.emit(job.clientId, { type: 'preview', jobId: job.jobId, ...p }),
        },
        job.controller.signal,
      );
      if (job.controller.signal.aborted) throw new PipelineError('E_CANCELLED', 'the job was cancelled');
      const params = { ...job.request, seed: out.images[0]?.seed ?? job.request.seed };
      const infotext = out.images[0]?.infotext ?? '';
      const record = await history.finish(job.jobId, {
        images: out.images,
        executionProvider: out.executionProvider,
        infotext,
        params,
      });
      for (const [index, img] of out.images.entries()) {
        this.emit(job.clientId, {
          type: 'result',
          jobId: job.jobId,
          index,
          seed: img.seed,
          width: img.width,
          height: img.height,
          png: img.png,
        });
      }
      this.emit(job.clientId, {
        type: 'done',
        jobId: job.jobId,
        seed: params.seed,
        params,
        images: record.images,
        executionProvider: out.executionProvider,
        infotext,
        notes: out.notes,
      });
      this.avgJobMs = 0.7 * this.avgJobMs + 0.3 * (Date.now() - t0);
      log.info({ ms: Date.now() - t0, images: out.images.length }, 'job done');
    } catch (e) {
      const err =
        e instanceof PipelineError
          ? e
          : (e as NodeJS.ErrnoException).code === 'ENOSPC'
            ? new PipelineError(
                'E_DISK_FULL',
                `not enough disk space to store the result: ${(e as Error).message}`,
              )
            : new PipelineError('E_PIPELINE', (e as Error).message);
      const cancelled = err.code === 'E_CANCELLED' || job.controller.signal.aborted;
      await history
        .fail(job.jobId, cancelled ? 'cancelled' : 'error', {
          code: cancelled ? 'E_CANCELLED' : err.code,
          message: err.message,
        })
        .catch((he) => log.error({ err: he }, 'could not record job failure'));
      if (cancelled) {
        log.info('job cancelled');
        this.emit(job.clientId, { type: 'cancelled', jobId: job.jobId });
      } else {
        log.warn({ code: err.code, message: err.message }, 'job failed');
        this.emit(job.clientId, {
          type: 'error',
          jobId: job.jobId,
          code: err.code,
          message: err.message,
          field: err.field,
        });
      }
    }
  }
}
