// Nesting depth of JSON text, measured in one linear pass before JSON.parse: V8 parses a
// megabyte of `[[[[…` in seconds, so deep input is refused before it can stall the daemon.
// Brackets inside strings (with escapes) do not count. Malformed text is left to JSON.parse.

/** True when `text` nests arrays/objects deeper than `maxDepth`. */
export function jsonDepthExceeds(text: string, maxDepth: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > maxDepth) return true;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return false;
}
