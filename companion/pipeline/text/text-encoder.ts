// Prompt -> token embeddings, as AUTOMATIC1111 computes them: parsed (text, weight) pieces are packed into
// 75-token chunks (shared/prompt), each chunk is encoded alone, its embeddings are scaled by the token
// weights and then rescaled to the original mean, and the chunks are concatenated along the sequence.
// For a plain prompt of at most 75 tokens this equals diffusers' encode_prompt exactly.
// SDXL: both encoders' penultimate hidden states side by side, pooled embeds from the second (first chunk).
import type { ClipTokenizer } from '../../../shared/prompt/clip-tokenizer.js';
import type { PromptChunk, PromptPiece } from '../../../shared/prompt/prompt-chunks.js';
import type { Conditioning } from '../denoise/conditioning.js';
import type { TextEncoderContract } from '../model/model-contract.js';
import type { Engine } from '../runtime/engine.js';
import { castInts, toFloat32 } from '../runtime/tensor-cast.js';

export interface TextEncoderSet {
  engine: Engine;
  encoders: { tokenizer: ClipTokenizer; contract: TextEncoderContract }[];
}

/**
 * A1111 moves the padding after the end token when pad ≠ end (OpenCLIP's "!" pad): the chunk becomes
 * BOS, tokens, EOS, pad…, which is also what transformers' `padding="max_length"` gives.
 */
export function padAfterEnd(chunk: PromptChunk, tok: ClipTokenizer): PromptChunk {
  if (tok.padId === tok.eosId) return chunk;
  const middle = chunk.ids.slice(1, -1);
  const kept = chunk.tokenCount;
  const k = middle.length - kept;
  return {
    ids: [chunk.ids[0], ...middle.slice(0, kept), tok.eosId, ...new Array<number>(k).fill(tok.padId)],
    multipliers: [
      chunk.multipliers[0],
      ...chunk.multipliers.slice(1, kept + 1),
      1,
      ...new Array<number>(k).fill(1),
    ],
    tokenCount: kept,
  };
}

/** A1111 `process_tokens` weighting: z *= w per token, then z *= mean_before / mean_after. */
export function applyTokenWeights(
  z: Float32Array,
  multipliers: readonly number[],
  dim: number,
): Float32Array {
  if (multipliers.every((m) => m === 1)) return z;
  let before = 0;
  for (let i = 0; i < z.length; i++) before += z[i];
  const out = new Float32Array(z.length);
  let after = 0;
  for (let t = 0; t < multipliers.length; t++) {
    for (let d = 0; d < dim; d++) {
      const v = Math.fround(z[t * dim + d] * multipliers[t]);
      out[t * dim + d] = v;
      after += v;
    }
  }
  const ratio = before / z.length / (after / z.length);
  for (let i = 0; i < out.length; i++) out[i] = out[i] * ratio;
  return out;
}

interface ChunkEmbedding {
  hidden: Float32Array;
  seqLen: number;
  dim: number;
  pooled?: Float32Array;
}

async function encodeChunk(set: TextEncoderSet, chunks: PromptChunk[]): Promise<ChunkEmbedding> {
  const parts: { data: Float32Array; dim: number }[] = [];
  let seqLen = 0;
  let pooled: Float32Array | undefined;
  for (let e = 0; e < set.encoders.length; e++) {
    const { tokenizer, contract } = set.encoders[e];
    const chunk = padAfterEnd(chunks[e], tokenizer);
    seqLen = chunk.ids.length;
    const out = await set.engine.run(contract.component, {
      [contract.ids.name]: castInts(chunk.ids, [1, seqLen], contract.ids.type),
    });
    const hidden = toFloat32(out[contract.hiddenOutput]);
    const dim = hidden.length / seqLen;
    parts.push({ data: applyTokenWeights(hidden, chunk.multipliers, dim), dim });
    if (contract.pooledOutput && (set.encoders.length === 1 || e === set.encoders.length - 1)) {
      pooled = toFloat32(out[contract.pooledOutput]);
    }
  }
  const dim = parts.reduce((s, p) => s + p.dim, 0);
  const hidden = new Float32Array(seqLen * dim);
  for (let t = 0; t < seqLen; t++) {
    let o = t * dim;
    for (const p of parts) {
      hidden.set(p.data.subarray(t * p.dim, (t + 1) * p.dim), o);
      o += p.dim;
    }
  }
  return { hidden, seqLen, dim, ...(pooled && set.encoders.length > 1 ? { pooled } : {}) };
}

/** Embeddings of parsed prompt pieces; `minChunks` pads with empty chunks (to match cond/uncond lengths). */
export async function encodePieces(
  set: TextEncoderSet,
  pieces: readonly PromptPiece[],
  minChunks = 1,
): Promise<Conditioning & { chunks: number }> {
  const perEncoder = set.encoders.map((e) => e.tokenizer.tokenizeChunks(pieces));
  const emptyChunks = set.encoders.map((e) => e.tokenizer.tokenizeChunks([['', 1]])[0]);
  const count = Math.max(minChunks, ...perEncoder.map((c) => c.length));
  const outputs: ChunkEmbedding[] = [];
  for (let i = 0; i < count; i++) {
    outputs.push(
      await encodeChunk(
        set,
        perEncoder.map((c, e) => c[i] ?? emptyChunks[e]),
      ),
    );
  }
  const { seqLen, dim } = outputs[0];
  const hidden = new Float32Array(count * seqLen * dim);
  for (let i = 0; i < count; i++) hidden.set(outputs[i].hidden, i * seqLen * dim);
  const pooled = outputs[0].pooled;
  return { hidden, seqLen: count * seqLen, dim, chunks: count, ...(pooled ? { pooled } : {}) };
}

/** SDXL's force_zeros_for_empty_prompt: an empty negative prompt conditions on zeros. */
export function zerosLike(c: Conditioning): Conditioning {
  return {
    hidden: new Float32Array(c.hidden.length),
    seqLen: c.seqLen,
    dim: c.dim,
    ...(c.pooled ? { pooled: new Float32Array(c.pooled.length) } : {}),
  };
}
