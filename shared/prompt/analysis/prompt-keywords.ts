// Splits a prompt into its keywords — the comma- or BREAK-separated phrases people write — with
// their source spans and effective A1111 weights, so findings can point at text and fixes can edit it.

import { parseExtraNetworks } from '../extra-networks';
import { PromptAttentionError, scanPromptAttention } from '../prompt-attention';

export interface Keyword {
  /** Source span of the trimmed phrase, brackets and weight syntax included. */
  start: number;
  end: number;
  /** The words as the text encoder sees them: brackets, weights and escapes removed, spaces collapsed. */
  text: string;
  /** `text` lower-cased, for comparisons. */
  key: string;
  /** Effective weight of most of its text. */
  weight: number;
  /** True where the span holds balanced brackets, so it can be rewritten on its own. */
  selfContained: boolean;
  /** A BREAK stands between the previous keyword and this one. */
  afterBreak: boolean;
  /** Commas between this keyword and the next (each is a token). */
  commasAfter: number;
}

interface Separator {
  start: number;
  end: number;
  kind: 'comma' | 'break';
}

function isBalanced(source: string): boolean {
  let round = 0;
  let square = 0;
  for (let i = 0; i < source.length; i++) {
    const ch = source[i];
    if (ch === '\\') i++;
    else if (ch === '(') round++;
    else if (ch === ')' && --round < 0) return false;
    else if (ch === '[') square++;
    else if (ch === ']' && --square < 0) return false;
  }
  return round === 0 && square === 0;
}

/** Keywords of a prompt in order. Extra-network tags (`<lora:…>`) are not keywords and are skipped. */
export function splitKeywords(prompt: string): Keyword[] {
  // Blank out extra-network tags so their ":"-separated parts are not read as text.
  let masked = prompt;
  for (const tag of parseExtraNetworks(prompt).networks) {
    masked =
      masked.slice(0, tag.span.start) +
      ' '.repeat(tag.span.end - tag.span.start) +
      masked.slice(tag.span.end);
  }
  let spans: { text: string; weight: number; start: number; end: number }[];
  try {
    spans = scanPromptAttention(masked).spans;
  } catch (error) {
    if (!(error instanceof PromptAttentionError)) throw error;
    spans = [{ text: masked, weight: 1, start: 0, end: masked.length }];
  }
  const separators: Separator[] = [];
  const pieces: { text: string; weight: number; start: number; end: number }[] = [];
  for (const span of spans) {
    if (span.weight === -1 && span.text === 'BREAK') {
      separators.push({ start: span.start, end: span.end, kind: 'break' });
      continue;
    }
    const plain = span.end - span.start === span.text.length;
    if (!plain) {
      pieces.push(span);
      continue;
    }
    let from = 0;
    for (let i = 0; i <= span.text.length; i++) {
      if (i === span.text.length || span.text[i] === ',') {
        if (i > from)
          pieces.push({
            text: span.text.slice(from, i),
            weight: span.weight,
            start: span.start + from,
            end: span.start + i,
          });
        if (i < span.text.length)
          separators.push({ start: span.start + i, end: span.start + i + 1, kind: 'comma' });
        from = i + 1;
      }
    }
  }
  separators.sort((a, b) => a.start - b.start);

  const keywords: Keyword[] = [];
  let regionStart = 0;
  let afterBreak = false;
  let p = 0;
  const regions = [...separators, { start: masked.length, end: masked.length, kind: 'end' as const }];
  for (const sep of regions) {
    const regionPieces: typeof pieces = [];
    while (p < pieces.length && pieces[p].start < sep.start) regionPieces.push(pieces[p++]);
    let start = regionStart;
    let end = sep.start;
    while (start < end && /\s/.test(masked[start])) start++;
    while (end > start && /\s/.test(masked[end - 1])) end--;
    const text = regionPieces
      .map((piece) => piece.text)
      .join('')
      .replace(/\s+/g, ' ')
      .trim();
    if (text) {
      // The weight that covers most of the keyword's letters decides.
      const byWeight = new Map<number, number>();
      for (const piece of regionPieces) {
        const letters = piece.text.replace(/\s/g, '').length;
        byWeight.set(piece.weight, (byWeight.get(piece.weight) ?? 0) + letters);
      }
      const weight = [...byWeight.entries()].sort((a, b) => b[1] - a[1])[0][0];
      keywords.push({
        start,
        end,
        text,
        key: text.toLowerCase(),
        weight,
        selfContained: isBalanced(masked.slice(start, end)),
        afterBreak,
        commasAfter: 0,
      });
      afterBreak = false;
    }
    if (sep.kind === 'break') afterBreak = true;
    if (sep.kind === 'comma' && keywords.length > 0) keywords[keywords.length - 1].commasAfter++;
    regionStart = sep.end;
  }
  return keywords;
}

/** Backslash-escapes the characters A1111 reads as attention syntax. */
export function escapeAttention(text: string): string {
  return text.replace(/[\\()[\]]/g, (ch) => `\\${ch}`);
}

/** Whole-word (or whole-phrase) containment, case-insensitive; `key` must be lower-case. */
export function containsPhrase(key: string, phrase: string): boolean {
  const word = /[\p{L}\p{N}]/u;
  for (let at = key.indexOf(phrase); at >= 0; at = key.indexOf(phrase, at + 1)) {
    const before = at === 0 ? '' : key[at - 1];
    const after = key[at + phrase.length] ?? '';
    if (!word.test(before) && !word.test(after)) return true;
  }
  return false;
}
