// Runs the pipeline in a supervised child process. onnxruntime-node's session creation and
// run() block their thread for seconds, and killing a worker thread mid-run aborts the whole
// process, so inference lives in its own process: the daemon's event loop stays free for
// health checks, progress and cancel, and a native crash or OOM kill costs one job — the job
// is reported failed, the process is restarted, and the next job runs.
import { type ChildProcess, fork } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger } from '../logger';
import {
  type InterrogationResult,
  PipelineError,
  type PipelineHooks,
  type PipelineInfo,
  type PipelineJob,
  type PipelineOutput,
  type PipelinePort,
} from './pipeline-port';
import type { FromWorker, ToWorker } from './worker-messages';

interface Active {
  jobId: string;
  hooks: PipelineHooks;
  resolve(o: PipelineOutput): void;
  reject(e: Error): void;
}

/** Where the worker entry is: the bundled dist/pipeline-worker.js, or the TS source under tsx. */
export function workerEntry(): { file: string; execArgv: string[] } {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const bundled = path.join(here, 'pipeline-worker.js');
  if (existsSync(bundled)) return { file: bundled, execArgv: [] };
  return { file: path.join(here, 'pipeline-worker-main.ts'), execArgv: ['--import', 'tsx'] };
}

export interface SupervisorOptions {
  logger: Logger;
  env?: NodeJS.ProcessEnv;
  entry?: { file: string; execArgv: string[] };
}

export class WorkerSupervisor implements PipelinePort {
  private child: ChildProcess | null = null;
  private active: Active | null = null;
  private lastInfo: PipelineInfo = { executionProviders: [], loadedModel: null, executionProvider: null };
  private readyPromise: Promise<void> | null = null;
  private closing = false;
  private ready = false;
  private startFailures = 0;
  private readonly requests = new Map<
    string,
    { resolve(r: InterrogationResult): void; reject(e: Error): void }
  >();
  private nextRequest = 1;
  restarts = 0;

  constructor(private readonly opts: SupervisorOptions) {}

