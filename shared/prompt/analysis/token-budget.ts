// Where the 75-token chunk boundaries fall for a prompt, keyword by keyword. The tokens are counted by
// whatever `TokenCounter` the caller has: the real CLIP tokenizer in the daemon, or counts the plugin
// fetched from the daemon. Packing follows A1111's `tokenize_line` (comma backtracking, BREAK), so the
// chunk a keyword lands in is the one A1111 would put it in.

import { CHUNK_LENGTH, COMMA_PADDING_BACKTRACK } from '../prompt-chunks';
import type { Keyword } from './prompt-keywords';

export interface TokenCounter {
  countTokens(text: string): number;
}

/** `a1111`: every token is read, in 75-token chunks. `clip-77`: only the first 75 (diffusers). */
export type LongPromptMode = 'a1111' | 'clip-77';

export interface ChunkBudget {
  index: number;
  tokenCount: number;
  /** Source span of the keywords that start in this chunk. */
  start: number;
  end: number;
}

export interface KeywordPlacement {
  keyword: Keyword;
  tokenCount: number;
  /** Chunk of its first and last token (equal unless it straddles a boundary). */
  firstChunk: number;
  lastChunk: number;
}

export interface TokenBudget {
  chunks: ChunkBudget[];
  placements: KeywordPlacement[];
  totalTokens: number;
}

type Unit = { kind: 'keyword'; index: number } | { kind: 'comma' };

/** Packs keyword tokens into chunks the way A1111 does and reports where each keyword landed. */
export function planTokenBudget(keywords: readonly Keyword[], counter: TokenCounter): TokenBudget {
  const counts = keywords.map((k) => counter.countTokens(k.text));
  const chunks: Unit[][] = [];
  let current: Unit[] = [];
  let lastComma = -1;
  const close = () => {
    chunks.push(current);
    current = [];
    lastComma = -1;
  };
  const place = (unit: Unit) => {
    if (unit.kind === 'comma') {
      lastComma = current.length;
    } else if (
      current.length === CHUNK_LENGTH &&
      lastComma !== -1 &&
      current.length - lastComma <= COMMA_PADDING_BACKTRACK
    ) {
      const moved = current.slice(lastComma + 1);
      current = current.slice(0, lastComma + 1);
      close();
      current = moved;
    }
    if (current.length === CHUNK_LENGTH) close();
    current.push(unit);
  };
  keywords.forEach((keyword, index) => {
    if (keyword.afterBreak) close();
    for (let t = 0; t < counts[index]; t++) place({ kind: 'keyword', index });
    for (let c = 0; c < keyword.commasAfter; c++) place({ kind: 'comma' });
  });
  if (current.length > 0 || chunks.length === 0) close();

  const first = keywords.map(() => -1);
  const last = keywords.map(() => -1);
  chunks.forEach((units, c) => {
    for (const unit of units) {
      if (unit.kind !== 'keyword') continue;
      if (first[unit.index] === -1) first[unit.index] = c;
      last[unit.index] = c;
    }
  });
  const budgets: ChunkBudget[] = chunks.map((units, index) => {
    const members = keywords.filter((_, k) => first[k] === index);
    return {
      index,
      tokenCount: units.length,
      start: members[0]?.start ?? 0,
      end: members[members.length - 1]?.end ?? 0,
    };
  });
  return {
    chunks: budgets,
    placements: keywords.map((keyword, k) => ({
      keyword,
      tokenCount: counts[k],
      firstChunk: first[k],
      lastChunk: last[k],
    })),
    totalTokens: chunks.reduce((sum, units) => sum + units.length, 0),
  };
}
