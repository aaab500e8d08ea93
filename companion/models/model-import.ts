// `stipple models import <folder>`: checks that a local folder is a diffusers ONNX pipeline,
// then copies it into the store (or records a link to it), hashing every file for the
// manifest. Copies build in staging like downloads, so a failed import leaves nothing listed.
import { copyFile, lstat, mkdir, readdir, readFile, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { hashFile } from './file-hash.js';
import { ModelError } from './model-errors.js';
import { assertModelLayout } from './model-layout.js';
import { assertModelId } from './model-ref.js';
import { MANIFEST_FILE, type ManifestFile, type ModelManifest, type ModelStore } from './model-store.js';

/** Relative POSIX paths of the regular files under `root` (symlinks are not followed). */
async function walkFiles(root: string, rel = ''): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(path.join(root, rel), { withFileTypes: true })) {
    const child = rel ? `${rel}/${entry.name}` : entry.name;
    if (entry.isDirectory()) out.push(...(await walkFiles(root, child)));
    else if (entry.isFile() && !entry.name.endsWith('.incomplete') && child !== MANIFEST_FILE)
      out.push(child);
  }
  return out.sort();
}

/** Best-effort family from model_index.json and the UNet config (9 input channels = inpainting). */
async function detectFamily(dir: string): Promise<string | undefined> {
  try {
    const index = JSON.parse(await readFile(path.join(dir, 'model_index.json'), 'utf8')) as {
      _class_name?: string;
    };
    if (index._class_name?.includes('XL')) return 'sdxl';
    const unet = JSON.parse(
      await readFile(path.join(dir, 'unet', 'config.json'), 'utf8').catch(() => '{}'),
    ) as {
      in_channels?: number;
    };
    return unet.in_channels === 9 ? 'sd15-inpaint' : 'sd15';
  } catch {
    return undefined;
  }
}

function defaultIdFor(folder: string): string {
  const base = path
    .basename(folder)
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .replace(/^[^A-Za-z0-9]+/, '');
  return base || 'imported-model';
}

export async function importModelFolder(
  store: ModelStore,
  folder: string,
  options: { mode: 'copy' | 'link'; id?: string },
  freeBytes: (dir: string) => Promise<number>,
): Promise<ModelManifest> {
  const src = path.resolve(folder);
  const info = await stat(src).catch(() => undefined);
  if (!info?.isDirectory()) {
    throw new ModelError('E_MODEL_LAYOUT', `"${folder}" is not a folder`, { field: 'folder' });
  }
  const kind = await detectImportKind(src);
  await assertModelLayout(src, {
    kind,
    requiredFiles: kind === 'interrogator' ? await interrogatorFiles(src) : undefined,
  });
  const id = assertModelId(options.id ?? defaultIdFor(src), 'id');
  if (await store.readManifest(id)) {
    throw new ModelError(
      'E_BAD_REQUEST',
      `a model "${id}" is already installed: pass another id or remove it first`,
      { field: 'id' },
    );
  }
  await store.ensureRoot();
  const rels = await walkFiles(src);
  if (options.mode === 'copy') {
    let needed = 0;
    for (const rel of rels) needed += (await stat(path.join(src, ...rel.split('/')))).size;
    const free = await freeBytes(store.root);
    if (needed > free) {
      throw new ModelError(
        'E_DISK_FULL',
        `not enough disk space to copy "${folder}": needs ${needed} bytes, ${free} available (or use --link)`,
        { field: 'disk' },
      );
    }
  }
  const staging = store.stagingDir(id);
  await rm(staging, { recursive: true, force: true });
  await mkdir(staging, { recursive: true });
  try {
    const files: ManifestFile[] = [];
    for (const rel of rels) {
      const from = path.join(src, ...rel.split('/'));
      if ((await lstat(from)).isSymbolicLink()) continue;
      let hashed = from;
      if (options.mode === 'copy') {
        const to = path.join(staging, ...rel.split('/'));
        await mkdir(path.dirname(to), { recursive: true });
        await copyFile(from, to);
        hashed = to;
      }
      const digest = await hashFile(hashed);
      files.push({ path: rel, sizeBytes: digest.sizeBytes, sha256: digest.sha256 });
    }
    const manifest: ModelManifest = {
      schemaVersion: 1,
      id,
      name: path.basename(src),
      kind,
      source: { kind: 'import', path: src, mode: options.mode },
      files,
      totalBytes: files.reduce((s, f) => s + f.sizeBytes, 0),
      installedAt: new Date().toISOString(),
    };
    const family = await detectFamily(src);
    if (family) manifest.family = family;
    if (options.mode === 'link') manifest.linkedDir = src;
    await store.install(staging, manifest);
    return manifest;
  } catch (err) {
    await rm(staging, { recursive: true, force: true });
    throw err;
  }
}

/** A CLIP interrogator folder (onnx/vision_model*.onnx + onnx/text_model*.onnx) or a diffusers pipeline. */
async function detectImportKind(src: string): Promise<'pipeline' | 'interrogator'> {
  return (await interrogatorFiles(src)).length === 2 ? 'interrogator' : 'pipeline';
}

async function interrogatorFiles(src: string): Promise<string[]> {
  const names = await readdir(path.join(src, 'onnx')).catch(() => [] as string[]);
  const vision = names.find((n) => n.startsWith('vision_model') && n.endsWith('.onnx'));
  const text = names.find((n) => n.startsWith('text_model') && n.endsWith('.onnx'));
  return vision && text ? [`onnx/${vision}`, `onnx/${text}`] : [];
}
