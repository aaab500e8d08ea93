// Live mode's timing: every edit (prompt or selected pixels) restarts a debounce; when it
// fires, the running job is superseded (cancelled) and a new one starts. At most one job runs.
// Pure over the timer and job functions it is given, so it is unit-tested without a daemon.

export interface LiveJob {
  cancel(): void;
  done: Promise<unknown>;
}

export interface LiveSchedulerOptions {
  debounceMs: number;
  start(): LiveJob;
  setTimer(fn: () => void, ms: number): unknown;
  clearTimer(handle: unknown): void;
}

export interface LiveScheduler {
  /** Something changed: (re)start the debounce. */
  trigger(): void;
  /** Stops the debounce and cancels the running job. */
  stop(): void;
  readonly running: boolean;
}

export function createLiveScheduler(opts: LiveSchedulerOptions): LiveScheduler {
  let timer: unknown = null;
  let current: LiveJob | null = null;
  const fire = () => {
    timer = null;
    current?.cancel();
    const job = opts.start();
    current = job;
    job.done.then(
      () => {
        if (current === job) current = null;
      },
      () => {
        if (current === job) current = null;
      },
    );
  };
  return {
    trigger() {
      if (timer !== null) opts.clearTimer(timer);
      timer = opts.setTimer(fire, opts.debounceMs);
    },
    stop() {
      if (timer !== null) opts.clearTimer(timer);
      timer = null;
      current?.cancel();
      current = null;
    },
    get running() {
      return current !== null;
    },
  };
}
