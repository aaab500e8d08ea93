// Prompt analysis: everything the optimizer panel highlights, as findings with codes, spans and fixes.
// Pure and synchronous given a token counter; `analyzePromptAsync` first asks an asynchronous counter
// (the daemon, over the protocol) for every count it will need in one batch.

import type { PresetFamily, StylePreset, SubjectKind } from '../../presets/style-preset';
import { CHUNK_LENGTH } from '../prompt-chunks';
import { chineseTranslator } from '../translate/translate-chinese';
import type { Finding } from './finding';
import { conflictFindings, duplicateFindings, inBothFindings, weightFindings } from './keyword-checks';
import { type ChineseTranslator, longSentenceFindings, nonEnglishFindings } from './language-checks';
import { type Keyword, splitKeywords } from './prompt-keywords';
import {
  COMPLEX_SCENE_KEYWORDS,
  detectSubject,
  type GenerationSettings,
  settingsFindings,
} from './settings-checks';
import { syntaxFindings } from './syntax-checks';
import { type ChunkBudget, type LongPromptMode, planTokenBudget, type TokenCounter } from './token-budget';

export interface AnalyzeOptions {
  negativePrompt?: string;
  settings?: GenerationSettings;
  preset?: StylePreset;
  /** How the text encoder handles more than 75 tokens (default: A1111 chunks). */
  longPrompts?: LongPromptMode;
  /** With `a1111`, text beyond this many chunks is reported as dropped (the daemon's limit). */
  maxChunks?: number;
  /** Suggests translations for Chinese text (default: the bundled dictionary). */
  translate?: ChineseTranslator;
}

export interface PromptAnalysis {
  findings: Finding[];
  keywords: Keyword[];
  chunks: ChunkBudget[];
  totalTokens: number;
  subject: SubjectKind;
  family?: PresetFamily;
}

export interface AsyncTokenCounter {
  /** Token counts (no BOS/EOS) of each text, in order: one round trip for the whole analysis. */
  countTokensBatch(texts: readonly string[]): Promise<number[]>;
}

function budgetFindings(
  analysisTarget: 'prompt' | 'negative',
  prompt: string,
  keywords: readonly Keyword[],
  counter: TokenCounter,
  options: AnalyzeOptions,
) {
  const budget = planTokenBudget(keywords, counter);
  const findings: Finding[] = [];
  const maxChunks = options.longPrompts === 'clip-77' ? 1 : options.maxChunks;
  if (analysisTarget === 'prompt') {
    for (const chunk of budget.chunks) {
      findings.push({
        code: 'P_TOKEN_COUNT',
        severity: 'info',
        target: analysisTarget,
        span: { start: chunk.start, end: chunk.end },
        message: `chunk ${chunk.index + 1}: ${chunk.tokenCount}/${CHUNK_LENGTH} tokens`,
      });
    }
  }
  for (const placement of budget.placements) {
    const { keyword } = placement;
    if (maxChunks !== undefined && placement.firstChunk >= maxChunks) continue; // reported as truncated
    if (placement.firstChunk !== placement.lastChunk) {
      const tooLong = placement.tokenCount > CHUNK_LENGTH;
      findings.push({
        code: 'P_CHUNK_STRADDLE',
        severity: 'warning',
        target: analysisTarget,
        span: { start: keyword.start, end: keyword.end },
        message: tooLong
          ? `"${keyword.text.slice(0, 40)}…" is ${placement.tokenCount} tokens, longer than a 75-token chunk; split it into comma-separated keywords`
          : `"${keyword.text}" is split between chunk ${placement.firstChunk + 1} and ${placement.lastChunk + 1}; each half is encoded without the other`,
        fix: tooLong
          ? undefined
          : {
              label: 'Start a new chunk before it (BREAK)',
              edits: [{ start: keyword.start, end: keyword.start, text: 'BREAK ' }],
            },
      });
    }
  }
  if (maxChunks !== undefined) {
    const dropped = budget.placements.filter((p) => p.lastChunk >= maxChunks);
    if (dropped.length > 0) {
      const start = dropped[0].keyword.start;
      findings.push({
        code: 'P_TRUNCATED',
        severity: 'warning',
        target: analysisTarget,
        span: { start, end: prompt.length },
        message: `${budget.totalTokens} tokens: the text encoder reads ${maxChunks * CHUNK_LENGTH}; "${dropped
          .map((p) => p.keyword.text)
          .join(', ')
          .slice(0, 80)}" is dropped — put the important keywords first or shorten the prompt`,
      });
    }
  }
  return { budget, findings };
}

