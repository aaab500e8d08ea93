// The text cleanup transformers' CLIPTokenizer applies before BPE when ftfy is installed (as it is in
// every real Stable Diffusion setup): `whitespace_clean(ftfy.fix_text(text)).lower()`.
// We reimplement the parts of ftfy 6.1 `fix_text` that change ordinary prompts — HTML entities,
// C1 controls, Latin ligatures, full-width characters, curly quotes, line breaks, terminal escapes,
// control characters, NFC — in ftfy's order, repeated until stable as ftfy does.
// Not reimplemented: ftfy's mojibake repair (`fix_encoding`), which needs its "badness" heuristics;
// text like "cafÃ©" is therefore tokenized as written.

import { HTML_ENTITIES, HTML_INVALID_CHARREFS, HTML_INVALID_CODEPOINTS } from './data/html-entities';
import { PY_WHITESPACE_CLASS, pyWhitespaceClean } from './python-text';

const htmlEntity = /&#?[0-9A-Za-z]{1,24};/g;
const invalidCodepoints = new Set(HTML_INVALID_CODEPOINTS);

// ftfy `unescape_html`: named entities from its table; numeric ones only when html.unescape consumes
// the whole reference (otherwise the text is left as written).
function unescapeHtml(text: string): string {
  return text.replace(htmlEntity, (entity) => {
    const named = HTML_ENTITIES[entity];
    if (named !== undefined) return named;
    const dec = /^&#(\d+);$/.exec(entity);
    const hex = /^&#[xX]([0-9a-fA-F]+);$/.exec(entity);
    if (!dec && !hex) return entity;
    const num = dec ? Number.parseInt(dec[1], 10) : Number.parseInt(hex![1], 16);
    const remapped = HTML_INVALID_CHARREFS[num];
    if (remapped !== undefined) return remapped;
    if ((num >= 0xd800 && num <= 0xdfff) || num > 0x10ffff) return '\ufffd';
    if (invalidCodepoints.has(num)) return '';
    return String.fromCodePoint(num);
  });
}

// C1 controls are almost always Windows-1252 bytes decoded as Latin-1; Python's html module carries
// exactly ftfy's "sloppy" Windows-1252 table for 0x80–0x9F.
function fixC1Controls(text: string): string {
  return text.replace(/[\x80-\x9f]/g, (ch) => HTML_INVALID_CHARREFS[ch.charCodeAt(0)] ?? ch);
}

const LIGATURES: Readonly<Record<string, string>> = {
  Ĳ: 'IJ',
  ĳ: 'ij',
  ŉ: 'ʼn',
  Ǆ: 'DŽ',
  ǅ: 'Dž',
  ǆ: 'dž',
  Ǉ: 'LJ',
  ǈ: 'Lj',
  ǉ: 'lj',
  Ǌ: 'NJ',
  ǋ: 'Nj',
  ǌ: 'nj',
  Ǳ: 'DZ',
  ǲ: 'Dz',
  ǳ: 'dz',
  ﬀ: 'ff',
  ﬁ: 'fi',
  ﬂ: 'fl',
  ﬃ: 'ffi',
  ﬄ: 'ffl',
  ﬅ: 'ſt',
  ﬆ: 'st',
};
const ligature = new RegExp(`[${Object.keys(LIGATURES).join('')}]`, 'gu');

function fixLatinLigatures(text: string): string {
  return text.replace(ligature, (ch) => LIGATURES[ch]);
}

// ftfy maps U+3000 and every U+FF01–U+FFEF whose NFKC form differs to that form.
function fixCharacterWidth(text: string): string {
  return text.replace(/[\u3000\uff01-\uffef]/g, (ch) => (ch === '\u3000' ? ' ' : ch.normalize('NFKC')));
}

function uncurlQuotes(text: string): string {
  return text.replace(/[\u02bc\u2018-\u201b]/g, "'").replace(/[\u201c-\u201f]/g, '"');
}

function fixLineBreaks(text: string): string {
  return text.replace(/\r\n|[\r\u2028\u2029\u0085]/g, '\n');
}

// With the `u` flag a surrogate class only matches unpaired halves, which Python cannot hold either.
function fixSurrogates(text: string): string {
  return text.replace(/[\ud800-\udfff]/gu, '\ufffd');
}

function removeTerminalEscapes(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: removing ANSI escapes is the purpose.
  return text.replace(/\x1b\[[\d;]*[a-zA-Z]/g, '');
}

function removeControlChars(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: ftfy's control-character table is the purpose.
  return text.replace(/[\x00-\x08\x0b\x0e-\x1f\x7f\u206a-\u206f\ufeff\ufff9-\ufffc]/g, '');
}

function fixSegment(segment: string, unescapeEntities: boolean): string {
  let text = segment;
  for (;;) {
    const before = text;
    if (unescapeEntities) text = unescapeHtml(text);
    text = fixC1Controls(text);
    text = fixLatinLigatures(text);
    text = fixCharacterWidth(text);
    text = uncurlQuotes(text);
    text = fixLineBreaks(text);
    text = fixSurrogates(text);
    text = removeTerminalEscapes(text);
    text = removeControlChars(text);
    text = text.normalize('NFC');
    if (text === before) return text;
  }
}

/** ftfy 6.1 `fix_text` (without mojibake repair): fixed line by line; a line containing `<` is taken as
 * HTML and stops entity unescaping for it and every later line, as ftfy's "auto" mode does. */
export function fixText(text: string): string {
  let unescapeEntities = true;
  let out = '';
  let pos = 0;
  while (pos < text.length) {
    const lineEnd = text.indexOf('\n', pos);
    const end = lineEnd === -1 ? text.length : lineEnd + 1;
    const segment = text.slice(pos, end);
    if (segment.includes('<')) unescapeEntities = false;
    out += fixSegment(segment, unescapeEntities);
    pos = end;
  }
  return out;
}

/** The full CLIP cleanup: ftfy, collapse whitespace, lowercase. */
export function cleanClipText(text: string): string {
  return pyWhitespaceClean(fixText(text)).toLowerCase();
}

// CJK ideograph blocks transformers' BasicTokenizer surrounds with spaces (`_is_chinese_char`).
const CJK_IDEOGRAPH =
  /[\u4e00-\u9fff\u3400-\u4dbf\uf900-\ufaff\u{20000}-\u{2a6df}\u{2a700}-\u{2b73f}\u{2b740}-\u{2b81f}\u{2b820}-\u{2ceaf}\u{2f800}-\u{2fa1f}]/gu;
const BASIC_DROPPED = /[\0\ufffd]|(?![\t\n\r])\p{C}/gu;
const BASIC_SPACE = /[\t\n\r\p{Zs}]/gu;
const PY_SPLIT = new RegExp(`[${PY_WHITESPACE_CLASS}]+`, 'u');

/**
 * The cleanup transformers' CLIPTokenizer falls back to when ftfy is not installed: BasicTokenizer
 * (control and unassigned characters dropped, CJK ideographs spaced apart, NFC, lower-cased per word,
 * no accent stripping, no punctuation split), words joined by single spaces.
 */
export function cleanClipTextBasic(text: string): string {
  const cleaned = text
    .replace(BASIC_DROPPED, '')
    .replace(BASIC_SPACE, ' ')
    .replace(CJK_IDEOGRAPH, (ch) => ` ${ch} `)
    .normalize('NFC');
  return cleaned
    .split(PY_SPLIT)
    .filter((word) => word.length > 0)
    .map((word) => word.toLowerCase())
    .join(' ');
}
