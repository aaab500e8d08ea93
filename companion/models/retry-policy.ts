// Backoff for transient hub failures (5xx, 429, dropped connections). Delays are injectable
// so tests run fast; the abortable sleep makes cancel immediate even while backing off.
import { ModelError } from './model-errors.js';

export interface RetryPolicy {
  /** Consecutive failures without progress before giving up. */
  maxFailures: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxFailures: 6, baseDelayMs: 500, maxDelayMs: 30_000 };

/** An error worth retrying (the request may succeed if sent again). */
export class TransientError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TransientError';
  }
}

export function backoffDelayMs(policy: RetryPolicy, failures: number): number {
  return Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, failures - 1));
}

export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new ModelError('E_CANCELLED', 'cancelled');
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(new ModelError('E_CANCELLED', 'cancelled'));
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(new ModelError('E_CANCELLED', 'cancelled'));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Classifies a thrown value: ModelErrors pass through, aborts become E_CANCELLED, and
 * everything else (socket resets, `fetch failed`, body `terminated`) is transient.
 */
export function classifyError(err: unknown, signal: AbortSignal | undefined): ModelError | TransientError {
  if (err instanceof ModelError) return err;
  if (signal?.aborted) return new ModelError('E_CANCELLED', 'cancelled', { cause: err });
  if (err instanceof TransientError) return err;
  const code = (err as { code?: unknown } | null)?.code;
  if (code === 'ENOSPC') return new ModelError('E_DISK_FULL', 'the disk is full', { cause: err });
  // undici reports network failures as `fetch failed` with the socket error as the cause.
  const cause = (err as { cause?: { code?: unknown; message?: unknown } } | null)?.cause;
  const detail = typeof cause?.code === 'string' ? ` (${cause.code})` : '';
  const message = err instanceof Error ? err.message : String(err);
  return new TransientError(`${message}${detail}`, { cause: err });
}

/** Runs `fn` until it succeeds, retrying transient errors with backoff. */
export async function withRetries<T>(
  fn: () => Promise<T>,
  policy: RetryPolicy,
  signal: AbortSignal | undefined,
  onRetry?: (err: TransientError, failures: number) => void,
): Promise<T> {
  let failures = 0;
  for (;;) {
    throwIfAborted(signal);
    try {
      return await fn();
    } catch (err) {
      const e = classifyError(err, signal);
      if (e instanceof ModelError) throw e;
      failures++;
      if (failures >= policy.maxFailures) {
        throw new ModelError('E_HUB_NETWORK', `gave up after ${failures} attempts: ${e.message}`, {
          cause: e,
        });
      }
      onRetry?.(e, failures);
      await sleep(backoffDelayMs(policy, failures), signal);
    }
  }
}
