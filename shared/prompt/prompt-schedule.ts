// A1111 prompt editing and alternation (`get_learned_conditioning_prompt_schedules` in
// modules/prompt_parser.py): `[a:b:when]`, `[a:when]`, `[a::when]`, `[:b:when]` switch text at a step
// (`when` < 1 with a dot is a fraction of the steps, otherwise a step number), `[a|b|c]` cycles per
// step. A1111 parses with a lark Earley grammar; this is a hand-written parser for the same grammar
// that makes the same choices (checked against lark on generated prompts). Regions that are neither
// editing nor alternation come back verbatim, escapes and attention brackets included, for
// `parsePromptAttention` to read afterwards.
//
//   start:     (prompt | raw bracket or colon)*
//   prompt:    (emphasized | scheduled | alternate | plain | whitespace)*
//   emphasized "(" prompt ")" | "(" prompt ":" prompt ")" | "[" prompt "]"
//   scheduled  "[" [prompt ":"] prompt ":" [ws] NUMBER [ws] "]"
//   alternate  "[" prompt ("|" [prompt])+ "]"
//   plain      ([^\[]():|] | \.)+

import { PY_WHITESPACE_CLASS } from './python-text';

/** `[endStep, text]`: use `text` for steps up to and including `endStep`. */
export type ScheduleEntry = [endStep: number, text: string];

export interface ScheduleOptions {
  /** With a hires pass: its step count; `when` then counts from the end of the first pass (A1111). */
  hiresSteps?: number;
  /** A1111's "old prompt editing timelines" compatibility setting. */
  useOldScheduling?: boolean;
}

type Node = string | Scheduled | Alternate;
interface Scheduled {
  kind: 'scheduled';
  /** Source offsets of its `[` and just past its `]`. */
  open: number;
  end: number;
  before: Node[] | null;
  after: Node[];
  whenText: string;
}
interface Alternate {
  kind: 'alternate';
  options: Node[][];
}
interface GroupSpan {
  open: number;
  end: number;
  kind: 'emphasis' | 'scheduled' | 'alternate';
}
interface Parsed {
  nodes: Node[];
  end: number;
  /** Every group inside, nested ones included. */
  spans: GroupSpan[];
}

