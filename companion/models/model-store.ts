// The on-disk store: `<home>/models/<id>/` holds one model and its `stipple-manifest.json`.
// A folder without a manifest does not exist as far as `list()` is concerned, downloads
// build in `<home>/models/.staging/<id>/` and become visible by one directory rename, and
// removal renames into `.trash/` before deleting, so a crash never leaves a half-model listed.
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { ModelError } from './model-errors.js';
import { assertModelId } from './model-ref.js';

export const MANIFEST_FILE = 'stipple-manifest.json';
/** Written into a staging folder when a pull starts: which repo and commit it holds. */
export const STAGING_MARKER = '.stipple-pull.json';
const STAGING_DIR = '.staging';
const TRASH_DIR = '.trash';

const manifestFileSchema = z.object({
  path: z.string(),
  sizeBytes: z.number().int().nonnegative(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
});

const sourceSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('hub'),
    endpoint: z.string(),
    repo: z.string(),
    revision: z.string(),
    commit: z.string(),
  }),
  z.object({ kind: z.literal('import'), path: z.string(), mode: z.enum(['copy', 'link']) }),
]);

export const manifestSchema = z.object({
  schemaVersion: z.literal(1),
  id: z.string(),
  name: z.string().optional(),
  catalogId: z.string().optional(),
  kind: z.enum(['pipeline', 'vae-approx', 'interrogator']),
  family: z.string().optional(),
  source: sourceSchema,
  /** For `link` imports: the folder the files live in; otherwise absent (files are beside the manifest). */
  linkedDir: z.string().optional(),
  files: z.array(manifestFileSchema),
  totalBytes: z.number().int().nonnegative(),
  installedAt: z.string(),
});

export type ModelManifest = z.infer<typeof manifestSchema>;

/** A download that stopped part-way (cancelled, killed); `pull` of the same id resumes it. */
export interface PartialDownload {
  id: string;
  repo: string;
  commit: string;
  bytesOnDisk: number;
}
export type ManifestFile = z.infer<typeof manifestFileSchema>;

/** Writes a file by tmp + rename so readers see the old or the new content, never half. */
export async function writeFileAtomic(file: string, data: string): Promise<void> {
  const tmp = `${file}.${randomBytes(4).toString('hex')}.tmp`;
  await writeFile(tmp, data);
  await rename(tmp, file);
}

export class ModelStore {
  readonly root: string;

  constructor(home: string) {
    this.root = path.join(home, 'models');
  }

  modelDir(id: string): string {
    return path.join(this.root, assertModelId(id));
  }

  stagingDir(id: string): string {
    return path.join(this.root, STAGING_DIR, assertModelId(id));
  }

  async ensureRoot(): Promise<void> {
    await mkdir(path.join(this.root, STAGING_DIR), { recursive: true });
  }

  async readManifest(id: string): Promise<ModelManifest | null> {
    return readManifestIn(this.modelDir(id));
  }

  /** Installed models (those with a valid manifest), sorted by id. */
  async list(): Promise<ModelManifest[]> {
    let names: string[];
    try {
      names = await readdir(this.root);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
    const out: ModelManifest[] = [];
    for (const name of names.sort()) {
      if (name.startsWith('.')) continue;
      const manifest = await readManifestIn(path.join(this.root, name));
      if (manifest && manifest.id === name) out.push(manifest);
    }
    return out;
  }

  /** Downloads that stopped part-way and can be resumed. */
  async partials(): Promise<PartialDownload[]> {
    const dir = path.join(this.root, STAGING_DIR);
    const names = await readdir(dir).catch(() => [] as string[]);
    const out: PartialDownload[] = [];
    for (const id of names.sort()) {
      const marker = await readStagingMarker(path.join(dir, id));
      // Folders without a marker are imports in progress (or lock files): not resumable.
      if (marker) out.push({ id, ...marker, bytesOnDisk: await folderBytes(path.join(dir, id)) });
    }
    return out;
  }

  /**
   * Writes the manifest into a fully verified staging folder, then makes the model visible
   * with one rename (replacing an older install, which goes to the trash first).
   */
  async install(staging: string, manifest: ModelManifest): Promise<void> {
    await writeFileAtomic(path.join(staging, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`);
    const dest = this.modelDir(manifest.id);
    const old = await this.moveToTrash(dest);
    await rename(staging, dest);
    await this.deleteTrashed([old]);
  }

  /** Removes an installed model and its staging leftovers; E_MODEL_NOT_FOUND if neither exists. */
  async remove(id: string): Promise<void> {
    const model = await this.moveToTrash(this.modelDir(id));
    const staging = await this.moveToTrash(this.stagingDir(id));
    await this.deleteTrashed([model, staging]);
    if (!model && !staging) {
      throw new ModelError('E_MODEL_NOT_FOUND', `no installed model "${id}"`, { field: 'id' });
    }
  }

  /**
   * Renames `dir` to a unique name inside `.trash/` and returns that path (null when `dir` does not
   * exist). `.trash/` itself is never deleted while the store runs, and each operation deletes only
   * what it moved there, so concurrent removes and installs cannot pull the folder from under each
   * other (an ENOENT from the rename then always means the source was missing).
   */
  private async moveToTrash(dir: string): Promise<string | null> {
    const trash = path.join(this.root, TRASH_DIR);
    await mkdir(trash, { recursive: true });
    await this.sweepTrashOnce(trash);
    const target = path.join(trash, `${path.basename(dir)}-${randomBytes(6).toString('hex')}`);
    try {
      await rename(dir, target);
      return target;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
  }

  private async deleteTrashed(paths: (string | null)[]): Promise<void> {
    for (const p of paths) if (p) await rm(p, { recursive: true, force: true });
  }

  private sweep: Promise<void> | undefined;
  /** Leftovers of a process that died mid-removal are deleted once, before this store's first move. */
  private sweepTrashOnce(trash: string): Promise<void> {
    this.sweep ??= readdir(trash)
      .then((names) =>
        Promise.all(names.map((n) => rm(path.join(trash, n), { recursive: true, force: true }))),
      )
      .then(() => undefined);
    return this.sweep;
  }
}

const markerSchema = z.object({ repo: z.string(), commit: z.string() });

/** The staging marker of a pull, or null when `dir` is not a pull's staging folder. */
export async function readStagingMarker(dir: string): Promise<z.infer<typeof markerSchema> | null> {
  const text = await readFile(path.join(dir, STAGING_MARKER), 'utf8').catch(() => null);
  if (text === null) return null;
  try {
    const parsed = markerSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

async function folderBytes(dir: string): Promise<number> {
  let total = 0;
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) total += await folderBytes(full);
    else if (entry.isFile() && entry.name !== STAGING_MARKER) total += (await stat(full)).size;
  }
  return total;
}

/** Reads and validates `<dir>/stipple-manifest.json`; null when absent or invalid. */
export async function readManifestIn(dir: string): Promise<ModelManifest | null> {
  let text: string;
  try {
    text = await readFile(path.join(dir, MANIFEST_FILE), 'utf8');
  } catch {
    return null;
  }
  try {
    const parsed = manifestSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}
