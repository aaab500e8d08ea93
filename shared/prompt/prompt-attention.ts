// A1111's attention syntax (`parse_prompt_attention` in modules/prompt_parser.py): `(a)` ×1.1,
// `[a]` ÷1.1, `(a:1.3)`, backslash escapes and `BREAK`. Output must equal A1111's exactly, weights
// included: they are products of IEEE doubles in A1111's order (1.1*1.1*1.3 = 1.5730000000000004),
// never rounded. Python-only regex behaviour (`\d`, `\s`, `\b` are Unicode-aware) is reproduced.

import type { PromptPiece } from './prompt-chunks';
import { PY_WHITESPACE_CLASS, PY_WORD_CLASS, pyFloatOfDecimal } from './python-text';

export const ROUND_BRACKET_MULTIPLIER = 1.1;
export const SQUARE_BRACKET_MULTIPLIER = 1 / 1.1;

// The alternatives of A1111's `re_attention`, in its order. Group 1 is the explicit weight.
const ATTENTION_PATTERN = new RegExp(
  [
    '\\\\\\(',
    '\\\\\\)',
    '\\\\\\[',
    '\\\\\\]',
    '\\\\\\\\',
    '\\\\',
    '\\(',
    '\\[',
    `:[${PY_WHITESPACE_CLASS}]*([+-]?[.\\p{Nd}]+)[${PY_WHITESPACE_CLASS}]*\\)`,
    '\\)',
    '\\]',
    '[^\\\\()\\[\\]:]+',
    ':',
  ].join('|'),
  'gu',
);

// `\s*\bBREAK\b\s*` with Python's Unicode word boundaries.
const BREAK_PATTERN = new RegExp(
  `[${PY_WHITESPACE_CLASS}]*(?<![${PY_WORD_CLASS}])BREAK(?![${PY_WORD_CLASS}])[${PY_WHITESPACE_CLASS}]*`,
  'gu',
);

export class PromptAttentionError extends Error {
  readonly code = 'E_PROMPT_WEIGHT';
  constructor(readonly weightText: string) {
    super(`prompt weight "${weightText}" is not a number (A1111 rejects it the same way)`);
  }
}

// Unclosed brackets still apply: A1111 multiplies from each open position to the end, all round ones
// first. So element e is multiplied by 1.1 once per round position <= e, then by 1/1.1 once per square
// position <= e, in sequence. Running products are shared between elements with equal starting weight,
// which keeps thousands of unclosed brackets linear while staying bit-identical.
function applyUnclosed(res: [string, number][], round: readonly number[], square: readonly number[]): void {
  if (round.length === 0 && square.length === 0) return;
  const sequences = new Map<string, number[]>();
  const repeated = (weight: number, multiplier: number, times: number): number => {
    const key = `${weight}:${multiplier}`;
    let seq = sequences.get(key);
    if (!seq) {
      seq = [weight];
      sequences.set(key, seq);
    }
    while (seq.length <= times) seq.push(seq[seq.length - 1] * multiplier);
    return seq[times];
  };
  let r = 0;
  let s = 0;
  for (let e = 0; e < res.length; e++) {
    while (r < round.length && round[r] <= e) r++;
    while (s < square.length && square[s] <= e) s++;
    const afterRound = repeated(res[e][1], ROUND_BRACKET_MULTIPLIER, r);
    res[e][1] = repeated(afterRound, SQUARE_BRACKET_MULTIPLIER, s);
  }
}

/** Python's `re.split(re_break, text)`: the text between BREAK keywords. */
export function splitOnBreak(text: string): string[] {
  return text.split(BREAK_PATTERN);
}

/**
 * Parses A1111 attention syntax into `[text, weight]` pieces, merging neighbours of equal weight.
 * BREAK yields `['BREAK', -1]`. Throws PromptAttentionError where A1111 raises (e.g. `(x:1.2.3)`).
 */
export function parsePromptAttention(text: string): PromptPiece[] {
  const res: [string, number][] = [];
  const roundBrackets: number[] = [];
  const squareBrackets: number[] = [];
  const multiplyRange = (start: number, multiplier: number) => {
    for (let p = start; p < res.length; p++) res[p][1] *= multiplier;
  };

  for (const match of text.matchAll(ATTENTION_PATTERN)) {
    const token = match[0];
    const weightText = match[1];
    if (token.startsWith('\\')) {
      res.push([token.slice(1), 1.0]);
    } else if (token === '(') {
      roundBrackets.push(res.length);
    } else if (token === '[') {
      squareBrackets.push(res.length);
    } else if (weightText !== undefined && roundBrackets.length > 0) {
      const weight = pyFloatOfDecimal(weightText);
      if (weight === undefined) throw new PromptAttentionError(weightText);
      multiplyRange(roundBrackets.pop()!, weight);
    } else if (token === ')' && roundBrackets.length > 0) {
      multiplyRange(roundBrackets.pop()!, ROUND_BRACKET_MULTIPLIER);
    } else if (token === ']' && squareBrackets.length > 0) {
      multiplyRange(squareBrackets.pop()!, SQUARE_BRACKET_MULTIPLIER);
    } else {
      splitOnBreak(token).forEach((part, i) => {
        if (i > 0) res.push(['BREAK', -1]);
        res.push([part, 1.0]);
      });
    }
  }
  applyUnclosed(res, roundBrackets, squareBrackets);

  if (res.length === 0) res.push(['', 1.0]);
  for (let i = 0; i + 1 < res.length; ) {
    if (res[i][1] === res[i + 1][1]) {
      res[i][0] += res[i + 1][0];
      res.splice(i + 1, 1);
    } else {
      i++;
    }
  }
  return res;
}
