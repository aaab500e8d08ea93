// Local Chinese → English translation of keyword prompts. SD's CLIP encoders read English; Chinese is
// split into byte tokens with little meaning. Keyword prompts ("一个女孩，长发，日落") translate well
// word by word: we segment each run of Chinese by longest dictionary match and join the English words.
// Text the dictionary does not know stays in place, unchanged, and is reported — never dropped.
// Full-width punctuation becomes ASCII so weights written as （猫：1.2） keep working.

import { ZH_EN_KEYWORDS } from '../data/zh-en-keywords';

export interface UntranslatedText {
  text: string;
  /** Offsets in the input. */
  start: number;
  end: number;
}

export interface ChineseTranslation {
  text: string;
  untranslated: UntranslatedText[];
  /** True when every Chinese character was translated or is a grammar particle. */
  complete: boolean;
}

export interface ZhEnDictionary {
  entries: ReadonlyMap<string, string>;
  maxLength: number;
}

export function buildDictionary(pairs: readonly (readonly [string, string, ...unknown[]])[]): ZhEnDictionary {
  const entries = new Map<string, string>();
  let maxLength = 1;
  for (const [zh, en] of pairs) {
    if (!entries.has(zh)) entries.set(zh, en);
    maxLength = Math.max(maxLength, zh.length);
  }
  return { entries, maxLength };
}

export const DEFAULT_DICTIONARY: ZhEnDictionary = buildDictionary(ZH_EN_KEYWORDS);

// Structural particles that carry no keyword meaning ("红色的花" is "red flowers").
const PARTICLES = new Set([
  '在',
  '的',
  '地',
  '得',
  '了',
  '着',
  '过',
  '个',
  '是',
  '很',
  '非常',
  '把',
  '被',
  '将',
  '之',
  '呢',
  '吧',
  '啊',
  '呀',
  '也',
  '都',
  '就',
  '还',
]);
const PARTICLE_MAX = 2;

// Chinese puts place words after the noun ("树下", tree-under); English puts them before.
const POSTPOSITIONS = new Set(['上', '下', '里', '中', '内', '外', '旁边', '前面', '后面', '周围', '之间']);

const PUNCTUATION: Readonly<Record<string, string>> = {
  '，': ', ',
  '、': ', ',
  '；': ', ',
  '。': ', ',
  '！': ', ',
  '：': ':',
  '（': '(',
  '）': ')',
  '【': '[',
  '】': ']',
  '［': '[',
  '］': ']',
  '｜': '|',
  '　': ' ',
};

const HAN = /\p{Script=Han}/u;

function isHan(ch: string): boolean {
  return HAN.test(ch);
}

function translateRun(
  run: string,
  offset: number,
  dictionary: ZhEnDictionary,
  untranslated: UntranslatedText[],
): string[] {
  const words: string[] = [];
  let pendingStart = -1;
  const flush = (end: number) => {
    if (pendingStart < 0) return;
    const text = run.slice(pendingStart, end);
    untranslated.push({ text, start: offset + pendingStart, end: offset + end });
    words.push(text);
    pendingStart = -1;
  };
  let i = 0;
  while (i < run.length) {
    let matched = 0;
    for (let length = Math.min(dictionary.maxLength, run.length - i); length >= 1; length--) {
      const chinese = run.slice(i, i + length);
      const english = dictionary.entries.get(chinese);
      if (english !== undefined) {
        flush(i);
        if (POSTPOSITIONS.has(chinese) && words.length > 0) words.splice(words.length - 1, 0, english);
        else words.push(english);
        matched = length;
        break;
      }
    }
    if (!matched) {
      for (let length = Math.min(PARTICLE_MAX, run.length - i); length >= 1; length--) {
        if (PARTICLES.has(run.slice(i, i + length))) {
          flush(i);
          matched = length;
          break;
        }
      }
    }
    if (matched) {
      i += matched;
    } else {
      if (pendingStart < 0) pendingStart = i;
      i++;
    }
  }
  flush(run.length);
  return words;
}

const WORDISH = /[\p{L}\p{N})\]]/u;

/** Translates the Chinese in `text` keyword by keyword; everything else is kept as written. */
export function translateChinesePrompt(
  text: string,
  dictionary: ZhEnDictionary = DEFAULT_DICTIONARY,
): ChineseTranslation {
  const untranslated: UntranslatedText[] = [];
  if (!/[\p{Script=Han}\u3000-\u303f\uff01-\uff1f\u3010\u3011]/u.test(text))
    return { text, untranslated, complete: true };
  let out = '';
  const append = (piece: string) => {
    if (!piece) return;
    if (out && WORDISH.test(out[out.length - 1]) && /^[\p{L}\p{N}(]/u.test(piece)) out += ' ';
    out += piece;
  };
  let i = 0;
  while (i < text.length) {
    const ch = text[i];
    if (isHan(ch)) {
      let end = i;
      while (end < text.length && isHan(text[end])) end++;
      for (const word of translateRun(text.slice(i, end), i, dictionary, untranslated)) append(word);
      i = end;
    } else if (PUNCTUATION[ch] !== undefined) {
      out += PUNCTUATION[ch];
      i++;
    } else {
      let end = i;
      while (end < text.length && !isHan(text[end]) && PUNCTUATION[text[end]] === undefined) end++;
      append(text.slice(i, end));
      i = end;
    }
  }
  const tidied = out
    .replace(/ {2,}/g, ' ')
    .replace(/ ,/g, ',')
    .replace(/,(?=\S)/g, ', ')
    .replace(/(?:, )+(?=, )/g, '');
  return { text: tidied.trim(), untranslated, complete: untranslated.length === 0 };
}

/** A translator for the analysis (`nonEnglishFindings`), backed by the bundled dictionary. */
export function chineseTranslator(dictionary: ZhEnDictionary = DEFAULT_DICTIONARY) {
  return (text: string) => {
    const result = translateChinesePrompt(text, dictionary);
    return { text: result.text, complete: result.complete };
  };
}
