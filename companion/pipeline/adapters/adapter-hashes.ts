// The short hashes AUTOMATIC1111 writes into the PNG infotext for LoRAs and textual-inversion embeddings,
// so sites and tools that read `Lora hashes` / `TI hashes` (Civitai's resource matching, A1111's own
// "paste infotext") find the same files:
//   LoRA (.safetensors): the "addnet" hash of kohya-ss/sd-webui-additional-networks — sha256 of the file
//     after the safetensors header (8-byte length + JSON header skipped, so editing metadata keeps the hash),
//     first 12 hex digits (A1111 `NetworkOnDisk.shorthash`).
//   Embedding: sha256 of the whole file, first 12 hex digits (A1111 `Embedding.shorthash`).
// Hashes are cached per file version (path, size, mtime): a LoRA is hashed once, not once per job.
import { createHash } from 'node:crypto';
import { createReadStream, statSync } from 'node:fs';
import { open } from 'node:fs/promises';
import path from 'node:path';

export const SHORT_HASH_DIGITS = 12;

/** sha256 of `bytes` after the safetensors header (A1111/kohya "addnet" hash), full hex. */
export function addnetHash(bytes: Uint8Array): string {
  if (bytes.byteLength < 8) throw new Error('not a safetensors file: shorter than its 8-byte header length');
  const n = new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true);
  const start = Math.min(bytes.byteLength, Number(8n + n));
  return createHash('sha256').update(bytes.subarray(start)).digest('hex');
}

/** sha256 (full hex) of a file's bytes from `start` on, streamed (the pipeline's one file hasher). */
export async function sha256File(file: string, start = 0): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file, { start })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** Where a .safetensors file's tensor data starts (after the 8-byte length and the JSON header). */
async function safetensorsDataStart(file: string): Promise<number> {
  const fh = await open(file, 'r');
  try {
    const head = Buffer.alloc(8);
    const { bytesRead } = await fh.read(head, 0, 8, 0);
    if (bytesRead < 8) throw new Error(`${file} is not a safetensors file: shorter than 8 bytes`);
    return Number(8n + head.readBigUInt64LE(0));
  } finally {
    await fh.close();
  }
}

export class AdapterHashCache {
  private readonly hashes = new Map<string, Promise<string>>();

  private get(file: string, kind: 'lora' | 'embedding'): Promise<string> {
    const abs = path.resolve(file);
    const st = statSync(abs);
    const key = `${kind}|${abs}|${st.size}|${st.mtimeMs}`;
    let hit = this.hashes.get(key);
    if (!hit) {
      // .safetensors LoRAs get the addnet hash; anything else (A1111 does the same) the file's sha256.
      hit =
        kind === 'lora' && /\.safetensors$/i.test(abs)
          ? safetensorsDataStart(abs).then((start) => sha256File(abs, start))
          : sha256File(abs);
      hit.catch(() => this.hashes.delete(key));
      this.hashes.set(key, hit);
    }
    return hit;
  }

  /** A1111 LoRA short hash (12 hex digits). */
  async lora(file: string): Promise<string> {
    return (await this.get(file, 'lora')).slice(0, SHORT_HASH_DIGITS);
  }

  /** A1111 textual-inversion short hash (12 hex digits). */
  async embedding(file: string): Promise<string> {
    return (await this.get(file, 'embedding')).slice(0, SHORT_HASH_DIGITS);
  }
}

/** A1111 drops `:` and `,` from names in hash lists (they separate the entries). */
function listName(name: string): string {
  return name.replace(/[:,]/g, '');
}

export interface UsedAdapters {
  /** LoRAs as named in the prompt/request (A1111's "mentioned name"), with their files. */
  loras: readonly { name: string; file: string }[];
  /** Embeddings by the token the prompt used, with their files. */
  embeddings: readonly { token: string; file: string }[];
  /** The separate VAE's name (its folder name), when one replaced the model's own. */
  vaeName?: string;
  /** Which decoder made the final image when not the full VAE (A1111 `VAE Decoder: TAESD`). */
  vaeDecoder?: 'TAESD';
}

/**
 * Infotext fields for the adapters a job used, as A1111 writes them:
 * `VAE: name`, `VAE Decoder: TAESD`, `Lora hashes: "a: 0123456789ab, b: …"`, `TI hashes: "tok: …"`.
 * Each LoRA / token is listed once, in first-use order. Quoting is the infotext writer's job.
 */
export async function adapterInfotextFields(
  used: UsedAdapters,
  hashes: AdapterHashCache,
): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  if (used.vaeName) out.VAE = used.vaeName;
  if (used.vaeDecoder) out['VAE Decoder'] = used.vaeDecoder;
  const list = async (
    items: readonly { label: string; file: string }[],
    hash: (f: string) => Promise<string>,
  ) => {
    const seen = new Set<string>();
    const parts: string[] = [];
    for (const it of items) {
      const label = listName(it.label);
      if (!label || seen.has(label)) continue;
      seen.add(label);
      parts.push(`${label}: ${await hash(it.file)}`);
    }
    return parts.join(', ');
  };
  const loras = await list(
    used.loras.map((l) => ({ label: l.name, file: l.file })),
    (f) => hashes.lora(f),
  );
  if (loras) out['Lora hashes'] = loras;
  const tis = await list(
    used.embeddings.map((e) => ({ label: e.token, file: e.file })),
    (f) => hashes.embedding(f),
  );
  if (tis) out['TI hashes'] = tis;
  return out;
}
