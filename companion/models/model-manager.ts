// The service behind `stipple models …` and the protocol's `models`, `model_pull`,
// `model_cancel`, `model_remove` messages: one object owning the store, the hub client and
// the in-flight downloads. Concurrent pulls of one model share one download. Callbacks, not
// events; a logger passed in, no console.
import { statfs } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from 'pino';
import { type CatalogEntry, MODEL_CATALOG } from './catalog.js';
import { DEFAULT_ONNX_SELECTION } from './file-patterns.js';
import type { HubConfig } from './hub-client.js';
import { ModelError } from './model-errors.js';
import { importModelFolder } from './model-import.js';
import { assertModelLayout } from './model-layout.js';
import { assertModelId, looksLikeRepoRef, modelIdForRepo, parseRepoRef } from './model-ref.js';
import { type ModelManifest, ModelStore, type PartialDownload, readManifestIn } from './model-store.js';
import { type VerifyReport, verifyFiles } from './model-verify.js';
import type { PullProgress, PullProgressListener } from './pull-progress.js';
import { type PullPlan, runPull } from './pull-runner.js';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from './retry-policy.js';

/** Catalog id of the tiny autoencoder `quality: 'fast'` falls back to (deinferno/taesd-onnx). */
export const TAESD_ID = 'taesd';

export interface ModelManagerOptions {
  home: string;
  logger: Logger;
  hub: HubConfig;
  /** Files downloaded at once (default 4). */
  concurrency?: number;
  retry?: RetryPolicy;
  /** Caps the free space the disk check sees; tests use it to simulate a full disk. */
  diskBudgetBytes?: number;
  catalog?: readonly CatalogEntry[];
  progressIntervalMs?: number;
}

export interface PullOptions {
  onProgress?: PullProgressListener;
  signal?: AbortSignal;
  /** Download again even when installed. */
  force?: boolean;
}

export interface ImportOptions {
  mode: 'copy' | 'link';
  id?: string;
}

export interface ResolvedModel {
  dir: string;
  /** Null for a bare folder passed by absolute path that was never imported. */
  manifest: ModelManifest | null;
}

export interface CatalogListing extends CatalogEntry {
  installed: boolean;
}

interface ActivePull {
  controller: AbortController;
  listeners: Set<PullProgressListener>;
  waiters: number;
  promise: Promise<ModelManifest>;
}

export class ModelManager {
  readonly store: ModelStore;
  private readonly active = new Map<string, ActivePull>();
  private readonly catalogEntries: readonly CatalogEntry[];

  constructor(private readonly opts: ModelManagerOptions) {
    this.store = new ModelStore(opts.home);
    this.catalogEntries = opts.catalog ?? MODEL_CATALOG;
  }

  /** Installed models (manifest present), sorted by id. */
  list(): Promise<ModelManifest[]> {
    return this.store.list();
  }

  /** The built-in catalog with an `installed` flag per entry. */
  async catalog(): Promise<CatalogListing[]> {
    const installed = new Set((await this.store.list()).map((m) => m.id));
    return this.catalogEntries.map((e) => ({ ...e, installed: installed.has(e.id) }));
  }

  /** Downloads that stopped part-way (cancelled or killed); pulling the same id resumes them. */
  partials(): Promise<PartialDownload[]> {
    return this.store.partials();
  }

  /** Ids with a download in progress. */
  pulling(): string[] {
    return [...this.active.keys()];
  }

