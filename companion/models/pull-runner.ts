// One pull, start to finish: commit sha → tree listing → file selection → layout pre-check
// → disk check → bounded parallel resumable downloads into the staging folder → layout
// check on disk → manifest → one rename into the store. Staging survives crashes and is
// resumed by the next pull of the same commit; anything else there is discarded.
import { mkdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from 'pino';
import type { CatalogEntry } from './catalog.js';
import { digestMatches, type FileDigest, hashFile } from './file-hash.js';
import { type FileSelection, selectFiles } from './file-patterns.js';
import { fetchRepoCommit, type HubConfig, type HubFile, listRepoFiles, resolveUrl } from './hub-client.js';
import { ModelError } from './model-errors.js';
import { assertModelLayout, type LayoutSpec, layoutError, missingParts } from './model-layout.js';
import { resolveInside } from './model-ref.js';
import {
  type ModelManifest,
  type ModelStore,
  readStagingMarker,
  STAGING_MARKER,
  writeFileAtomic,
} from './model-store.js';
import { type PullProgressListener, PullProgressTracker } from './pull-progress.js';
import { downloadFile } from './resumable-download.js';
import { type RetryPolicy, throwIfAborted, withRetries } from './retry-policy.js';
import { acquireStagingLock } from './staging-lock.js';

export interface PullPlan {
  id: string;
  name: string;
  repo: string;
  revision: string;
  selection: FileSelection;
  layout: LayoutSpec;
  catalog?: CatalogEntry;
}

export interface PullContext {
  store: ModelStore;
  hub: HubConfig;
  logger: Logger;
  retry: RetryPolicy;
  concurrency: number;
  freeBytes: (dir: string) => Promise<number>;
  signal: AbortSignal;
  onProgress: PullProgressListener;
  progressIntervalMs?: number;
}

async function sizeOf(p: string): Promise<number | undefined> {
  try {
    return (await stat(p)).size;
  } catch {
    return undefined;
  }
}

/** Keeps a staging folder only if it was started for the same repo and commit. */
async function prepareStaging(dir: string, repo: string, commit: string): Promise<void> {
  const marker = await readStagingMarker(dir);
  const keep = marker?.repo === repo && marker.commit === commit;
  if (!keep) await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  if (!keep) await writeFileAtomic(path.join(dir, STAGING_MARKER), JSON.stringify({ repo, commit }));
}

/** Runs `worker` over `items` with at most `limit` at once; the first error stops the rest. */
async function runPool<T>(
  items: readonly T[],
  limit: number,
  signal: AbortSignal,
  worker: (item: T, signal: AbortSignal) => Promise<void>,
): Promise<void> {
  const inner = new AbortController();
  const onOuter = () => inner.abort();
  signal.addEventListener('abort', onOuter, { once: true });
  let next = 0;
  let firstError: unknown;
  const lane = async () => {
    while (next < items.length && !inner.signal.aborted) {
      const item = items[next++];
      try {
        await worker(item, inner.signal);
      } catch (err) {
        firstError ??= err;
        inner.abort();
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, lane));
  } finally {
    signal.removeEventListener('abort', onOuter);
  }
  if (firstError !== undefined) {
    // A sibling's abort is a consequence; report the cause (or the caller's cancel).
    if (signal.aborted) throw new ModelError('E_CANCELLED', 'pull cancelled');
    throw firstError;
  }
  throwIfAborted(signal);
}

export async function runPull(plan: PullPlan, ctx: PullContext): Promise<ModelManifest> {
  const { store, hub, signal } = ctx;
  const progress = new PullProgressTracker(plan.id, ctx.onProgress, ctx.progressIntervalMs);
  progress.setPhase('resolving');
  await store.ensureRoot();

  // 1. Pin the revision to a commit and list its files.
  const commit = await withRetries(
    () => fetchRepoCommit(hub, plan.repo, plan.revision, signal),
    ctx.retry,
    signal,
  );
  const listing = await withRetries(() => listRepoFiles(hub, plan.repo, commit, signal), ctx.retry, signal);
  const files: HubFile[] = selectFiles(listing, plan.selection);
  const missing = missingParts(
    files.map((f) => f.path),
    plan.layout,
  );
  if (files.length === 0 || missing.length > 0) {
    throw layoutError(`${plan.repo}@${plan.revision}`, missing.length > 0 ? missing : ['model_index.json']);
  }

  // 2. Staging folder (locked against other processes), and what an earlier (killed)
  //    attempt already left there.
  const staging = store.stagingDir(plan.id);
  const lock = await acquireStagingLock(`${staging}.lock`, plan.id);
  try {
    return await downloadAndInstall(plan, ctx, progress, commit, files, staging);
  } finally {
    await lock.release();
  }
}

async function downloadAndInstall(
  plan: PullPlan,
  ctx: PullContext,
  progress: PullProgressTracker,
  commit: string,
  files: HubFile[],
  staging: string,
): Promise<ModelManifest> {
  const { store, hub, logger, signal } = ctx;
  await prepareStaging(staging, plan.repo, commit);
  const totalBytes = files.reduce((s, f) => s + f.sizeBytes, 0);
  let onDisk = 0;
  for (const f of files) {
    const dest = resolveInside(staging, f.path);
    const done = await sizeOf(dest);
    onDisk += done === f.sizeBytes ? done : Math.min((await sizeOf(`${dest}.incomplete`)) ?? 0, f.sizeBytes);
  }

  // 3. Disk space, before any byte is fetched.
  const needed = totalBytes - onDisk;
  const free = await ctx.freeBytes(store.root);
  if (needed > free) {
    throw new ModelError(
      'E_DISK_FULL',
      `not enough disk space for ${plan.id}: needs ${needed} more bytes, ${free} available in ${store.root}`,
      { field: 'disk' },
    );
  }

  // 4. Download, largest first so the long poles start early.
  progress.start(totalBytes, onDisk);
  const digests = new Map<string, FileDigest>();
  const ordered = [...files].sort((a, b) => b.sizeBytes - a.sizeBytes);
  await runPool(ordered, ctx.concurrency, signal, async (f, laneSignal) => {
    const dest = resolveInside(staging, f.path);
    await mkdir(path.dirname(dest), { recursive: true });
    const expected = { sha256: f.sha256, gitOid: f.gitOid };
    if ((await sizeOf(dest)) === f.sizeBytes) {
      const digest = await hashFile(dest, laneSignal);
      if (digestMatches(digest, expected)) {
        digests.set(f.path, digest);
        return;
      }
      progress.add(-f.sizeBytes, f.path);
      await rm(dest, { force: true });
    }
    const digest = await downloadFile(
      {
        repo: plan.repo,
        revision: commit,
        path: f.path,
        url: resolveUrl(hub, plan.repo, commit, f.path),
        dest,
        sizeBytes: f.sizeBytes,
        sha256: f.sha256,
        gitOid: f.gitOid,
      },
      {
        hub,
        retry: ctx.retry,
        logger,
        signal: laneSignal,
        onBytes: (delta) => progress.add(delta, f.path),
      },
    );
    digests.set(f.path, digest);
  });

  // 5. Check the folder, write the manifest, make it visible with one rename.
  progress.setPhase('verifying');
  await assertModelLayout(staging, plan.layout);
  progress.setPhase('installing');
  await rm(path.join(staging, STAGING_MARKER), { force: true });
  const manifest: ModelManifest = {
    schemaVersion: 1,
    id: plan.id,
    name: plan.name,
    kind: plan.layout.kind,
    source: { kind: 'hub', endpoint: hub.endpoint, repo: plan.repo, revision: plan.revision, commit },
    files: files
      .map((f) => ({ path: f.path, sizeBytes: f.sizeBytes, sha256: digests.get(f.path)?.sha256 ?? '' }))
      .sort((a, b) => a.path.localeCompare(b.path)),
    totalBytes,
    installedAt: new Date().toISOString(),
  };
  if (plan.catalog) {
    manifest.catalogId = plan.catalog.id;
    manifest.family = plan.catalog.family;
  }
  throwIfAborted(signal);
  await store.install(staging, manifest);
  logger.info({ repo: plan.repo, commit, files: files.length, totalBytes }, 'model installed');
  progress.setPhase('done');
  return manifest;
}
