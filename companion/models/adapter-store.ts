// LoRAs, textual-inversion embeddings and VAEs as store entries beside the models:
//   <data>/loras/<name>.safetensors       + <name>.stipple.json (sha256, size, family, trigger words, source)
//   <data>/embeddings/<name>.safetensors  + <name>.stipple.json (token, vectors, width, family)
//   <data>/vaes/<name>/vae_decoder[, vae_encoder]/model.onnx + stipple-vae.json
// Imports are verified first — strict safetensors header checks and a parse as a LoRA / embedding;
// pickles (.pt/.ckpt/.bin) are refused with the reason — then copied to a temp name and renamed, so a
// failed import leaves nothing listed. Files a user drops into loras/ by hand are listed too (verified on
// first use by the pipeline). The `<lora:name:weight>` prompt syntax resolves names in loras/.
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { cp, mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseEmbedding } from '../pipeline/embeddings/embedding-file.js';
import { AdapterError } from '../pipeline/lora/adapter-errors.js';
import {
  BASE_FAMILY_LABEL,
  type BaseFamily,
  detectLoraFamily,
  loraTriggerWords,
} from '../pipeline/lora/lora-family.js';
import { parseLoraFile } from '../pipeline/lora/lora-file.js';
import { assertNotPickle, readSafetensors } from '../pipeline/lora/safetensors.js';

export type AdapterKind = 'lora' | 'embedding' | 'vae';

export interface AdapterEntry {
  kind: AdapterKind;
  /** Name used in prompts (`<lora:name:1>`) and requests. */
  name: string;
  /** The .safetensors file, or the VAE folder. */
  path: string;
  sizeBytes: number;
  sha256?: string;
  family: BaseFamily;
  familyLabel: string;
  /** LoRA: trigger words from the file's metadata. */
  triggerWords?: string[];
  /** Embedding: the word to type in a prompt, and its vector count. */
  token?: string;
  vectors?: number;
  /** False for files dropped into the folder by hand (not yet verified). */
  verified: boolean;
  source?: string;
}

const FOLDERS: Record<AdapterKind, string> = { lora: 'loras', embedding: 'embeddings', vae: 'vaes' };
const SIDE = '.stipple.json';
const NAME = /^[A-Za-z0-9][A-Za-z0-9 _.()+-]{0,127}$/;

function assertName(name: string): string {
  if (!NAME.test(name) || name.includes('..')) {
    throw new AdapterError(
      'not_found',
      `\`name\` must be 1–128 characters of letters, digits, space and _ . ( ) + - (no paths), got "${name}"`,
      { field: 'name' },
    );
  }
  return name;
}

const familyOfWidth = (dim: number): BaseFamily => (dim === 768 ? 'sd1' : dim === 1024 ? 'sd2' : 'unknown');

export class AdapterStore {
  constructor(readonly dataDir: string) {}

  folder(kind: AdapterKind): string {
    return path.join(this.dataDir, FOLDERS[kind]);
  }

  /** Verifies and copies a .safetensors LoRA or embedding into the store. */
  async importFile(
    kind: 'lora' | 'embedding',
    file: string,
    opts: { name?: string } = {},
  ): Promise<AdapterEntry> {
    const src = path.resolve(file);
    const field = kind === 'lora' ? 'loras' : 'embeddings';
    assertNotPickle(src, new Uint8Array(0), field);
    const info = await stat(src).catch(() => undefined);
    if (!info?.isFile()) throw new AdapterError('not_found', `${file} is not a file`, { field });
    const bytes = new Uint8Array(await readFile(src));
    const name = assertName(opts.name ?? path.basename(src).replace(/\.safetensors$/i, ''));
    const entry: AdapterEntry = {
      kind,
      name,
      path: path.join(this.folder(kind), `${name}.safetensors`),
      sizeBytes: bytes.byteLength,
      sha256: createHash('sha256').update(bytes).digest('hex'),
      family: 'unknown',
      familyLabel: '',
      verified: true,
      source: src,
    };
    if (kind === 'lora') {
      const st = readSafetensors(bytes, src, field);
      const lora = parseLoraFile(st, src, name, field);
      entry.family = detectLoraFamily(lora);
      entry.triggerWords = loraTriggerWords(st.metadata);
    } else {
      // Parsed under its store path: an A1111 file's token is its (new) file name.
      const emb = parseEmbedding(bytes, entry.path, field);
      entry.token = emb.token;
      entry.vectors = emb.vectors[0].count;
      entry.family = emb.vectors.length === 2 ? 'sdxl' : familyOfWidth(emb.vectors[0].dim);
    }
    entry.familyLabel = BASE_FAMILY_LABEL[entry.family];
    if (existsSync(entry.path)) {
      throw new AdapterError('unsupported_format', `a ${kind} named "${name}" is already installed`, {
        field: 'name',
      });
    }
    await mkdir(this.folder(kind), { recursive: true });
    const tmp = `${entry.path}.${randomBytes(4).toString('hex')}.tmp`;
    await writeFile(tmp, bytes);
    await writeFile(
      `${entry.path.replace(/\.safetensors$/, '')}${SIDE}`,
      `${JSON.stringify(entry, null, 2)}\n`,
    );
    await rename(tmp, entry.path);
    return entry;
  }

