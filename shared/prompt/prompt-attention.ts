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
  constructor(
    readonly weightText: string,
    /** Offset of the weight text in the prompt. */
    readonly offset: number,
  ) {
    super(`prompt weight "${weightText}" is not a number (A1111 rejects it the same way)`);
  }
}

/** A piece of prompt text with its weight and where it came from (`[start, end)` in the source). */
export interface AttentionSpan {
  text: string;
  weight: number;
  start: number;
  end: number;
}

/** A bracket pair as A1111 matched it. `weight` is the explicit `(x:w)` weight, if any. */
export interface BracketGroup {
  kind: 'round' | 'square';
  open: number;
  close: number;
  weight?: number;
}

export interface AttentionScan {
  /** Unmerged pieces in source order; BREAK is `{text: 'BREAK', weight: -1}`. */
  spans: AttentionSpan[];
  groups: BracketGroup[];
  /** Opening brackets never closed (A1111 still applies them to the rest of the prompt). */
  unclosed: { kind: 'round' | 'square'; offset: number }[];
  /** Closing brackets with no opener (A1111 keeps them as text). */
  unmatched: { kind: 'round' | 'square'; offset: number }[];
}

// Unclosed brackets still apply: A1111 multiplies from each open position to the end, all round ones
// first. So element e is multiplied by 1.1 once per round position <= e, then by 1/1.1 once per square
// position <= e, in sequence. Running products are shared between elements with equal starting weight,
// which keeps thousands of unclosed brackets linear while staying bit-identical.
function applyUnclosed(res: AttentionSpan[], round: readonly number[], square: readonly number[]): void {
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
    const afterRound = repeated(res[e].weight, ROUND_BRACKET_MULTIPLIER, r);
    res[e].weight = repeated(afterRound, SQUARE_BRACKET_MULTIPLIER, s);
  }
}

/** Python's `re.split(re_break, text)`: the text between BREAK keywords. */
export function splitOnBreak(text: string): string[] {
  return text.split(BREAK_PATTERN);
}

/** The BREAK keywords (with their surrounding whitespace) in `text`, as `[start, end)` offsets. */
export function findBreaks(text: string): { start: number; end: number }[] {
  return [...text.matchAll(BREAK_PATTERN)].map((m) => ({ start: m.index, end: m.index + m[0].length }));
}

/**
 * A1111's attention pass with source positions kept: the pieces before merging, the bracket pairs it
 * matched and the brackets it could not match. Throws PromptAttentionError where A1111 raises.
 */
export function scanPromptAttention(text: string): AttentionScan {
  const spans: AttentionSpan[] = [];
  const groups: BracketGroup[] = [];
  const unmatched: AttentionScan['unmatched'] = [];
  const round: { index: number; offset: number }[] = [];
  const square: { index: number; offset: number }[] = [];
  const multiplyRange = (start: number, multiplier: number) => {
    for (let p = start; p < spans.length; p++) spans[p].weight *= multiplier;
  };

  for (const match of text.matchAll(ATTENTION_PATTERN)) {
    const token = match[0];
    const at = match.index;
    const weightText = match[1];
    if (token.startsWith('\\')) {
      spans.push({ text: token.slice(1), weight: 1.0, start: at, end: at + token.length });
    } else if (token === '(') {
      round.push({ index: spans.length, offset: at });
    } else if (token === '[') {
      square.push({ index: spans.length, offset: at });
    } else if (weightText !== undefined && round.length > 0) {
      const weight = pyFloatOfDecimal(weightText);
      if (weight === undefined) throw new PromptAttentionError(weightText, at + token.indexOf(weightText));
      const open = round.pop()!;
      multiplyRange(open.index, weight);
      groups.push({ kind: 'round', open: open.offset, close: at + token.length - 1, weight });
    } else if (token === ')' && round.length > 0) {
      const open = round.pop()!;
      multiplyRange(open.index, ROUND_BRACKET_MULTIPLIER);
      groups.push({ kind: 'round', open: open.offset, close: at });
    } else if (token === ']' && square.length > 0) {
      const open = square.pop()!;
      multiplyRange(open.index, SQUARE_BRACKET_MULTIPLIER);
      groups.push({ kind: 'square', open: open.offset, close: at });
    } else {
      if (token === ')' || token === ']')
        unmatched.push({ kind: token === ')' ? 'round' : 'square', offset: at });
      // A weight with no open bracket is text too: `:1.2)` becomes ":1.2" then ")" for A1111.
      let pos = 0;
      for (const found of findBreaks(token)) {
        spans.push({
          text: token.slice(pos, found.start),
          weight: 1.0,
          start: at + pos,
          end: at + found.start,
        });
        spans.push({ text: 'BREAK', weight: -1, start: at + found.start, end: at + found.end });
        pos = found.end;
      }
      spans.push({ text: token.slice(pos), weight: 1.0, start: at + pos, end: at + token.length });
    }
  }
  applyUnclosed(
    spans,
    round.map((r) => r.index),
    square.map((s) => s.index),
  );
  const unclosed = [
    ...round.map((r) => ({ kind: 'round' as const, offset: r.offset })),
    ...square.map((s) => ({ kind: 'square' as const, offset: s.offset })),
  ].sort((a, b) => a.offset - b.offset);
  return { spans, groups, unclosed, unmatched };
}

/**
 * Parses A1111 attention syntax into `[text, weight]` pieces, merging neighbours of equal weight.
 * BREAK yields `['BREAK', -1]`. Throws PromptAttentionError where A1111 raises (e.g. `(x:1.2.3)`).
 */
export function parsePromptAttention(text: string): PromptPiece[] {
  const res: [string, number][] = scanPromptAttention(text).spans.map((s) => [s.text, s.weight]);
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
