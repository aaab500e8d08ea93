// A1111's long-prompt chunking (`TextConditionalModel.tokenize_line` in modules/sd_hijack_clip.py):
// parsed (text, weight) pieces are tokenized one by one and packed into 75-token chunks, each wrapped in
// BOS/EOS and padded to 77; the text encoder runs once per chunk and the outputs are concatenated.
// A chunk that fills up moves the tokens after its last comma (if within `commaPaddingBacktrack`
// tokens) to the next chunk so a keyword is not cut in half; a BREAK piece closes the chunk early.
// Textual-inversion embeddings (A1111's `fixes`) are not handled here.

import { splitOnBreak } from './prompt-attention';

/** One parsed piece of prompt, as A1111's `parse_prompt_attention` returns it; BREAK is `['BREAK', -1]`. */
export type PromptPiece = readonly [text: string, weight: number];

export interface PromptChunk {
  /** BOS + 75 tokens (padded) + EOS. */
  ids: number[];
  /** The weight of each position in `ids`; 1 for BOS, EOS and padding. */
  multipliers: number[];
  /** Prompt tokens in the chunk before padding (A1111 shows 75 per full chunk plus the last one's). */
  tokenCount: number;
}

export interface ChunkOptions {
  /** A1111's `comma_padding_backtrack` setting (default 20; 0 disables it). */
  commaPaddingBacktrack?: number;
  /** Tokens per chunk without BOS/EOS (75 for every SD text encoder). */
  chunkLength?: number;
}

export interface ChunkTokenizer {
  encode(text: string): number[];
  bosId: number;
  eosId: number;
  padId: number;
  commaId: number | undefined;
}

export const CHUNK_LENGTH = 75;
export const COMMA_PADDING_BACKTRACK = 20;

export function isBreakPiece(piece: PromptPiece): boolean {
  return piece[0] === 'BREAK' && piece[1] === -1;
}

/** Plain text (no attention syntax) as pieces: BREAK still separates chunks. */
export function plainTextPieces(text: string): PromptPiece[] {
  const pieces: PromptPiece[] = [];
  splitOnBreak(text).forEach((part, i) => {
    if (i > 0) pieces.push(['BREAK', -1]);
    pieces.push([part, 1]);
  });
  return pieces;
}

export function splitPromptChunks(
  prompt: string | readonly PromptPiece[],
  tokenizer: ChunkTokenizer,
  options: ChunkOptions = {},
): PromptChunk[] {
  const pieces = typeof prompt === 'string' ? plainTextPieces(prompt) : prompt;
  const chunkLength = options.chunkLength ?? CHUNK_LENGTH;
  const backtrack = options.commaPaddingBacktrack ?? COMMA_PADDING_BACKTRACK;
  const chunks: PromptChunk[] = [];
  let tokens: number[] = [];
  let multipliers: number[] = [];
  let lastComma = -1;

  // A1111 pads a chunk with the end token, then (`process_tokens`, where the pad id differs from the
  // end id, as for SDXL's second tokenizer whose pad is "!") replaces everything after the first end
  // token with the pad id: BOS, tokens, EOS, pad… — what transformers' max_length padding gives too.
  const nextChunk = () => {
    const tokenCount = tokens.length;
    const toAdd = chunkLength - tokens.length;
    for (let i = 0; i < toAdd; i++) {
      tokens.push(tokenizer.eosId);
      multipliers.push(1);
    }
    const ids = [tokenizer.bosId, ...tokens, tokenizer.eosId];
    if (tokenizer.padId !== tokenizer.eosId) ids.fill(tokenizer.padId, ids.indexOf(tokenizer.eosId) + 1);
    chunks.push({ ids, multipliers: [1, ...multipliers, 1], tokenCount });
    tokens = [];
    multipliers = [];
    lastComma = -1;
  };

  for (const piece of pieces) {
    if (isBreakPiece(piece)) {
      nextChunk();
      continue;
    }
    const [text, weight] = piece;
    for (const token of tokenizer.encode(text)) {
      if (token === tokenizer.commaId) {
        lastComma = tokens.length;
      } else if (
        backtrack !== 0 &&
        tokens.length === chunkLength &&
        lastComma !== -1 &&
        tokens.length - lastComma <= backtrack
      ) {
        const breakAt = lastComma + 1;
        const movedTokens = tokens.slice(breakAt);
        const movedMultipliers = multipliers.slice(breakAt);
        tokens = tokens.slice(0, breakAt);
        multipliers = multipliers.slice(0, breakAt);
        nextChunk();
        tokens = movedTokens;
        multipliers = movedMultipliers;
      }
      if (tokens.length === chunkLength) nextChunk();
      tokens.push(token);
      multipliers.push(weight);
    }
  }
  if (tokens.length > 0 || chunks.length === 0) nextChunk();
  return chunks;
}

/** A1111's token counter for a prompt: 75 for every chunk but the last, plus the last chunk's tokens. */
export function promptTokenCount(chunks: readonly PromptChunk[], chunkLength = CHUNK_LENGTH): number {
  if (chunks.length === 0) return 0;
  return (chunks.length - 1) * chunkLength + chunks[chunks.length - 1].tokenCount;
}
