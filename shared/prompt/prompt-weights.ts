// From prompt text to what the text encoder needs, the way A1111 does it: attention syntax parsed
// into weighted pieces, packed into 77-token chunks with a weight per token, and — after the encoder
// ran — the hidden states scaled by those weights with the original mean restored (A1111's
// "Original" emphasis in `FrozenCLIPEmbeddingForTextualInversion.process_tokens`). Arrays in, arrays
// out; the daemon owns the ONNX session.

import type { ClipTokenizer } from './clip-tokenizer';
import { parsePromptAttention } from './prompt-attention';
import { type ChunkOptions, type PromptChunk, promptTokenCount } from './prompt-chunks';

/** A1111's emphasis modes: "original" scales and restores the mean, "none" ignores attention syntax. */
export type EmphasisMode = 'original' | 'none';

export interface WeightedPrompt {
  chunks: PromptChunk[];
  /** As A1111's "N/75" counter. */
  tokenCount: number;
}

export interface WeightedPromptOptions extends ChunkOptions {
  emphasis?: EmphasisMode;
}

/** Parses attention syntax (unless emphasis is "none") and chunks the prompt with per-token weights. */
export function tokenizeWeightedPrompt(
  tokenizer: ClipTokenizer,
  prompt: string,
  options: WeightedPromptOptions = {},
): WeightedPrompt {
  // With emphasis off A1111 passes the whole line as one piece: brackets are read as text, BREAK too.
  const pieces = options.emphasis === 'none' ? [[prompt, 1] as const] : parsePromptAttention(prompt);
  const chunks = tokenizer.tokenizeChunks(pieces, options);
  return { chunks, tokenCount: promptTokenCount(chunks, options.chunkLength) };
}

/**
 * Scales each token's hidden state by its multiplier, then rescales the whole chunk so its mean equals
 * the mean before scaling (A1111 "Original" emphasis). `hidden` is one chunk, `[tokens, dim]` row-major.
 * Returns a new array; sums are accumulated in float64, so results agree with torch to float32 rounding.
 */
export function applyEmphasis(
  hidden: Float32Array,
  multipliers: readonly number[],
  dim: number,
): Float32Array {
  const tokens = multipliers.length;
  if (hidden.length !== tokens * dim) {
    throw new Error(`hidden states have ${hidden.length} values, expected ${tokens} tokens x ${dim}`);
  }
  let originalSum = 0;
  for (let i = 0; i < hidden.length; i++) originalSum += hidden[i];
  const scaled = new Float32Array(hidden.length);
  let scaledSum = 0;
  for (let t = 0; t < tokens; t++) {
    const m = multipliers[t];
    for (let d = 0; d < dim; d++) {
      const v = Math.fround(hidden[t * dim + d] * m);
      scaled[t * dim + d] = v;
      scaledSum += v;
    }
  }
  // Both means share the element count, so the ratio of sums is the ratio of means.
  const ratio = Math.fround(
    Math.fround(originalSum / hidden.length) / Math.fround(scaledSum / hidden.length),
  );
  for (let i = 0; i < scaled.length; i++) scaled[i] = scaled[i] * ratio;
  return scaled;
}
