// Textual-inversion embeddings from safetensors: A1111/civitai (`emb_params`), diffusers (one tensor
// stored under its token, e.g. `<tiny-style>`), SDXL (`clip_l` + `clip_g`, one per text encoder), and
// flattened `string_to_param.*` keys. The token is the name stored in the file where there is one (the
// diffusers key), else the file name without extension (A1111's rule). Pickled `.pt`/`.bin` embeddings
// are refused (see safetensors.ts). Pure: file bytes in, vectors out.
import path from 'node:path';
import { AdapterError } from '../lora/adapter-errors.js';
import { readSafetensors, tensorToFloat32 } from '../lora/safetensors.js';

export interface TextualInversion {
  /** The word that triggers it in a prompt. */
  token: string;
  file: string;
  /** Vectors per text encoder: index 0 = text_encoder (CLIP-L), 1 = text_encoder_2 (SDXL CLIP-G). */
  vectors: { count: number; dim: number; data: Float32Array }[];
}

const GENERIC_KEYS = /^(emb_params|\*|clip_l|clip_g|string_to_param(\.\*)?)$/;

export function parseEmbedding(bytes: Uint8Array, file: string, field = 'embeddings'): TextualInversion {
  const st = readSafetensors(bytes, file, field);
  const keys = [...st.tensors.keys()];
  const toVectors = (key: string) => {
    const t = st.tensors.get(key)!;
    if (t.shape.length === 1) t.shape = [1, t.shape[0]];
    if (t.shape.length !== 2 || t.shape[0] < 1 || t.shape[0] > 75) {
      throw new AdapterError(
        'unsupported_format',
        `${file}: embedding tensor ${key} has shape ${JSON.stringify(t.shape)}, expected (vectors ≤ 75, width)`,
        { field },
      );
    }
    return { count: t.shape[0], dim: t.shape[1], data: tensorToFloat32(t, key, file, field) };
  };
  const baseName = path.basename(file).replace(/\.safetensors$/i, '');
  if (st.tensors.has('clip_l') || st.tensors.has('clip_g')) {
    if (!st.tensors.has('clip_l') || !st.tensors.has('clip_g')) {
      throw new AdapterError('unsupported_format', `${file} has only one of clip_l / clip_g`, { field });
    }
    return { token: baseName, file, vectors: [toVectors('clip_l'), toVectors('clip_g')] };
  }
  const key =
    keys.find((k) => k === 'emb_params') ??
    keys.find((k) => k.startsWith('string_to_param')) ??
    (keys.length === 1 ? keys[0] : undefined);
  if (!key) {
    throw new AdapterError(
      'unsupported_format',
      `${file} is not a textual-inversion embedding: expected emb_params, clip_l/clip_g or one tensor, found ${keys.slice(0, 5).join(', ')}`,
      { field },
    );
  }
  const stored = st.metadata.name ?? (GENERIC_KEYS.test(key) ? undefined : key);
  return { token: stored?.trim() || baseName, file, vectors: [toVectors(key)] };
}
