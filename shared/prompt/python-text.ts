// Character classes and string operations that behave like CPython's `str` and `re` on Unicode text.
// A1111's prompt parser and transformers' CLIP tokenizer are Python; where JavaScript's `\s`, `\b`
// or `\d` disagree with Python's, token ids and parsed weights would drift on unusual input.
// Pure: no platform APIs.

/** The characters for which Python's `str.isspace()` (and `re`'s `\s` on `str`) is true. */
export const PY_WHITESPACE_CLASS =
  '\\t\\n\\v\\f\\r\\x1c-\\x20\\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';

/** Python's `\w` on `str`: letters, numeric characters and underscore. */
export const PY_WORD_CLASS = '\\p{L}\\p{N}_';

const leadingOrTrailingSpace = new RegExp(`^[${PY_WHITESPACE_CLASS}]+|[${PY_WHITESPACE_CLASS}]+$`, 'gu');
const spaceRuns = new RegExp(`[${PY_WHITESPACE_CLASS}]+`, 'gu');

/** Python's `str.strip()` with no argument. */
export function pyStrip(text: string): string {
  return text.replace(leadingOrTrailingSpace, '');
}

/** CLIP's `whitespace_clean`: `re.sub(r"\s+", " ", text).strip()`. */
export function pyWhitespaceClean(text: string): string {
  return pyStrip(text.replace(spaceRuns, ' '));
}

const decimalDigit = /\p{Nd}/u;

/**
 * Python's `float()` for the strings A1111's attention regex can capture (`[+-]?[.\d]+`, where `\d` is
 * any Unicode decimal digit). Returns undefined where Python raises ValueError (`"1.2.3"`, `"."`).
 */
export function pyFloatOfDecimal(text: string): number | undefined {
  let ascii = '';
  for (const ch of text) {
    if (ch === '.' || ch === '+' || ch === '-') ascii += ch;
    else if (decimalDigit.test(ch)) ascii += String(decimalDigitValue(ch));
    else return undefined;
  }
  if (!/^[+-]?(?:\d+\.?\d*|\.\d+)$/.test(ascii)) return undefined;
  return Number(ascii);
}

// Unicode allocates decimal digits in contiguous runs of ten starting at zero, so a digit's value is its
// distance from the start of its run, modulo ten (runs such as the mathematical digits sit back to back).
function decimalDigitValue(ch: string): number {
  const cp = ch.codePointAt(0)!;
  if (cp >= 0x30 && cp <= 0x39) return cp - 0x30;
  let start = cp;
  while (start > 0 && decimalDigit.test(String.fromCodePoint(start - 1))) start--;
  return (cp - start) % 10;
}
