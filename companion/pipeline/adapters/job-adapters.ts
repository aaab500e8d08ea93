// What one generate job asks of the adapters, resolved to files: `<lora:name:weight>` tags in the prompt
// (removed from the text CLIP sees), LoRAs named in the request (store names) or given as files (CLI),
// embeddings given as files plus those in the embedding folders whose token the prompt or negative
// prompt uses (so an unused embedding never changes the text encoder), and a VAE folder.
import path from 'node:path';
import { AdapterError } from '../lora/adapter-errors.js';
import { extractPromptLoras, listAdapterFiles, resolveLoraName } from '../lora/lora-library.js';
import type { AdapterFileCache } from './adapter-files.js';
import { stampFile } from './adapter-files.js';
import type { AdapterRequest } from './adapter-runtime.js';

export interface AdapterDirs {
  loras: readonly string[];
  embeddings: readonly string[];
}

/** The store folders (companion/models/adapter-store.ts) under the data home. */
export function storeAdapterDirs(dataHome: string): AdapterDirs {
  return { loras: [path.join(dataHome, 'loras')], embeddings: [path.join(dataHome, 'embeddings')] };
}

export interface JobAdapterInput {
  prompt: string;
  negativePrompt: string;
  /** By store name (protocol) or by file (CLI). */
  loras?: readonly { name?: string; file?: string; weight: number }[];
  embeddings?: readonly string[];
  vaeDir?: string;
}

export interface ResolvedJobAdapters {
  prompt: string;
  negativePrompt: string;
  request: AdapterRequest;
  notes: string[];
}

export function resolveJobAdapters(
  input: JobAdapterInput,
  dirs: AdapterDirs,
  files: AdapterFileCache,
): ResolvedJobAdapters {
  const notes: string[] = [];
  const pos = extractPromptLoras(input.prompt);
  const neg = extractPromptLoras(input.negativePrompt);
  for (const t of [...pos.ignored, ...neg.ignored]) notes.push(`${t} removed from the prompt: not a LoRA`);
  if (neg.loras.length) notes.push('LoRA tags in the negative prompt are removed and not applied (as A1111)');
  const library = pos.loras.length || input.loras?.some((l) => !l.file) ? listAdapterFiles(dirs.loras) : [];
  const loras: NonNullable<AdapterRequest['loras']>[number][] = [];
  for (const l of input.loras ?? []) {
    if (l.file) loras.push({ file: l.file, weight: l.weight });
    else if (l.name) loras.push({ file: resolveLoraName(l.name, library), weight: l.weight, name: l.name });
  }
  for (const l of pos.loras)
    loras.push({ file: resolveLoraName(l.name, library), weight: l.weight, name: l.name });

  const embeddings = [...(input.embeddings ?? [])];
  const text = `${pos.prompt}\n${neg.prompt}`;
  for (const f of listAdapterFiles(dirs.embeddings)) {
    if (embeddings.includes(f.file)) continue;
    // Parsed once per file version (cached); a broken file only matters when its name is used.
    try {
      const emb = files.embedding(stampFile(f.file, 'embeddings'));
      if (text.toLowerCase().includes(emb.token.toLowerCase())) embeddings.push(f.file);
    } catch (err) {
      if (!(err instanceof AdapterError)) throw err;
      if (text.includes(f.name)) throw err;
      notes.push(`embedding ${f.name} skipped: ${err.message}`);
    }
  }
  return {
    prompt: pos.prompt,
    negativePrompt: neg.prompt,
    request: { loras, embeddings, ...(input.vaeDir ? { vaeDir: input.vaeDir } : {}) },
    notes,
  };
}