  /** Turns `sd-turbo` or `owner/name[@rev]` into what to fetch; throws on unknown/malformed refs. */
  planPull(ref: string): PullPlan {
    const entry = this.catalogEntries.find((e) => e.id === ref);
    if (entry) {
      return {
        id: entry.id,
        name: entry.name,
        repo: entry.repo,
        revision: entry.revision,
        selection: entry.files,
        layout: { kind: entry.kind, requiredFiles: entry.requiredFiles },
        catalog: entry,
      };
    }
    if (looksLikeRepoRef(ref)) {
      const { repo, revision } = parseRepoRef(ref);
      return {
        id: modelIdForRepo(repo),
        name: repo,
        repo,
        revision,
        selection: DEFAULT_ONNX_SELECTION,
        layout: { kind: 'pipeline' },
      };
    }
    assertModelId(ref, 'ref');
    const known = this.catalogEntries.map((e) => e.id).join(', ');
    throw new ModelError(
      'E_MODEL_NOT_FOUND',
      `unknown model "${ref}": not in the catalog (${known}) and not an "owner/name[@revision]" hub repo`,
      { field: 'ref' },
    );
  }

  /**
   * Downloads and installs a model. A second pull of the same id while one runs joins it:
   * one download, both callers get its progress and its result.
   */
  pull(ref: string, options: PullOptions = {}): Promise<ModelManifest> {
    let plan: PullPlan;
    try {
      plan = this.planPull(ref);
    } catch (err) {
      return Promise.reject(err);
    }
    // Registered synchronously, before any await, so a second caller always finds it.
    const running = this.active.get(plan.id);
    if (running) return this.join(running, options);
    const controller = new AbortController();
    const listeners = new Set<PullProgressListener>();
    const emit = (event: PullProgress) => {
      for (const l of listeners) l(event);
    };
    const promise = this.installedOrPull(plan, options.force === true, controller.signal, emit).finally(
      () => {
        this.active.delete(plan.id);
      },
    );
    // The shared promise may reject with nobody waiting (all callers detached): mark it handled.
    promise.catch(() => {});
    const pull: ActivePull = { controller, listeners, waiters: 0, promise };
    this.active.set(plan.id, pull);
    return this.join(pull, options);
  }

  private async installedOrPull(
    plan: PullPlan,
    force: boolean,
    signal: AbortSignal,
    onProgress: PullProgressListener,
  ): Promise<ModelManifest> {
    if (!force) {
      const installed = await this.store.readManifest(plan.id);
      if (installed) return installed;
    }
    return runPull(plan, {
      store: this.store,
      hub: this.opts.hub,
      logger: this.opts.logger.child({ model: plan.id }),
      retry: this.opts.retry ?? DEFAULT_RETRY_POLICY,
      concurrency: this.opts.concurrency ?? 4,
      freeBytes: (dir) => this.freeBytes(dir),
      signal,
      onProgress,
      progressIntervalMs: this.opts.progressIntervalMs,
    });
  }

  private join(pull: ActivePull, options: PullOptions): Promise<ModelManifest> {
    const { onProgress, signal } = options;
    if (onProgress) pull.listeners.add(onProgress);
    pull.waiters++;
    return new Promise<ModelManifest>((resolve, reject) => {
      const detach = () => {
        if (onProgress) pull.listeners.delete(onProgress);
        pull.waiters--;
        signal?.removeEventListener('abort', onAbort);
      };
      const onAbort = () => {
        detach();
        // The last caller leaving cancels the download itself.
        if (pull.waiters === 0) pull.controller.abort();
        reject(new ModelError('E_CANCELLED', 'pull cancelled'));
      };
      if (signal?.aborted) {
        onAbort();
        return;
      }
      signal?.addEventListener('abort', onAbort, { once: true });
      pull.promise.then(
        (m) => {
          detach();
          resolve(m);
        },
        (err: unknown) => {
          detach();
          reject(err);
        },
      );
    });
  }

  /** The store id a pull reference installs to (`sd-turbo` → itself, `owner/name@rev` → `owner--name`). */
  idFor(ref: string): string {
    return looksLikeRepoRef(ref) ? modelIdForRepo(parseRepoRef(ref).repo) : assertModelId(ref, 'model');
  }

  /** Cancels a running pull (by id or by the ref it was started with) for every caller. */
  cancel(idOrRef: string): boolean {
    const pull = this.active.get(this.idFor(idOrRef));
    if (!pull) return false;
    pull.controller.abort();
    return true;
  }

