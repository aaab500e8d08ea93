// Downloads one hub file into `<dest>.incomplete`, resuming with Range after any
// interruption (including the process being killed), verifies it against the hub's hash,
// and renames it into place. A hash mismatch deletes the partial file and fetches again;
// it never renames a bad file.
import { open, rename, stat, truncate, unlink } from 'node:fs/promises';
import type { Logger } from 'pino';
import { digestMatches, type FileDigest, hashFile } from './file-hash.js';
import { type HubConfig, hubGet, hubHttpError, linkedSha256 } from './hub-client.js';
import { ModelError } from './model-errors.js';
import {
  backoffDelayMs,
  classifyError,
  type RetryPolicy,
  sleep,
  TransientError,
  throwIfAborted,
} from './retry-policy.js';

export interface DownloadTarget {
  repo: string;
  revision: string;
  path: string;
  url: string;
  dest: string;
  sizeBytes: number;
  sha256?: string;
  gitOid?: string;
}

export interface DownloadOptions {
  hub: HubConfig;
  retry: RetryPolicy;
  logger: Logger;
  signal?: AbortSignal;
  /** Bytes now on disk changed by `delta` (negative when a partial file is discarded). */
  onBytes?: (delta: number) => void;
  /** How many times a complete file may fail its hash before E_MODEL_CHECKSUM. */
  maxHashFailures?: number;
}

async function fileSize(p: string): Promise<number> {
  try {
    return (await stat(p)).size;
  } catch {
    return 0;
  }
}

async function removeFile(p: string): Promise<void> {
  await unlink(p).catch((err: NodeJS.ErrnoException) => {
    if (err.code !== 'ENOENT') throw err;
  });
}

/** Streams the response body onto the end of `partial`; returns the bytes written. */
async function appendBody(
  res: Response,
  partial: string,
  onBytes: (delta: number) => void,
  signal?: AbortSignal,
): Promise<number> {
  const fh = await open(partial, 'a');
  let written = 0;
  try {
    if (!res.body) return 0;
    for await (const chunk of res.body) {
      throwIfAborted(signal);
      await fh.write(chunk);
      written += chunk.byteLength;
      onBytes(chunk.byteLength);
    }
  } finally {
    await fh.close();
  }
  return written;
}

/** One HTTP attempt: resume from what is on disk. Returns bytes received. */
async function fetchOnce(target: DownloadTarget, partial: string, opts: DownloadOptions): Promise<number> {
  const onBytes = opts.onBytes ?? (() => {});
  let offset = await fileSize(partial);
  const headers: Record<string, string> = { 'accept-encoding': 'identity' };
  if (offset > 0) headers.range = `bytes=${offset}-`;
  const { res, hubHeaders } = await hubGet(opts.hub, target.url, { headers, signal: opts.signal });
  if (res.status === 416) {
    // The server thinks we already have it all (or more): start over.
    await res.body?.cancel();
    onBytes(-offset);
    await truncate(partial, 0);
    throw new TransientError(`range not satisfiable for "${target.path}", restarting`);
  }
  if (!res.ok) {
    await res.body?.cancel();
    throw hubHttpError(res, opts.hub, {
      repo: target.repo,
      revision: target.revision,
      filePath: target.path,
    });
  }
  const advertised = linkedSha256(hubHeaders);
  if (target.sha256 && advertised && advertised !== target.sha256) {
    opts.logger.warn(
      { path: target.path, listed: target.sha256, advertised },
      'hub etag differs from listing',
    );
  }
  if (!target.sha256 && advertised) target.sha256 = advertised;
  const contentRange = res.headers.get('content-range');
  const resumed = res.status === 206 && contentRange?.startsWith(`bytes ${offset}-`);
  if (offset > 0 && !resumed) {
    // Server ignored the Range (plain 200) or answered another one: take the full body.
    onBytes(-offset);
    await truncate(partial, 0);
    offset = 0;
  }
  return appendBody(res, partial, onBytes, opts.signal);
}

/**
 * Downloads `target` to `target.dest` with resume, retries and hash verification.
 * Returns the digest of the installed file.
 */
export async function downloadFile(target: DownloadTarget, opts: DownloadOptions): Promise<FileDigest> {
  const partial = `${target.dest}.incomplete`;
  const maxHashFailures = opts.maxHashFailures ?? 3;
  const onBytes = opts.onBytes ?? (() => {});
  let failures = 0;
  let hashFailures = 0;
  for (;;) {
    throwIfAborted(opts.signal);
    let size = await fileSize(partial);
    if (size > target.sizeBytes) {
      onBytes(-size);
      await truncate(partial, 0);
      size = 0;
    }
    if (target.sizeBytes === 0) await (await open(partial, 'a')).close();
    if (size < target.sizeBytes) {
      try {
        const received = await fetchOnce(target, partial, opts);
        if (received > 0) failures = 0;
      } catch (err) {
        const e = classifyError(err, opts.signal);
        if (e instanceof ModelError) throw e;
        failures++;
        if (failures >= opts.retry.maxFailures) {
          throw new ModelError(
            'E_HUB_NETWORK',
            `gave up on "${target.path}" after ${failures} failed attempts: ${e.message}`,
            { cause: e, field: 'path' },
          );
        }
        opts.logger.info({ path: target.path, failures, err: e.message }, 'download interrupted, retrying');
        await sleep(backoffDelayMs(opts.retry, failures), opts.signal);
        continue;
      }
      size = await fileSize(partial);
      if (size < target.sizeBytes) {
        // Body ended early (truncated): keep the bytes, resume with Range.
        failures++;
        if (failures >= opts.retry.maxFailures) {
          throw new ModelError('E_HUB_NETWORK', `"${target.path}" keeps arriving truncated`, {
            field: 'path',
          });
        }
        opts.logger.info({ path: target.path, size, expected: target.sizeBytes }, 'body truncated, resuming');
        await sleep(backoffDelayMs(opts.retry, failures), opts.signal);
        continue;
      }
      if (size > target.sizeBytes) continue;
    }
    const digest = await hashFile(partial, opts.signal);
    if (digestMatches(digest, { sha256: target.sha256, gitOid: target.gitOid })) {
      await rename(partial, target.dest);
      return digest;
    }
    hashFailures++;
    opts.logger.warn(
      { path: target.path, expected: target.sha256 ?? target.gitOid, got: digest.sha256, hashFailures },
      'hash mismatch, discarding and fetching again',
    );
    onBytes(-size);
    await removeFile(partial);
    if (hashFailures >= maxHashFailures) {
      throw new ModelError(
        'E_MODEL_CHECKSUM',
        `"${target.path}" from ${target.repo}@${target.revision} failed its hash check ${hashFailures} times ` +
          `(expected ${target.sha256 ?? target.gitOid}, got sha256 ${digest.sha256})`,
        { field: 'path' },
      );
    }
  }
}
