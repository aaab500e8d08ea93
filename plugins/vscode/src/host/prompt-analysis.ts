// The side panel's prompt analysis, run in the extension host with shared/prompt's analyzer and
// optimizer (issue 7). Token counts come from the daemon's real CLIP tokenizer (`tokenize`),
// cached per keyword; until a count is known (or with no daemon) an estimate stands in and the
// result says it is not exact.
import { analyzePrompt, tokenCountQueries } from '../../../../shared/prompt/analysis/analyze-prompt';
import { applyEdits } from '../../../../shared/prompt/analysis/finding';
import type { GenerationSettings } from '../../../../shared/prompt/analysis/settings-checks';
import type { TokenCounter } from '../../../../shared/prompt/analysis/token-budget';
import { optimizePrompt } from '../../../../shared/prompt/optimize/optimize-prompt';
import type { PanelAnalysis } from '../common/panel-messages';

const MAX_CACHED = 5000;

/** Roughly what CLIP's BPE gives for English keywords: a token per word or symbol, more for long words. */
export function estimateTokens(text: string): number {
  let n = 0;
  for (const m of text.matchAll(/[A-Za-z]+|\d|[^\sA-Za-z\d]/g))
    n += m[0].length > 8 ? Math.ceil(m[0].length / 6) : 1;
  return n;
}

export class TokenCountCache {
  private readonly counts = new Map<string, number>();

  /** Asks `count` for every text not cached yet; failures leave the estimate in place. */
  async fill(texts: readonly string[], count: (text: string) => Promise<number>): Promise<void> {
    const missing = texts.filter((t) => !this.counts.has(t));
    const results = await Promise.allSettled(missing.map((t) => count(t)));
    results.forEach((r, i) => {
      const text = missing[i];
      if (r.status === 'fulfilled' && text !== undefined) this.counts.set(text, r.value);
    });
    if (this.counts.size > MAX_CACHED) this.counts.clear();
  }

  /** A counter over the cache; `misses` counts the texts that had to be estimated, `missed` names them. */
  counter(): TokenCounter & { misses: number; missed: Set<string> } {
    const self = this;
    return {
      misses: 0,
      missed: new Set<string>(),
      countTokens(text: string): number {
        const known = self.counts.get(text);
        if (known !== undefined) return known;
        this.misses++;
        this.missed.add(text);
        return estimateTokens(text);
      },
    };
  }
}

export function analysisQueries(prompt: string, negativePrompt: string): string[] {
  return tokenCountQueries(prompt, negativePrompt);
}

/** Findings for the panel, each fix pre-applied to its text so the webview only swaps strings. */
export function analyzeForPanel(
  prompt: string,
  negativePrompt: string,
  counter: TokenCounter & { misses: number },
): Omit<PanelAnalysis, 'requestId' | 'type'> {
  const a = analyzePrompt(prompt, counter, { negativePrompt });
  const findings = a.findings
    .filter((f) => f.code !== 'P_TOKEN_COUNT')
    .map((f) => {
      const edits = f.fix?.edits;
      const target = f.target === 'negative' ? 'negative' : 'prompt';
      const fixed = edits?.length
        ? applyEdits(target === 'negative' ? negativePrompt : prompt, edits)
        : undefined;
      return {
        code: f.code,
        severity: f.severity,
        message: f.message,
        target,
        start: f.span.start,
        end: f.span.end,
        fixLabel: fixed !== undefined ? (f.fix?.label ?? 'Fix') : undefined,
        fixedText: fixed,
      } as const;
    });
  return {
    chunks: a.chunks.map((c) => c.tokenCount),
    total: a.totalTokens,
    exact: counter.misses === 0,
    findings,
  };
}

/** "Fix all": the optimizer's fixes (translation, syntax, dedupe, weights, chunk boundaries). */
export function fixAllForPanel(
  prompt: string,
  negativePrompt: string,
  counter: TokenCounter,
): { prompt: string; negativePrompt: string; changes: string[] } {
  const r = optimizePrompt(prompt, counter, { negativePrompt, reorder: false });
  return { prompt: r.prompt, negativePrompt: r.negativePrompt, changes: r.changes.map((c) => c.label) };
}

/**
 * "Optimize": the whole optimizer (fixes, subject first, negative prompt, settings checks) with the
 * daemon's token counts. The optimizer counts texts it derives itself, so it runs again with the
 * counts it was missing until none are (a few rounds at most); `fill` asks the daemon, and without
 * one the estimates stand and `exact` is false.
 */
export async function optimizeForPanel(
  prompt: string,
  negativePrompt: string,
  settings: GenerationSettings,
  cache: TokenCountCache,
  fill: (texts: string[]) => Promise<void>,
): Promise<{ prompt: string; negativePrompt: string; changes: string[]; exact: boolean }> {
  for (let round = 0; ; round++) {
    const counter = cache.counter();
    const r = optimizePrompt(prompt, counter, { negativePrompt, settings });
    if (counter.missed.size === 0 || round === 4) {
      return {
        prompt: r.prompt,
        negativePrompt: r.negativePrompt,
        changes: r.changes.map((c) => c.label),
        exact: counter.missed.size === 0,
      };
    }
    const before = counter.missed.size;
    await fill([...counter.missed]);
    // Nothing could be counted (no daemon): the estimates are the best there is.
    const again = cache.counter();
    for (const t of counter.missed) again.countTokens(t);
    if (again.missed.size === before) {
      return {
        prompt: r.prompt,
        negativePrompt: r.negativePrompt,
        changes: r.changes.map((c) => c.label),
        exact: false,
      };
    }
  }
}
