// Word-level diff of two prompts, for "before / after" views of an optimization, a fix, an LLM
// rewrite or a preset: the texts are split into words, separators (",", "(", ":1.2" …) and runs of
// whitespace, and the longest common subsequence of those pieces is kept. Pure; joining the `same`
// and `del` parts gives the old text back, `same` and `ins` the new one.

export type DiffOp = 'same' | 'del' | 'ins';

export interface DiffPart {
  op: DiffOp;
  text: string;
}

/**
 * Pieces compared by the diff: words (letters, digits, `_`, `'`, `-`, with a decimal part: `1.25`),
 * whitespace runs, single symbols.
 */
export function diffPieces(text: string): string[] {
  return text.match(/[\p{L}\p{N}_'-]+(?:\.\d+)?|\s+|[^\p{L}\p{N}_'\s-]/gu) ?? [];
}

/** Above this many table cells the diff gives up on alignment and shows a whole replacement. */
const MAX_CELLS = 4_000_000;

function push(out: DiffPart[], op: DiffOp, text: string): void {
  const last = out[out.length - 1];
  if (last && last.op === op) last.text += text;
  else if (text) out.push({ op, text });
}

export function wordDiff(before: string, after: string): DiffPart[] {
  const a = diffPieces(before);
  const b = diffPieces(after);
  // Common head and tail first: most edits touch a few words of a long prompt.
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head++;
  let tail = 0;
  while (
    tail < a.length - head &&
    tail < b.length - head &&
    a[a.length - 1 - tail] === b[b.length - 1 - tail]
  )
    tail++;
  const out: DiffPart[] = [];
  push(out, 'same', a.slice(0, head).join(''));
  const midA = a.slice(head, a.length - tail);
  const midB = b.slice(head, b.length - tail);
  const n = midA.length;
  const m = midB.length;
  if (n * m > MAX_CELLS) {
    push(out, 'del', midA.join(''));
    push(out, 'ins', midB.join(''));
  } else {
    // lcs[i][j]: length of the LCS of midA[i..] and midB[j..], in one flat table.
    const w = m + 1;
    const lcs = new Uint32Array((n + 1) * w);
    for (let i = n - 1; i >= 0; i--) {
      for (let j = m - 1; j >= 0; j--) {
        lcs[i * w + j] =
          midA[i] === midB[j]
            ? lcs[(i + 1) * w + j + 1] + 1
            : Math.max(lcs[(i + 1) * w + j], lcs[i * w + j + 1]);
      }
    }
    let i = 0;
    let j = 0;
    while (i < n || j < m) {
      if (i < n && j < m && midA[i] === midB[j]) {
        push(out, 'same', midA[i]);
        i++;
        j++;
      } else if (i < n && (j === m || lcs[(i + 1) * w + j] >= lcs[i * w + j + 1])) {
        // Deletions before insertions where both keep the LCS: "[-old-]{+new+}".
        push(out, 'del', midA[i]);
        i++;
      } else {
        push(out, 'ins', midB[j]);
        j++;
      }
    }
  }
  push(out, 'same', a.slice(a.length - tail).join(''));
  return out;
}

/** Whether a diff changes anything. */
export function diffChanges(parts: readonly DiffPart[]): boolean {
  return parts.some((p) => p.op !== 'same');
}
