// Ctrl/Cmd+Up/Down on the prompt: changes the weight of the keyword under the cursor (or the
// selection) by ±0.1 in A1111's attention syntax, as A1111's edit-attention does: `word` →
// `(word:1.1)` → `(word:1.2)`; back at 1.0 the brackets go away. Pure text in, text out.
// Shared by the Figma and VS Code panels; the behaviour is A1111's, not ours to invent.

export interface TextEdit {
  text: string;
  selectionStart: number;
  selectionEnd: number;
}

const DELIMITERS = new Set([...'.,\\/!?%^*;:{}=`~()<>[]|', ' ', '\n', '\t']);
const WEIGHTED_TAIL = /^:\s*(-?\d*\.?\d+)\s*\)/;

/** The `(…:w)` block around the cursor, as the range of its inner text. */
function enclosingBlock(text: string, cursor: number): { start: number; end: number } | null {
  const open = text.lastIndexOf('(', cursor - 1);
  if (open < 0 || text.slice(open + 1, cursor).includes(')')) return null;
  const close = text.indexOf(')', cursor);
  if (close < 0 || text.slice(cursor, close).includes('(')) return null;
  const colon = text.lastIndexOf(':', close);
  if (colon <= open || !WEIGHTED_TAIL.test(text.slice(colon, close + 1))) return null;
  return { start: open + 1, end: colon };
}

function wordAt(text: string, cursor: number): { start: number; end: number } | null {
  let start = cursor;
  let end = cursor;
  while (start > 0 && !DELIMITERS.has(text[start - 1])) start--;
  while (end < text.length && !DELIMITERS.has(text[end])) end++;
  return start === end ? null : { start, end };
}

/** A weight as A1111 writes it: at most 2 decimals, no trailing zeros. */
export function formatWeight(w: number): string {
  return String(Number(w.toFixed(2)));
}

export function nudgeWeight(
  text: string,
  selectionStart: number,
  selectionEnd: number,
  delta: number,
): TextEdit | null {
  let range: { start: number; end: number } | null;
  if (selectionStart === selectionEnd) {
    range = enclosingBlock(text, selectionStart) ?? wordAt(text, selectionStart);
  } else {
    range = { start: selectionStart, end: selectionEnd };
    while (range.start < range.end && /\s/.test(text[range.start])) range.start++;
    while (range.end > range.start && /\s/.test(text[range.end - 1])) range.end--;
  }
  if (!range || range.start === range.end) return null;
  const inner = text.slice(range.start, range.end);
  const tail = WEIGHTED_TAIL.exec(text.slice(range.end));
  const wrapped = text[range.start - 1] === '(' && tail !== null;
  const weight = wrapped ? Number(tail[1]) : 1;
  const next = Math.round((weight + delta) * 100) / 100;
  const before = text.slice(0, wrapped ? range.start - 1 : range.start);
  const after = text.slice(wrapped ? range.end + tail[0].length : range.end);
  if (Math.abs(next - 1) < 1e-9) {
    return {
      text: before + inner + after,
      selectionStart: before.length,
      selectionEnd: before.length + inner.length,
    };
  }
  const replaced = `(${inner}:${formatWeight(next)})`;
  return {
    text: before + replaced + after,
    selectionStart: before.length + 1,
    selectionEnd: before.length + 1 + inner.length,
  };
}
