// The shape of a prompt-analysis finding: a stable code clients branch on, a span in the analysed
// text, a message for people and an optional fix the panel can apply with one click.

import type { RecommendedSettings } from '../../presets/style-preset';

export const FINDING_CODES = {
  P_EMPTY_PROMPT: 'The prompt is empty.',
  P_TOKEN_COUNT: 'Token count of one 75-token chunk (information for the budget bar).',
  P_CHUNK_STRADDLE: 'A keyword is split across a 75-token chunk boundary.',
  P_TRUNCATED: 'Text beyond what the text encoder reads is dropped.',
  P_DUPLICATE_KEYWORD: 'The same keyword appears more than once.',
  P_NEAR_DUPLICATE: 'Two keywords say almost the same thing.',
  P_WEIGHT_RANGE: 'A keyword weight is outside 0.7–1.4.',
  P_BAD_WEIGHT: 'A weight is not a number (A1111 rejects the prompt).',
  P_UNBALANCED_BRACKET: 'A bracket is not closed, or closes nothing.',
  P_REDUNDANT_BRACKETS: 'Brackets that could be written more simply.',
  P_CONFLICTING_TERMS: 'Keywords that contradict each other.',
  P_IN_BOTH_PROMPTS: 'A keyword is in both the prompt and the negative prompt.',
  P_NON_ENGLISH: 'Text CLIP cannot read well (not English).',
  P_LONG_SENTENCE: 'A long sentence where comma-separated keywords work better.',
  P_EMPTY_NEGATIVE: 'The negative prompt is empty.',
  P_STEPS_RANGE: 'Steps outside 18–30 for a non-Turbo model.',
  P_TURBO_SETTINGS: 'Turbo models want 1–4 steps and CFG at most 1.',
  P_CFG_RANGE: 'CFG outside the range that suits the subject.',
  P_SAMPLER_SUGGESTION: 'Another sampler suits this subject or step count better.',
} as const;

export type FindingCode = keyof typeof FINDING_CODES;
export type FindingSeverity = 'info' | 'warning' | 'error';
/** Which text a span refers to. Settings findings point at the prompt's subject, or have no span. */
export type FindingTarget = 'prompt' | 'negative' | 'settings';

export interface TextSpan {
  start: number;
  end: number;
}

/** Replace `[start, end)` of the target text with `text` (LSP-style; apply from the end backwards). */
export interface TextEdit extends TextSpan {
  text: string;
}

export interface FindingFix {
  label: string;
  edits?: TextEdit[];
  settings?: Partial<RecommendedSettings>;
}

export interface Finding {
  code: FindingCode;
  severity: FindingSeverity;
  target: FindingTarget;
  span: TextSpan;
  message: string;
  fix?: FindingFix;
}

/**
 * Applies edits to `text`, later ones first so offsets stay valid. Overlapping deletions are merged
 * (removing "b, " and ", c" from "a, b, c" removes both); any other overlapping edit is skipped
 * rather than corrupting the text.
 */
export function applyEdits(text: string, edits: readonly TextEdit[]): string {
  const sorted = [...edits].sort((a, b) => b.start - a.start || b.end - a.end);
  let out = text;
  let limit = Number.POSITIVE_INFINITY;
  let lastWasDeletion = false;
  for (const edit of sorted) {
    if (edit.end > limit) {
      if (edit.text === '' && lastWasDeletion && edit.start < limit) {
        out = out.slice(0, edit.start) + out.slice(limit);
        limit = edit.start;
      }
      continue;
    }
    out = out.slice(0, edit.start) + edit.text + out.slice(edit.end);
    limit = edit.start;
    lastWasDeletion = edit.text === '';
  }
  return out;
}