  /** Removes an installed model, by id or ref (cancelling its download first, if any). */
  async remove(idOrRef: string): Promise<void> {
    const id = this.idFor(idOrRef);
    const pull = this.active.get(id);
    if (pull) {
      pull.controller.abort();
      await pull.promise.catch(() => undefined);
    }
    await this.store.remove(id);
  }

  /** Re-hashes every file of an installed model against its manifest. */
  async verify(id: string, signal?: AbortSignal): Promise<VerifyReport> {
    const { dir, manifest } = await this.resolve(id, { check: 'none' });
    if (!manifest) throw new ModelError('E_MODEL_NOT_FOUND', `no manifest for "${id}"`, { field: 'id' });
    return verifyFiles(id, dir, manifest.files, 'full', signal);
  }

  /** Checks a local diffusers ONNX folder and copies (or links) it into the store. */
  import(folder: string, options: ImportOptions): Promise<ModelManifest> {
    return importModelFolder(this.store, folder, options, (dir) => this.freeBytes(dir));
  }

  /**
   * Where the pipeline finds a model: an installed id, or an absolute folder path. Ids with
   * separators, `..`, drive letters or UNC prefixes are refused. By default every listed
   * file must exist with its recorded size (`check: 'full'` re-hashes them).
   */
  async resolve(idOrDir: string, options: { check?: 'none' | 'size' | 'full' } = {}): Promise<ResolvedModel> {
    const check = options.check ?? 'size';
    if (path.isAbsolute(idOrDir) && !idOrDir.startsWith('\\\\') && !idOrDir.startsWith('//')) {
      const dir = path.resolve(idOrDir);
      const manifest = await readManifestIn(dir);
      await assertModelLayout(dir, { kind: manifest?.kind ?? 'pipeline' });
      return { dir, manifest };
    }
    const id = assertModelId(idOrDir, 'model');
    const manifest = await this.store.readManifest(id);
    if (!manifest) {
      const inCatalog = this.catalogEntries.some((e) => e.id === id);
      throw new ModelError(
        'E_MODEL_NOT_FOUND',
        inCatalog
          ? `model "${id}" is not installed: run \`stipple models pull ${id}\``
          : `no installed model "${id}" (see \`stipple models list\`)`,
        { field: 'model' },
      );
    }
    const dir = manifest.linkedDir ?? this.store.modelDir(id);
    if (check !== 'none') {
      const report = await verifyFiles(id, dir, manifest.files, check);
      if (!report.ok) {
        const p = report.problems[0];
        throw new ModelError(
          'E_MODEL_CHECKSUM',
          `model "${id}" is damaged: "${p.path}" is ${p.problem}; run \`stipple models verify ${id}\` or pull it again`,
          { field: 'model' },
        );
      }
    }
    return { dir, manifest };
  }

  /**
   * The installed tiny autoencoder (catalog `taesd`) for `quality: 'fast'` on a model of `family`, when
   * the model folder has none of its own: SD 1.x/2.x families only (TAESD decodes the SD 1.x/2.x latent
   * space; SDXL needs TAESDXL, which a model folder may carry as vae_decoder_tiny/). Undefined when it is
   * not installed or damaged. One manifest read: catalog models install under their catalog id.
   */
  async installedTinyDecoder(family: string | undefined): Promise<string | undefined> {
    if (family?.startsWith('sdxl')) return undefined;
    const r = await this.resolve(TAESD_ID, { check: 'size' }).catch(() => undefined);
    return r?.manifest?.kind === 'vae-approx' ? r.dir : undefined;
  }

  private async freeBytes(dir: string): Promise<number> {
    const s = await statfs(dir);
    const free = Number(s.bavail) * Number(s.bsize);
    return this.opts.diskBudgetBytes === undefined ? free : Math.min(free, this.opts.diskBudgetBytes);
  }
}
