// Reads LoRA and embedding files once and keeps the parsed result while the file is unchanged (size and
// mtime), so a second job with the same LoRA neither reads nor parses it again.
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { parseEmbedding, type TextualInversion } from '../embeddings/embedding-file.js';
import { AdapterError } from '../lora/adapter-errors.js';
import { type LoraFile, parseLoraFile } from '../lora/lora-file.js';
import { assertNotPickle, readSafetensors } from '../lora/safetensors.js';

export interface FileStamp {
  file: string;
  key: string;
}

export function stampFile(file: string, field: string): FileStamp {
  const abs = path.resolve(file);
  if (!existsSync(abs) || !statSync(abs).isFile()) {
    throw new AdapterError('not_found', `\`${field}\`: ${file} does not exist or is not a file`, { field });
  }
  assertNotPickle(abs, new Uint8Array(0), field);
  const st = statSync(abs);
  return { file: abs, key: `${abs}|${st.size}|${st.mtimeMs}` };
}

export function loraNameOf(file: string): string {
  return path.basename(file).replace(/\.safetensors$/i, '');
}

export class AdapterFileCache {
  private readonly loras = new Map<string, LoraFile>();
  private readonly embeddings = new Map<string, TextualInversion>();
  reads = 0;

  lora(stamp: FileStamp, name = loraNameOf(stamp.file)): LoraFile {
    const hit = this.loras.get(stamp.key);
    if (hit) return hit.name === name ? hit : { ...hit, name };
    this.reads++;
    const bytes = new Uint8Array(readFileSync(stamp.file));
    const lora = parseLoraFile(readSafetensors(bytes, stamp.file, 'loras'), stamp.file, name);
    this.loras.set(stamp.key, lora);
    return lora;
  }

  embedding(stamp: FileStamp): TextualInversion {
    const hit = this.embeddings.get(stamp.key);
    if (hit) return hit;
    this.reads++;
    const emb = parseEmbedding(new Uint8Array(readFileSync(stamp.file)), stamp.file);
    this.embeddings.set(stamp.key, emb);
    return emb;
  }
}
