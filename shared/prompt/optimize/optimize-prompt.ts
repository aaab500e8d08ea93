// The optimizer: applies the analysis's fixes in a safe order — translate, repair syntax, dedupe,
// clamp weights, put the subject first, keep keywords whole across chunk boundaries — then the preset,
// a suggested negative prompt, and the settings guidance. Each step re-analyses the text it edits, so
// spans are never stale. The original prompt is never modified in place; the result lists what changed.

import { applyPreset, suggestNegativePrompt } from '../../presets/apply-preset';
import type { PresetFamily, RecommendedSettings, StylePreset } from '../../presets/style-preset';
import { type AnalyzeOptions, analyzePrompt, type PromptAnalysis } from '../analysis/analyze-prompt';
import { applyEdits, type Finding, type FindingCode } from '../analysis/finding';
import { splitKeywords } from '../analysis/prompt-keywords';
import type { GenerationSettings } from '../analysis/settings-checks';
import type { TokenCounter } from '../analysis/token-budget';
import { translateChinesePrompt } from '../translate/translate-chinese';
import { reorderKeywords } from './reorder-keywords';

export interface OptimizeOptions {
  negativePrompt?: string;
  settings?: GenerationSettings;
  preset?: StylePreset;
  family?: PresetFamily;
  /** Translate Chinese keywords with the bundled dictionary (default true). */
  translate?: boolean;
  /** Put subject keywords first (default true). */
  reorder?: boolean;
  longPrompts?: AnalyzeOptions['longPrompts'];
  maxChunks?: number;
}

export interface AppliedChange {
  code: FindingCode | 'P_REORDERED' | 'P_PRESET_APPLIED' | 'P_NEGATIVE_SUGGESTED' | 'P_NORMALIZED';
  label: string;
}

export interface OptimizeResult {
  prompt: string;
  negativePrompt: string;
  settings: GenerationSettings & Partial<RecommendedSettings>;
  changes: AppliedChange[];
  /** Chinese text the dictionary could not translate (kept in the prompt, flagged). */
  untranslated: string[];
  before: PromptAnalysis;
  after: PromptAnalysis;
}

// Whitespace and separators: single ", " between keywords, no empty keywords, no stray spaces.
export function normalizeSeparators(text: string): string {
  return text
    .replace(/[，、]/g, ',')
    .replace(/\s*,[\s,]*/g, ', ')
    .replace(/[ \t]{2,}/g, ' ')
    .replace(/^[\s,]+|[\s,]+$/g, '');
}

function fixCodes(
  text: string,
  target: 'prompt' | 'negative',
  codes: readonly FindingCode[],
  analyze: (t: string) => PromptAnalysis,
  changes: AppliedChange[],
): string {
  const analysis = analyze(text);
  const fixes = analysis.findings.filter(
    (f: Finding) => f.target === target && codes.includes(f.code) && f.fix?.edits?.length,
  );
  if (fixes.length === 0) return text;
  const counts = new Map<string, { code: FindingCode; label: string; n: number }>();
  for (const f of fixes) {
    const key = `${f.code}\u0000${f.fix!.label}`;
    const entry = counts.get(key) ?? { code: f.code, label: f.fix!.label, n: 0 };
    entry.n++;
    counts.set(key, entry);
  }
  for (const { code, label, n } of counts.values())
    changes.push({ code, label: n > 1 ? `${label} (×${n})` : label });
  return applyEdits(
    text,
    fixes.flatMap((f) => f.fix!.edits!),
  );
}

export function optimizePrompt(
  prompt: string,
  counter: TokenCounter,
  options: OptimizeOptions = {},
): OptimizeResult {
  const family = options.family ?? options.settings?.family ?? 'sd1';
  const settingsIn: GenerationSettings = { ...options.settings, family };
  const analyzeOptions = (negativePrompt?: string): AnalyzeOptions => ({
    negativePrompt,
    settings: settingsIn,
    preset: options.preset,
    longPrompts: options.longPrompts,
    maxChunks: options.maxChunks,
  });
  const before = analyzePrompt(prompt, counter, analyzeOptions(options.negativePrompt));
  const changes: AppliedChange[] = [];
  const untranslated: string[] = [];
  const analyzeText = (text: string) => analyzePrompt(text, counter, analyzeOptions());

  const cleanText = (input: string, target: 'prompt' | 'negative'): string => {
    let text = input;
    if (options.translate ?? true) {
      const translated = translateChinesePrompt(text);
      if (translated.text !== text) {
        changes.push({ code: 'P_NON_ENGLISH', label: `Translated Chinese keywords (${target})` });
        text = translated.text;
      }
      untranslated.push(...translated.untranslated.map((u) => u.text));
    }
    const normalized = normalizeSeparators(text);
    if (normalized !== text)
      changes.push({ code: 'P_NORMALIZED', label: `Tidied commas and spaces (${target})` });
    text = normalized;
    const analyzeTarget =
      target === 'prompt'
        ? analyzeText
        : (t: string) => ({ ...analyzePrompt('', counter, { negativePrompt: t }) });
    text = fixCodes(text, target, ['P_BAD_WEIGHT'], analyzeTarget, changes);
    text = fixCodes(text, target, ['P_UNBALANCED_BRACKET'], analyzeTarget, changes);
    text = fixCodes(text, target, ['P_REDUNDANT_BRACKETS'], analyzeTarget, changes);
    text = fixCodes(text, target, ['P_DUPLICATE_KEYWORD', 'P_NEAR_DUPLICATE'], analyzeTarget, changes);
    if (target === 'prompt') text = fixCodes(text, target, ['P_WEIGHT_RANGE'], analyzeTarget, changes);
    return normalizeSeparators(text);
  };

  let text = cleanText(prompt, 'prompt');
  if (options.reorder ?? true) {
    const reordered = reorderKeywords(text, splitKeywords(text));
    if (reordered !== undefined && reordered !== text) {
      changes.push({
        code: 'P_REORDERED',
        label: 'Put the subject first, then style, lighting, camera and quality keywords',
      });
      text = reordered;
    }
  }

  let negative = options.negativePrompt ?? '';
  let settings: OptimizeResult['settings'] = { ...settingsIn };
  if (options.preset) {
    const applied = applyPreset(options.preset, text, negative, family);
    text = applied.prompt;
    negative = applied.negativePrompt;
    settings = { ...applied.settings, ...stripUndefined(options.settings ?? {}), family };
    changes.push({ code: 'P_PRESET_APPLIED', label: `Applied the "${options.preset.name}" preset` });
  }
  // BREAK last: it depends on the final token layout.
  text = fixCodes(text, 'prompt', ['P_CHUNK_STRADDLE'], analyzeText, changes);

  negative = cleanText(negative, 'negative');
  if (negative.trim() === '' && family !== 'turbo') {
    negative = suggestNegativePrompt(options.preset, family);
    if (negative) changes.push({ code: 'P_NEGATIVE_SUGGESTED', label: 'Suggested a negative prompt' });
  }

  const settingsAnalysis = analyzePrompt(text, counter, { ...analyzeOptions(negative), settings });
  for (const finding of settingsAnalysis.findings) {
    if (finding.target !== 'settings' || !finding.fix?.settings || finding.code === 'P_SAMPLER_SUGGESTION')
      continue;
    settings = { ...settings, ...finding.fix.settings };
    changes.push({ code: finding.code, label: finding.fix.label });
  }
  const after = analyzePrompt(text, counter, { ...analyzeOptions(negative), settings });
  return {
    prompt: text,
    negativePrompt: negative,
    settings,
    changes,
    untranslated: [...new Set(untranslated)],
    before,
    after,
  };
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
