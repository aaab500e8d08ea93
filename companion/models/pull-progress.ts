// Turns byte counts from parallel file downloads into throttled progress events with a
// rate over a sliding window and an ETA. Plain callbacks, no emitter.

export type PullPhase = 'resolving' | 'downloading' | 'verifying' | 'installing' | 'done';

export interface PullProgress {
  id: string;
  phase: PullPhase;
  file?: string;
  bytesDone: number;
  bytesTotal: number;
  rateBytesPerSec: number;
  etaSec: number | null;
}

export type PullProgressListener = (event: PullProgress) => void;

const WINDOW_MS = 5_000;

export class PullProgressTracker {
  private phase: PullPhase = 'resolving';
  private bytesDone = 0;
  private bytesTotal = 0;
  private lastEmitMs = -Infinity;
  private readonly samples: Array<{ t: number; bytes: number }> = [];

  constructor(
    private readonly id: string,
    private readonly emit: PullProgressListener,
    private readonly intervalMs = 250,
    private readonly now: () => number = () => performance.now(),
  ) {}

  setPhase(phase: PullPhase, file?: string): void {
    this.phase = phase;
    this.flush(file, true);
  }

  /** Starts the download phase with what is already on disk from an earlier attempt. */
  start(bytesTotal: number, bytesAlreadyDone: number): void {
    this.bytesTotal = bytesTotal;
    this.bytesDone = bytesAlreadyDone;
    this.samples.length = 0;
    this.samples.push({ t: this.now(), bytes: bytesAlreadyDone });
    this.setPhase('downloading');
  }

  add(delta: number, file?: string): void {
    this.bytesDone += delta;
    this.flush(file, false);
  }

  private rate(t: number): number {
    this.samples.push({ t, bytes: this.bytesDone });
    while (this.samples.length > 2 && t - this.samples[0].t > WINDOW_MS) this.samples.shift();
    const first = this.samples[0];
    const dt = (t - first.t) / 1000;
    return dt > 0 ? Math.max(0, (this.bytesDone - first.bytes) / dt) : 0;
  }

  private flush(file: string | undefined, force: boolean): void {
    const t = this.now();
    if (!force && t - this.lastEmitMs < this.intervalMs) return;
    this.lastEmitMs = t;
    const rateBytesPerSec = this.rate(t);
    const left = Math.max(0, this.bytesTotal - this.bytesDone);
    const event: PullProgress = {
      id: this.id,
      phase: this.phase,
      bytesDone: this.bytesDone,
      bytesTotal: this.bytesTotal,
      rateBytesPerSec: Math.round(rateBytesPerSec),
      etaSec: left === 0 ? 0 : rateBytesPerSec > 0 ? Math.ceil(left / rateBytesPerSec) : null,
    };
    if (file !== undefined) event.file = file;
    this.emit(event);
  }
}