const defaultTranslator = chineseTranslator();

/** Analyses a prompt (and optional negative prompt and settings) with a synchronous token counter. */
export function analyzePrompt(
  prompt: string,
  counter: TokenCounter,
  options: AnalyzeOptions = {},
): PromptAnalysis {
  const keywords = splitKeywords(prompt);
  const findings: Finding[] = [];
  if (prompt.trim() === '') {
    findings.push({
      code: 'P_EMPTY_PROMPT',
      severity: 'error',
      target: 'prompt',
      span: { start: 0, end: prompt.length },
      message: 'the prompt is empty: describe the subject first, then style and quality',
    });
  }
  findings.push(...syntaxFindings(prompt, 'prompt'));
  const { budget, findings: budgetIssues } = budgetFindings('prompt', prompt, keywords, counter, options);
  findings.push(...budgetIssues);
  findings.push(...duplicateFindings(prompt, keywords, 'prompt'));
  findings.push(...weightFindings(keywords, 'prompt'));
  findings.push(...conflictFindings(prompt, keywords));
  findings.push(...nonEnglishFindings(prompt, 'prompt', options.translate ?? defaultTranslator));
  findings.push(...longSentenceFindings(keywords, 'prompt'));

  const negative = options.negativePrompt;
  if (negative !== undefined) {
    const negativeKeywords = splitKeywords(negative);
    const turbo = options.settings?.family === 'turbo';
    if (negative.trim() === '' && !turbo && prompt.trim() !== '') {
      findings.push({
        code: 'P_EMPTY_NEGATIVE',
        severity: 'info',
        target: 'negative',
        span: { start: 0, end: 0 },
        message: 'no negative prompt: list what must not appear (e.g. low quality, blurry, watermark)',
      });
    }
    findings.push(...syntaxFindings(negative, 'negative'));
    findings.push(...budgetFindings('negative', negative, negativeKeywords, counter, options).findings);
    findings.push(...duplicateFindings(negative, negativeKeywords, 'negative'));
    findings.push(...nonEnglishFindings(negative, 'negative', options.translate ?? defaultTranslator));
    findings.push(...inBothFindings(keywords, negativeKeywords));
  }

  const detected = detectSubject(keywords);
  const subject =
    options.preset && options.preset.subject !== 'general' ? options.preset.subject : detected.subject;
  if (options.settings) {
    const complex = keywords.length >= COMPLEX_SCENE_KEYWORDS;
    findings.push(...settingsFindings(options.settings, subject, detected.realistic, complex));
  }
  return {
    findings,
    keywords,
    chunks: budget.chunks,
    totalTokens: budget.totalTokens,
    subject,
    family: options.settings?.family,
  };
}

/** The texts `analyzePrompt` will count, so a remote counter can be asked once. */
export function tokenCountQueries(prompt: string, negativePrompt?: string): string[] {
  const texts = splitKeywords(prompt).map((k) => k.text);
  if (negativePrompt !== undefined) texts.push(...splitKeywords(negativePrompt).map((k) => k.text));
  return [...new Set(texts)];
}

/** As `analyzePrompt`, with token counts fetched in one batch from an asynchronous counter. */
export async function analyzePromptAsync(
  prompt: string,
  counter: AsyncTokenCounter,
  options: AnalyzeOptions = {},
): Promise<PromptAnalysis> {
  const texts = tokenCountQueries(prompt, options.negativePrompt);
  const counts = await counter.countTokensBatch(texts);
  if (counts.length !== texts.length)
    throw new Error(`token counter answered ${counts.length} counts for ${texts.length} texts`);
  const known = new Map(texts.map((text, i) => [text, counts[i]]));
  const cached: TokenCounter = {
    countTokens: (text) => {
      const count = known.get(text);
      if (count === undefined) throw new Error(`no token count for "${text.slice(0, 40)}"`);
      return count;
    },
  };
  return analyzePrompt(prompt, cached, options);
}

/** A `TokenCounter` over anything with `encode` (the CLIP tokenizer). */
export function tokenCounterFrom(tokenizer: { encode(text: string): number[] }): TokenCounter {
  return { countTokens: (text) => tokenizer.encode(text).length };
}