  info(): PipelineInfo {
    return this.lastInfo;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Starts the worker (if not running) and waits for it to report ready. */
  start(): Promise<void> {
    if (this.readyPromise) return this.readyPromise;
    const entry = this.opts.entry ?? workerEntry();
    const child = fork(entry.file, [], {
      execArgv: entry.execArgv,
      serialization: 'advanced',
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      env: this.opts.env ?? process.env,
    });
    this.child = child;
    this.readyPromise = new Promise<void>((resolve, reject) => {
      const onEarlyExit = (code: number | null, signal: string | null) =>
        reject(
          new PipelineError(
            'E_WORKER_CRASHED',
            `the pipeline process exited during start-up (${signal ?? code})`,
          ),
        );
      child.once('exit', onEarlyExit);
      child.on('message', (m: FromWorker) => {
        if (m.type === 'ready') {
          child.off('exit', onEarlyExit);
          this.ready = true;
          this.startFailures = 0;
          this.lastInfo = m.info;
          resolve();
        } else this.onMessage(m);
      });
    });
    this.readyPromise.catch(() => undefined);
    child.on('exit', (code, signal) => this.onExit(child, code, signal));
    return this.readyPromise;
  }

  async run(job: PipelineJob, hooks: PipelineHooks, signal: AbortSignal): Promise<PipelineOutput> {
    if (this.active) throw new PipelineError('E_INTERNAL', 'the pipeline process is already running a job');
    // A worker that dies during start-up is cleaned up and restarted by onExit; clearing `child`
    // here as well used to orphan the replacement onExit had already forked (two live workers).
    await this.start();
    if (signal.aborted) throw new PipelineError('E_CANCELLED', 'the job was cancelled');
    return new Promise<PipelineOutput>((resolve, reject) => {
      this.active = { jobId: job.jobId, hooks, resolve, reject };
      const onAbort = () => this.send({ type: 'cancel', jobId: job.jobId });
      signal.addEventListener('abort', onAbort, { once: true });
      const cleanup = () => signal.removeEventListener('abort', onAbort);
      this.active.resolve = (o) => {
        cleanup();
        resolve(o);
      };
      this.active.reject = (e) => {
        cleanup();
        reject(e);
      };
      this.send({ type: 'run', job });
    });
  }

  async interrogate(modelDir: string, image: Uint8Array, topK: number): Promise<InterrogationResult> {
    await this.start();
    const requestId = `i${this.nextRequest++}`;
    return new Promise((resolve, reject) => {
      this.requests.set(requestId, { resolve, reject });
      this.send({ type: 'interrogate', requestId, modelDir, image, topK });
    });
  }

  async close(): Promise<void> {
    this.closing = true;
    const c = this.child;
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      const t = setTimeout(() => c.kill('SIGKILL'), 3000);
      c.once('exit', () => {
        clearTimeout(t);
        resolve();
      });
      // A worker still loading its modules cannot read messages yet: stop it outright.
      if (this.ready) this.send({ type: 'shutdown' });
      else c.kill('SIGTERM');
    });
  }

  private send(m: ToWorker): void {
    if (this.child?.connected) this.child.send(m);
  }

  private onMessage(m: FromWorker): void {
    if (m.type === 'info' || m.type === 'ready') {
      this.lastInfo = m.info;
      return;
    }
    if (m.type === 'interrogated' || m.type === 'interrogate_failed') {
      const r = this.requests.get(m.requestId);
      this.requests.delete(m.requestId);
      if (m.type === 'interrogated') r?.resolve(m.result);
      else r?.reject(new PipelineError(m.code, m.message));
      return;
    }
    const a = this.active;
    if (!a || m.jobId !== a.jobId) return;
    switch (m.type) {
      case 'step':
        a.hooks.onStep({ image: m.image, step: m.step, steps: m.steps });
        break;
      case 'preview':
        a.hooks.onPreview({
          image: m.image,
          step: m.step,
          steps: m.steps,
          width: m.width,
          height: m.height,
          png: m.png,
        });
        break;
      case 'done':
        this.active = null;
        a.resolve(m.output);
        break;
      case 'failed':
        this.active = null;
        a.reject(new PipelineError(m.code, m.message, m.field));
        break;
    }
  }

  private onExit(child: ChildProcess, code: number | null, signal: string | null): void {
    if (this.child !== child) return;
    const diedStarting = !this.ready;
    this.child = null;
    this.ready = false;
    this.readyPromise = null;
    this.lastInfo = { ...this.lastInfo, loadedModel: null, executionProvider: null };
    const a = this.active;
    this.active = null;
    for (const [id, r] of this.requests) {
      this.requests.delete(id);
      r.reject(new PipelineError('E_WORKER_CRASHED', 'the pipeline process died during the request'));
    }
    if (this.closing) {
      a?.reject(new PipelineError('E_INTERRUPTED', 'the daemon is shutting down'));
      return;
    }
    this.restarts++;
    this.opts.logger.warn(
      { code, signal, restarts: this.restarts },
      'pipeline process exited; it restarts on the next job',
    );
    a?.reject(
      new PipelineError(
        signal === 'SIGKILL' ? 'E_WORKER_CRASHED' : 'E_WORKER_CRASHED',
        `the pipeline process died during the job (${signal ?? `exit code ${code}`}); it was restarted — if this repeats, the job may need more memory than the device has`,
      ),
    );
    // Restart right away so the next job and /health find a warm process — but a worker that
    // cannot even start (broken install) is retried with backoff, not forked in a tight loop.
    this.startFailures = diedStarting ? this.startFailures + 1 : 0;
    const delayMs = this.startFailures === 0 ? 0 : Math.min(30_000, 500 * 2 ** (this.startFailures - 1));
    const restart = () => {
      if (this.closing || this.child) return;
      void this.start().catch((e) =>
        this.opts.logger.error({ err: e }, 'pipeline process failed to restart'),
      );
    };
    if (delayMs === 0) restart();
    else setTimeout(restart, delayMs).unref();
  }
}