// lark's common.SIGNED_NUMBER, and the Python `\s+` WHITESPACE terminal.
const NUMBER = /[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?/y;
const WHITESPACE = new RegExp(`[${PY_WHITESPACE_CLASS}]+`, 'uy');
const PLAIN = /(?:[^\\[\]():|]|\\.)+/y;
// Bracket nesting beyond this is treated as unparseable (A1111 then uses the prompt unchanged); it
// keeps recursion bounded on hostile input, far above anything a person types.
const MAX_DEPTH = 200;
// Each round re-reads the prompt with more groups taken as text; real prompts need one or two. A
// group's reading depends on the groups to its right, so rounds demote the rightmost candidate only,
// until SINGLE_DEMOTION_ROUNDS; hostile inputs past that demote all candidates at once.
const MAX_DEMOTION_ROUNDS = 64;
const SINGLE_DEMOTION_ROUNDS = 48;

function matchAt(pattern: RegExp, text: string, pos: number): string | undefined {
  pattern.lastIndex = pos;
  return pattern.exec(text)?.[0];
}

class ScheduleParser {
  private readonly groups = new Map<number, Parsed | null>();
  /** Groups consumed at the top level, as `[open, end)`. */
  readonly topGroups: { open: number; end: number }[] = [];
  constructor(
    private readonly text: string,
    /** Bracket positions to read as plain characters (see `larkDemotions`). */
    private readonly forcedRaw: ReadonlySet<number> = new Set(),
  ) {}

  /** A `prompt`: items up to the first character no item can take. */
  prompt(pos: number, depth: number): Parsed {
    const nodes: Node[] = [];
    const spans: GroupSpan[] = [];
    const { text } = this;
    while (pos < text.length) {
      const ch = text[pos];
      if (ch === '[' || ch === '(') {
        const group = this.group(pos, depth + 1);
        if (!group) break;
        if (depth === 0) this.topGroups.push({ open: pos, end: group.end });
        nodes.push(...group.nodes);
        spans.push(...group.spans);
        pos = group.end;
        continue;
      }
      const plain = matchAt(PLAIN, text, pos);
      if (!plain) break;
      nodes.push(plain);
      pos += plain.length;
    }
    return { nodes, end: pos, spans };
  }

  /** A bracketed group starting at `pos`, or null where none of the group rules matches. */
  group(pos: number, depth: number): Parsed | null {
    if (depth > MAX_DEPTH || this.forcedRaw.has(pos)) return null;
    const memo = this.groups.get(pos);
    if (memo !== undefined) return memo;
    const result = this.text[pos] === '(' ? this.round(pos, depth) : this.square(pos, depth);
    this.groups.set(pos, result);
    return result;
  }

  private round(pos: number, depth: number): Parsed | null {
    const { text } = this;
    const first = this.prompt(pos + 1, depth);
    if (text[first.end] === ')') {
      return this.made(pos, first.end + 1, 'emphasis', ['(', ...first.nodes, ')'], first.spans);
    }
    if (text[first.end] !== ':') return null;
    const second = this.prompt(first.end + 1, depth);
    if (text[second.end] !== ')') return null;
    const nodes = ['(', ...first.nodes, ':', ...second.nodes, ')'];
    return this.made(pos, second.end + 1, 'emphasis', nodes, [...first.spans, ...second.spans]);
  }

  private square(pos: number, depth: number): Parsed | null {
    const { text } = this;
    const first = this.prompt(pos + 1, depth);
    const next = text[first.end];
    if (next === ']')
      return this.made(pos, first.end + 1, 'emphasis', ['[', ...first.nodes, ']'], first.spans);
    if (next === '|') {
      const options: Node[][] = [first.nodes];
      const spans = [...first.spans];
      let at = first.end;
      while (text[at] === '|') {
        const option = this.prompt(at + 1, depth);
        options.push(option.nodes);
        spans.push(...option.spans);
        at = option.end;
      }
      if (text[at] !== ']') return null;
      return this.made(pos, at + 1, 'alternate', [{ kind: 'alternate', options }], spans);
    }
    if (next !== ':') return null;
    const when = this.when(first.end + 1);
    if (when) {
      const node: Scheduled = {
        kind: 'scheduled',
        open: pos,
        end: when.end,
        before: null,
        after: first.nodes,
        whenText: when.text,
      };
      return this.made(pos, when.end, 'scheduled', [node], first.spans);
    }
    const second = this.prompt(first.end + 1, depth);
    if (text[second.end] !== ':') return null;
    const whenAfter = this.when(second.end + 1);
    if (!whenAfter) return null;
    const node: Scheduled = {
      kind: 'scheduled',
      open: pos,
      end: whenAfter.end,
      before: first.nodes,
      after: second.nodes,
      whenText: whenAfter.text,
    };
    return this.made(pos, whenAfter.end, 'scheduled', [node], [...first.spans, ...second.spans]);
  }

  private made(
    open: number,
    end: number,
    kind: GroupSpan['kind'],
    nodes: Node[],
    inner: GroupSpan[],
  ): Parsed {
    return { nodes, end, spans: [{ open, end, kind }, ...inner] };
  }

  /** `[ws] NUMBER [ws] "]"` */
  private when(pos: number): { text: string; end: number } | null {
    pos += matchAt(WHITESPACE, this.text, pos)?.length ?? 0;
    const number = matchAt(NUMBER, this.text, pos);
    if (!number) return null;
    pos += number.length;
    pos += matchAt(WHITESPACE, this.text, pos)?.length ?? 0;
    return this.text[pos] === ']' ? { text: number, end: pos + 1 } : null;
  }

  /** `start`: prompts with stray brackets and colons kept as text; null where lark finds no parse. */
  start(): { nodes: Node[]; spans: GroupSpan[] } | null {
    const { text } = this;
    const nodes: Node[] = [];
    const spans: GroupSpan[] = [];
    let pos = 0;
    while (pos < text.length) {
      const item = this.prompt(pos, 0);
      nodes.push(...item.nodes);
      spans.push(...item.spans);
      pos = item.end;
      if (pos >= text.length) break;
      if ('[]():'.includes(text[pos])) {
        nodes.push(text[pos]);
        pos++;
      } else {
        return null; // a `|` outside alternation, or a backslash with nothing to escape
      }
    }
    return { nodes, spans };
  }
}

// lark's ambiguity resolution (A1111 parses with lark's Earley parser) does not always take a bracket
// group as a group: where stray brackets or colons follow it, lark reads the group as plain text when
// the run of such characters after its closing bracket — the closing brackets of enclosing groups that
// end right there (d) plus the stray characters after them (t) — has even length with t >= 1. For
// attention groups that only matters because it turns enclosing groups into text too, and with them
// the editing syntax inside. The rule was found by comparing with lark on generated prompts (see
// test/unit/prompt/prompt-schedule-goldens.json); alternation is never demoted (`|` cannot be text).
// Top-level groups are disjoint and in source order, so the one enclosing a span is found by bisection.
function enclosingTopGroup(topGroups: readonly { open: number; end: number }[], span: GroupSpan) {
  let lo = 0;
  let hi = topGroups.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const group = topGroups[mid];
    if (group.end <= span.open) lo = mid + 1;
    else if (group.open > span.open) hi = mid - 1;
    else return span.end <= group.end ? group : undefined;
  }
  return undefined;
}

