// Findings about keywords: repeats, near-repeats, weights outside 0.7–1.4, contradictions, and words
// wanted and unwanted at once.

import { CONFLICT_RULES } from '../data/conflicting-terms';
import type { Finding, TextEdit } from './finding';
import { containsPhrase, escapeAttention, type Keyword } from './prompt-keywords';

export const MIN_WEIGHT = 0.7;
export const MAX_WEIGHT = 1.4;

/** The edit that deletes a keyword together with one neighbouring comma. */
export function removeKeywordEdit(prompt: string, keyword: Keyword): TextEdit {
  let start = keyword.start;
  let end = keyword.end;
  const after = /^\s*,\s*/.exec(prompt.slice(end));
  if (after) end += after[0].length;
  else {
    const before = /\s*,\s*$/.exec(prompt.slice(0, start));
    if (before) start -= before[0].length;
  }
  return { start, end, text: '' };
}

/** `(text:w)` with w rounded to 2 decimals; plain text for weight 1. */
export function weightedKeyword(text: string, weight: number): string {
  const rounded = Math.round(weight * 100) / 100;
  return rounded === 1 ? escapeAttention(text) : `(${escapeAttention(text)}:${rounded})`;
}

// Light stemming for near-duplicate detection: plural -s/-es, -ly adverbs, hyphens and spaces.
function stem(word: string): string {
  return word
    .replace(/(?:ies)$/, 'y')
    .replace(/(?:es|s)$/, '')
    .replace(/ly$/, '')
    .replace(/(?:ed|ing)$/, '');
}

function stemKey(key: string): string {
  return key.replace(/[-_]/g, ' ').split(/\s+/).filter(Boolean).map(stem).sort().join(' ');
}

export function duplicateFindings(
  prompt: string,
  keywords: readonly Keyword[],
  target: 'prompt' | 'negative',
): Finding[] {
  const findings: Finding[] = [];
  const seen = new Map<string, Keyword>();
  const seenStem = new Map<string, Keyword>();
  for (const keyword of keywords) {
    const first = seen.get(keyword.key);
    if (first) {
      findings.push({
        code: 'P_DUPLICATE_KEYWORD',
        severity: 'warning',
        target,
        span: { start: keyword.start, end: keyword.end },
        message: `"${keyword.text}" is already in the prompt; repeating a keyword adds tokens, not emphasis (use a weight instead)`,
        fix: keyword.selfContained
          ? { label: `Remove the repeated "${keyword.text}"`, edits: [removeKeywordEdit(prompt, keyword)] }
          : undefined,
      });
      continue;
    }
    seen.set(keyword.key, keyword);
    const stemmed = stemKey(keyword.key);
    const similar = stemmed ? seenStem.get(stemmed) : undefined;
    if (similar) {
      findings.push({
        code: 'P_NEAR_DUPLICATE',
        severity: 'info',
        target,
        span: { start: keyword.start, end: keyword.end },
        message: `"${keyword.text}" says nearly the same as "${similar.text}"`,
        fix: keyword.selfContained
          ? { label: `Remove "${keyword.text}"`, edits: [removeKeywordEdit(prompt, keyword)] }
          : undefined,
      });
    } else if (stemmed) {
      seenStem.set(stemmed, keyword);
    }
  }
  return findings;
}

export function weightFindings(keywords: readonly Keyword[], target: 'prompt' | 'negative'): Finding[] {
  const findings: Finding[] = [];
  for (const keyword of keywords) {
    const { weight } = keyword;
    if (weight >= MIN_WEIGHT - 1e-9 && weight <= MAX_WEIGHT + 1e-9) continue;
    const clamped = Math.min(MAX_WEIGHT, Math.max(MIN_WEIGHT, weight));
    const shown = Math.round(weight * 1000) / 1000;
    findings.push({
      code: 'P_WEIGHT_RANGE',
      severity: weight > 2 || weight < 0.3 ? 'error' : 'warning',
      target,
      span: { start: keyword.start, end: keyword.end },
      message:
        weight > MAX_WEIGHT
          ? `"${keyword.text}" has weight ${shown}; above ${MAX_WEIGHT} images burn and lose coherence`
          : `"${keyword.text}" has weight ${shown}; below ${MIN_WEIGHT} a keyword barely registers (remove it, or move it to the negative prompt)`,
      fix: keyword.selfContained
        ? {
            label: `Set the weight to ${clamped}`,
            edits: [{ start: keyword.start, end: keyword.end, text: weightedKeyword(keyword.text, clamped) }],
          }
        : undefined,
    });
  }
  return findings;
}

export function conflictFindings(prompt: string, keywords: readonly Keyword[]): Finding[] {
  const findings: Finding[] = [];
  for (const rule of CONFLICT_RULES) {
    const a = keywords.find((k) => rule.a.some((phrase) => containsPhrase(k.key, phrase)));
    if (!a) continue;
    const b = keywords.find((k) => k !== a && rule.b.some((phrase) => containsPhrase(k.key, phrase)));
    if (!b) continue;
    const [first, second] = a.start < b.start ? [a, b] : [b, a];
    findings.push({
      code: 'P_CONFLICTING_TERMS',
      severity: 'warning',
      target: 'prompt',
      span: { start: second.start, end: second.end },
      message: `"${first.text}" and "${second.text}" contradict each other (${rule.reason}); the model will blend or ignore one`,
      fix: second.selfContained
        ? { label: `Remove "${second.text}"`, edits: [removeKeywordEdit(prompt, second)] }
        : undefined,
    });
  }
  return findings;
}

export function inBothFindings(prompt: readonly Keyword[], negative: readonly Keyword[]): Finding[] {
  const negativeKeys = new Set(negative.map((k) => k.key));
  return prompt
    .filter((k) => negativeKeys.has(k.key))
    .map((k) => ({
      code: 'P_IN_BOTH_PROMPTS' as const,
      severity: 'warning' as const,
      target: 'prompt' as const,
      span: { start: k.start, end: k.end },
      message: `"${k.text}" is asked for and also in the negative prompt; the two cancel out`,
    }));
}
