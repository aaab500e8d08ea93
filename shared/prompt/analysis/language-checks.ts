// Findings about text CLIP reads poorly. The SD text encoders were trained on English captions: other
// scripts are split into byte tokens that carry little meaning, and long sentences spend the 75-token
// budget on grammar words.

import type { Finding } from './finding';
import type { Keyword } from './prompt-keywords';

// Runs of non-Latin script, allowing spaces and punctuation inside a run.
const FOREIGN_RUN =
  /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}\p{Script=Cyrillic}\p{Script=Greek}\p{Script=Arabic}\p{Script=Hebrew}\p{Script=Thai}\p{Script=Devanagari}](?:[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}\p{Script=Cyrillic}\p{Script=Greek}\p{Script=Arabic}\p{Script=Hebrew}\p{Script=Thai}\p{Script=Devanagari}\s\u3000-\u303f\uff00-\uffef·、，。]*[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}\p{Script=Cyrillic}\p{Script=Greek}\p{Script=Arabic}\p{Script=Hebrew}\p{Script=Thai}\p{Script=Devanagari}])?/gu;

const HAN = /\p{Script=Han}/u;

export type ChineseTranslator = (text: string) => { text: string; complete: boolean };

function scriptName(run: string): string {
  if (/[\p{Script=Hiragana}\p{Script=Katakana}]/u.test(run)) return 'Japanese';
  if (HAN.test(run)) return 'Chinese';
  if (/\p{Script=Hangul}/u.test(run)) return 'Korean';
  if (/\p{Script=Cyrillic}/u.test(run)) return 'Cyrillic';
  if (/\p{Script=Greek}/u.test(run)) return 'Greek';
  if (/\p{Script=Arabic}/u.test(run)) return 'Arabic';
  if (/\p{Script=Hebrew}/u.test(run)) return 'Hebrew';
  if (/\p{Script=Thai}/u.test(run)) return 'Thai';
  return 'Devanagari';
}

export function nonEnglishFindings(
  text: string,
  target: 'prompt' | 'negative',
  translate?: ChineseTranslator,
): Finding[] {
  const findings: Finding[] = [];
  for (const match of text.matchAll(FOREIGN_RUN)) {
    const start = match.index;
    const end = start + match[0].length;
    const script = scriptName(match[0]);
    const translated = script === 'Chinese' && translate ? translate(match[0]) : undefined;
    findings.push({
      code: 'P_NON_ENGLISH',
      severity: 'warning',
      target,
      span: { start, end },
      message: `${script} text: the CLIP text encoder was trained on English and reads this as near-meaningless byte tokens`,
      fix: translated
        ? {
            label: translated.complete
              ? `Translate to "${translated.text}"`
              : `Translate the known words ("${translated.text}")`,
            edits: [{ start, end, text: translated.text }],
          }
        : undefined,
    });
  }
  return findings;
}

const GRAMMAR_WORDS = new Set([
  'the',
  'a',
  'an',
  'is',
  'are',
  'was',
  'were',
  'which',
  'that',
  'who',
  'with',
  'and',
  'of',
  'in',
  'on',
  'there',
  'while',
  'its',
  'their',
]);

export function longSentenceFindings(keywords: readonly Keyword[], target: 'prompt' | 'negative'): Finding[] {
  const findings: Finding[] = [];
  for (const keyword of keywords) {
    const words = keyword.key.split(/\s+/);
    const grammar = words.filter((w) => GRAMMAR_WORDS.has(w)).length;
    if (words.length >= 14 && grammar / words.length >= 0.2) {
      findings.push({
        code: 'P_LONG_SENTENCE',
        severity: 'info',
        target,
        span: { start: keyword.start, end: keyword.end },
        message: `a ${words.length}-word sentence: CLIP weighs comma-separated keywords better, most important first`,
      });
    }
  }
  return findings;
}