  /** Copies a VAE folder (vae_decoder/ and optionally vae_encoder/ with model.onnx) into the store. */
  async importVae(dir: string, opts: { name?: string } = {}): Promise<AdapterEntry> {
    const src = path.resolve(dir);
    if (!existsSync(path.join(src, 'vae_decoder', 'model.onnx'))) {
      throw new AdapterError('vae_incompatible', `${dir} has no vae_decoder/model.onnx`, { field: 'vae' });
    }
    const name = assertName(opts.name ?? path.basename(src));
    const dest = path.join(this.folder('vae'), name);
    if (existsSync(dest)) {
      throw new AdapterError('unsupported_format', `a VAE named "${name}" is already installed`, {
        field: 'name',
      });
    }
    const tmp = `${dest}.${randomBytes(4).toString('hex')}.tmp`;
    await mkdir(tmp, { recursive: true });
    let sizeBytes = 0;
    for (const part of ['vae_decoder', 'vae_encoder']) {
      if (!existsSync(path.join(src, part))) continue;
      await cp(path.join(src, part), path.join(tmp, part), { recursive: true, dereference: false });
      for (const f of await readdir(path.join(tmp, part)))
        sizeBytes += (await stat(path.join(tmp, part, f))).size;
    }
    const cfg = JSON.parse(
      await readFile(path.join(src, 'vae_decoder', 'config.json'), 'utf8').catch(() => '{}'),
    );
    const family: BaseFamily =
      typeof cfg.scaling_factor === 'number' && cfg.scaling_factor < 0.15 ? 'sdxl' : 'unknown';
    const entry: AdapterEntry = {
      kind: 'vae',
      name,
      path: dest,
      sizeBytes,
      family,
      familyLabel: BASE_FAMILY_LABEL[family],
      verified: true,
      source: src,
    };
    await writeFile(path.join(tmp, 'stipple-vae.json'), `${JSON.stringify(entry, null, 2)}\n`);
    await rename(tmp, dest);
    return entry;
  }

  async list(kind: AdapterKind): Promise<AdapterEntry[]> {
    const dir = this.folder(kind);
    const names = await readdir(dir).catch(() => [] as string[]);
    const out: AdapterEntry[] = [];
    for (const n of names.sort()) {
      if (n.endsWith('.tmp')) continue;
      if (kind === 'vae') {
        const side = path.join(dir, n, 'stipple-vae.json');
        if (existsSync(side)) out.push(JSON.parse(await readFile(side, 'utf8')) as AdapterEntry);
        continue;
      }
      if (!/\.safetensors$/i.test(n)) continue;
      const name = n.replace(/\.safetensors$/i, '');
      const side = path.join(dir, `${name}${SIDE}`);
      if (existsSync(side))
        out.push({ ...(JSON.parse(await readFile(side, 'utf8')) as AdapterEntry), path: path.join(dir, n) });
      else {
        out.push({
          kind,
          name,
          path: path.join(dir, n),
          sizeBytes: (await stat(path.join(dir, n))).size,
          family: 'unknown',
          familyLabel: BASE_FAMILY_LABEL.unknown,
          verified: false,
          ...(kind === 'embedding' ? { token: name } : {}),
        });
      }
    }
    return out;
  }

  async remove(kind: AdapterKind, name: string): Promise<void> {
    assertName(name);
    const dir = this.folder(kind);
    const target = kind === 'vae' ? path.join(dir, name) : path.join(dir, `${name}.safetensors`);
    if (!existsSync(target)) {
      throw new AdapterError('unknown_name', `no ${kind} named "${name}" is installed`, { field: 'name' });
    }
    await rm(target, { recursive: true, force: true });
    if (kind !== 'vae') await rm(path.join(dir, `${name}${SIDE}`), { force: true });
  }

  /** The file (or VAE folder) of an installed entry. */
  async resolve(kind: AdapterKind, name: string): Promise<string> {
    const hit = (await this.list(kind)).find((e) => e.name === name);
    if (!hit)
      throw new AdapterError('unknown_name', `no ${kind} named "${name}" is installed`, { field: 'name' });
    return hit.path;
  }
}
