// Where JSON text stops being valid: a small scanner following RFC 8259, so errors can name the line
// and column without parsing engine-specific `JSON.parse` messages (which differ across runtimes).
// It also reports where each top-level array element starts, so schema errors can name a line too.

export interface JsonTextPosition {
  offset: number;
  /** 1-based. */
  line: number;
  /** 1-based, in UTF-16 code units. */
  column: number;
}

export interface JsonScan {
  error?: { position: JsonTextPosition; expected: string };
  /** Offsets where the elements of a top-level array begin (empty for other top-level values). */
  elementOffsets: number[];
}

export function positionOf(text: string, offset: number): JsonTextPosition {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text[i] === '\n') {
      line++;
      lineStart = i + 1;
    }
  }
  return { offset, line, column: offset - lineStart + 1 };
}

class Failure {
  constructor(
    readonly offset: number,
    readonly expected: string,
  ) {}
}

export function scanJson(text: string): JsonScan {
  let i = 0;
  const elementOffsets: number[] = [];
  const ws = () => {
    while (i < text.length && ' \t\n\r'.includes(text[i])) i++;
  };
  const fail = (expected: string): never => {
    throw new Failure(i, expected);
  };
  const literal = (word: string) => {
    if (text.startsWith(word, i)) i += word.length;
    else fail(`a JSON value`);
  };
  const string = () => {
    i++; // opening quote
    while (i < text.length) {
      const ch = text[i];
      if (ch === '"') {
        i++;
        return;
      }
      if (ch === '\\') {
        const next = text[i + 1];
        if (next === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) {
            i += 2;
            fail('four hex digits after \\u');
          }
          i += 6;
        } else if (next !== undefined && '"\\/bfnrt'.includes(next)) {
          i += 2;
        } else {
          i++;
          fail('a valid escape sequence');
        }
      } else if (ch < ' ') {
        fail('no raw control characters or line breaks inside a string');
      } else {
        i++;
      }
    }
    fail('a closing quote');
  };
  const number = () => {
    const match = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
    match.lastIndex = i;
    const m = match.exec(text);
    if (!m) fail('a JSON value');
    i += m![0].length;
  };
  const value = (depth: number, topArray: boolean): void => {
    if (depth > 512) fail('less deeply nested JSON');
    ws();
    const ch = text[i];
    if (ch === '{') {
      i++;
      ws();
      if (text[i] === '}') {
        i++;
        return;
      }
      for (;;) {
        ws();
        if (text[i] !== '"') fail('a property name in double quotes');
        string();
        ws();
        if (text[i] !== ':') fail("':' after the property name");
        i++;
        value(depth + 1, false);
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === '}') {
          i++;
          return;
        }
        fail("',' or '}'");
      }
    } else if (ch === '[') {
      i++;
      ws();
      if (text[i] === ']') {
        i++;
        return;
      }
      for (;;) {
        ws();
        if (topArray) elementOffsets.push(i);
        value(depth + 1, false);
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === ']') {
          i++;
          return;
        }
        fail("',' or ']'");
      }
    } else if (ch === '"') {
      string();
    } else if (ch === 't') {
      literal('true');
    } else if (ch === 'f') {
      literal('false');
    } else if (ch === 'n') {
      literal('null');
    } else if (ch === '-' || (ch >= '0' && ch <= '9')) {
      number();
    } else {
      fail(i >= text.length ? 'more JSON (the text ends early)' : 'a JSON value');
    }
  };
  try {
    // A UTF-8 byte order mark is common in hand-edited files; JSON.parse rejects it, so we skip it
    // here and the caller strips it too.
    if (text.charCodeAt(0) === 0xfeff) i = 1;
    value(0, true);
    ws();
    if (i < text.length) fail('the end of the text after the JSON value');
    return { elementOffsets };
  } catch (error) {
    if (!(error instanceof Failure)) throw error;
    return { error: { position: positionOf(text, error.offset), expected: error.expected }, elementOffsets };
  }
}
