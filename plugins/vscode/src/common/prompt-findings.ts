// A small prompt check run in the side panel while shared/prompt's full analyzer (issue 7)
// lands: weights outside 0.7–1.4, duplicated keywords, empty keywords, a missing negative
// prompt. Each finding has a code, a span and a fix that rewrites the prompt. Pure.

export type FindingCode = 'weight_out_of_range' | 'duplicate_keyword' | 'empty_keyword' | 'empty_negative';

export interface Finding {
  code: FindingCode;
  message: string;
  start: number;
  end: number;
  /** The prompt after applying this fix alone; absent when there is nothing to rewrite. */
  fixed?: string;
}

export const MIN_WEIGHT = 0.7;
export const MAX_WEIGHT = 1.4;

interface Keyword {
  text: string;
  start: number;
  end: number;
}

function keywords(prompt: string): Keyword[] {
  const out: Keyword[] = [];
  let start = 0;
  let depth = 0;
  for (let i = 0; i <= prompt.length; i++) {
    const c = prompt[i];
    if (c === '\\') {
      i++;
      continue;
    }
    if (c === '(' || c === '[') depth++;
    else if ((c === ')' || c === ']') && depth > 0) depth--;
    if (i === prompt.length || (c === ',' && depth === 0)) {
      const raw = prompt.slice(start, i);
      const lead = raw.length - raw.trimStart().length;
      out.push({ text: raw.trim(), start: start + lead, end: start + lead + raw.trim().length });
      start = i + 1;
    }
  }
  return out;
}

function normalizeKeyword(k: string): string {
  return k
    .replace(/^[([]+|[)\]]+$/g, '')
    .replace(/:\s*-?\d+(\.\d+)?$/, '')
    .trim()
    .toLowerCase()
    .replace(/\s+/g, ' ');
}

function clamp(w: number): number {
  return Math.min(MAX_WEIGHT, Math.max(MIN_WEIGHT, w));
}

function formatWeight(w: number): string {
  return String(Math.round(w * 100) / 100);
}

export function clampWeights(prompt: string): string {
  return prompt.replace(/(\([^():]*):\s*(-?\d+(?:\.\d+)?)\)/g, (m, head: string, w: string) => {
    const n = Number(w);
    return n < MIN_WEIGHT || n > MAX_WEIGHT ? `${head}:${formatWeight(clamp(n))})` : m;
  });
}

export function dedupeKeywords(prompt: string): string {
  const seen = new Set<string>();
  const kept: string[] = [];
  for (const k of keywords(prompt)) {
    const n = normalizeKeyword(k.text);
    if (!n || seen.has(n)) continue;
    seen.add(n);
    kept.push(k.text);
  }
  return kept.join(', ');
}

export function analyzePrompt(prompt: string, negativePrompt: string): Finding[] {
  const findings: Finding[] = [];
  for (const m of prompt.matchAll(/\([^():]*:\s*(-?\d+(?:\.\d+)?)\)/g)) {
    const w = Number(m[1]);
    if (w < MIN_WEIGHT || w > MAX_WEIGHT) {
      findings.push({
        code: 'weight_out_of_range',
        message: `weight ${w} is outside ${MIN_WEIGHT}–${MAX_WEIGHT}: it tends to burn or wash out the image`,
        start: m.index ?? 0,
        end: (m.index ?? 0) + m[0].length,
        fixed: clampWeights(prompt),
      });
    }
  }
  const seen = new Map<string, Keyword>();
  const list = keywords(prompt);
  for (const k of list) {
    const n = normalizeKeyword(k.text);
    if (!n) {
      if (list.length > 1 && prompt.trim())
        findings.push({
          code: 'empty_keyword',
          message: 'empty keyword between commas',
          start: k.start,
          end: k.end,
          fixed: dedupeKeywords(prompt),
        });
      continue;
    }
    if (seen.has(n)) {
      findings.push({
        code: 'duplicate_keyword',
        message: `"${k.text}" repeats an earlier keyword`,
        start: k.start,
        end: k.end,
        fixed: dedupeKeywords(prompt),
      });
    } else seen.set(n, k);
  }
  if (prompt.trim() && !negativePrompt.trim()) {
    findings.push({
      code: 'empty_negative',
      message: 'no negative prompt: name what must not appear (e.g. "blurry, watermark, text")',
      start: 0,
      end: 0,
    });
  }
  return findings;
}

/** Applies every fix that rewrites the prompt. */
export function fixAll(prompt: string): string {
  return dedupeKeywords(clampWeights(prompt));
}