function larkDemotions(
  text: string,
  spans: readonly GroupSpan[],
  topGroups: readonly { open: number; end: number }[],
): number[] {
  const topOpens = new Set(topGroups.map((g) => g.open));
  const runs = new Map<number, number>();
  const rawRun = (from: number): number => {
    const known = runs.get(from);
    if (known !== undefined) return known;
    let n = 0;
    while (from + n < text.length && '[]():'.includes(text[from + n]) && !topOpens.has(from + n)) n++;
    runs.set(from, n);
    return n;
  };
  const demote: number[] = [];
  for (const span of spans) {
    if (span.kind === 'alternate') continue;
    const outer = enclosingTopGroup(topGroups, span);
    let d = 0;
    let t = 0;
    if (!outer || outer.open === span.open) {
      t = rawRun(span.end);
    } else {
      while (span.end + d < outer.end && ')]'.includes(text[span.end + d])) d++;
      if (span.end + d === outer.end) t = rawRun(outer.end);
    }
    if (t >= 1 && (d + t) % 2 === 0) demote.push(span.open);
  }
  return demote;
}

function collectSteps(
  nodes: readonly Node[],
  whenStep: (whenText: string) => number,
  steps: number,
  out: Set<number>,
) {
  for (const node of nodes) {
    if (typeof node === 'string') continue;
    if (node.kind === 'alternate') {
      for (let s = 1; s <= steps; s++) out.add(s);
      for (const option of node.options) collectSteps(option, whenStep, steps, out);
    } else {
      const when = whenStep(node.whenText);
      if (when >= 1) out.add(when);
      if (node.before) collectSteps(node.before, whenStep, steps, out);
      collectSteps(node.after, whenStep, steps, out);
    }
  }
}

function textAtStep(nodes: readonly Node[], step: number, whenStep: (whenText: string) => number): string {
  let out = '';
  for (const node of nodes) {
    if (typeof node === 'string') out += node;
    else if (node.kind === 'alternate')
      out += textAtStep(node.options[(step - 1) % node.options.length], step, whenStep);
    else if (step <= whenStep(node.whenText))
      out += node.before ? textAtStep(node.before, step, whenStep) : '';
    else out += textAtStep(node.after, step, whenStep);
  }
  return out;
}

/**
 * The prompt text in force over the sampling steps, as A1111 computes it: ascending `[endStep, text]`
 * pairs, the last ending at `steps` (or `hiresSteps`). A prompt A1111 cannot parse is used unchanged.
 */
export function getPromptSchedule(
  prompt: string,
  steps: number,
  options: ScheduleOptions = {},
): ScheduleEntry[] {
  const hires = options.hiresSteps !== undefined && !options.useOldScheduling;
  const total = hires ? options.hiresSteps! : steps;
  const intOffset = hires ? steps : 0;
  const floatOffset = hires ? 1 : 0;
  // Python: float(s), then int() truncates toward zero; "." in s decides fraction versus step number.
  const whenStep = (whenText: string): number => {
    const value = Number(whenText);
    let v: number;
    if (options.useOldScheduling) v = value < 1 ? value * total : value;
    else v = whenText.includes('.') ? (value - floatOffset) * total : value - intOffset;
    return Math.min(total, Math.trunc(v));
  };
  const forcedRaw = new Set<number>();
  // Demotions that leave no parse at all (a `|` then outside any alternation) are not lark's choice.
  const keep = new Set<number>();
  let nodes: Node[] | null = null;
  let lastDemoted: number[] = [];
  for (let round = 0; round < MAX_DEMOTION_ROUNDS; round++) {
    const parser = new ScheduleParser(prompt, forcedRaw);
    const parsed = parser.start();
    if (!parsed) {
      if (lastDemoted.length === 0) return [[total, prompt]];
      for (const open of lastDemoted) {
        forcedRaw.delete(open);
        keep.add(open);
      }
      lastDemoted = [];
      continue;
    }
    nodes = parsed.nodes;
    const demote = larkDemotions(prompt, parsed.spans, parser.topGroups).filter(
      (open) => !forcedRaw.has(open) && !keep.has(open),
    );
    if (demote.length === 0) break;
    lastDemoted = round < SINGLE_DEMOTION_ROUNDS ? [Math.max(...demote)] : demote;
    for (const open of lastDemoted) forcedRaw.add(open);
  }
  if (!nodes) return [[total, prompt]];
  const stepSet = new Set<number>([total]);
  collectSteps(nodes, whenStep, total, stepSet);
  return [...stepSet].sort((a, b) => a - b).map((step) => [step, textAtStep(nodes, step, whenStep)]);
}

/** The prompt text to condition on at a 1-based `step` (alternation and editing resolved). */
export function promptAtStep(schedule: readonly ScheduleEntry[], step: number): string {
  for (const [endStep, text] of schedule) if (step <= endStep) return text;
  return schedule[schedule.length - 1][1];
}
