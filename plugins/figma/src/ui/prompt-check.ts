// The prompt-optimizer part of the panel (issue 7, item 5): findings from the shared analysis
// (shared/prompt/analysis) for the prompt, negative prompt and settings, each with its one-click
// fix, plus "fix all" (offered as a before/after diff to accept). The findings' spans also go to
// the inline highlights (`onFindings`). Token counts come from the daemon's real tokenizer, in one batch of
// `tokenize` requests per analysis; without a daemon the check waits for one.

import type { PresetFamily } from '../../../../shared/presets/style-preset';
import { analyzePromptAsync } from '../../../../shared/prompt/analysis/analyze-prompt';
import { applyEdits, type Finding, type FindingFix } from '../../../../shared/prompt/analysis/finding';
import type { SamplerIdWire } from '../../../../shared/protocol/samplers';
import type { StippleClient } from '../../../../shared/protocol/stipple-client';
import { show } from './dom';

export interface PromptCheckView {
  box: HTMLElement;
  list: HTMLElement;
  fixAll: HTMLButtonElement;
}

export interface PromptCheckInputs {
  prompt: HTMLTextAreaElement;
  negative: HTMLTextAreaElement;
  settings(): { family?: PresetFamily; sampler?: SamplerIdWire; steps?: number; cfg?: number };
  applySettings(settings: NonNullable<FindingFix['settings']>): void;
  /** Every new analysis (the highlights draw its spans). */
  onFindings?(findings: readonly Finding[], analysed: { prompt: string; negative: string }): void;
  /** Hovering a finding's line. */
  onFocus?(code: string | null): void;
  /** "Fix all": the fixed texts, shown as a diff; `accept` applies the settings part. */
  proposeFixAll?(fixed: { prompt: string; negative: string; labels: string[]; accept(): void }): void;
}

/** The analysis' model family for a daemon model family id. */
export function presetFamily(modelFamily: string | undefined): PresetFamily | undefined {
  if (!modelFamily) return undefined;
  if (/turbo|lcm|lightning/i.test(modelFamily)) return 'turbo';
  if (/xl/i.test(modelFamily)) return 'sdxl';
  return 'sd1';
}

export function attachPromptCheck(
  getClient: () => StippleClient | null,
  view: PromptCheckView,
  inputs: PromptCheckInputs,
): () => void {
  let timer: ReturnType<typeof setTimeout> | null = null;
  let generation = 0;
  let current: Finding[] = [];
  // The texts the shown findings were computed for. Their fixes are edits at spans of those texts, so
  // once the user types they would land in the wrong place: a stale list is marked and its fixes re-check
  // first instead of applying.
  let analysedTexts = { prompt: '', negative: '' };
  const stale = () =>
    inputs.prompt.value !== analysedTexts.prompt || inputs.negative.value !== analysedTexts.negative;
  const markStale = () => {
    if (stale()) view.list.dataset.stale = 'true';
  };

  const counter = {
    async countTokensBatch(texts: readonly string[]): Promise<number[]> {
      const client = getClient();
      if (client?.connectionState !== 'connected') throw new Error('not connected');
      return Promise.all(
        texts.map(async (text) => {
          const reply = await client.request({ type: 'tokenize', text });
          if (reply.type !== 'tokens')
            throw new Error(reply.type === 'error' ? reply.message : 'no token count');
          return reply.total;
        }),
      );
    },
  };

  type Fix = { finding: Finding; fix: FindingFix };
  const fixedText = (fixes: Fix[], target: 'prompt' | 'negative') => {
    const area = target === 'prompt' ? inputs.prompt : inputs.negative;
    const edits = fixes.filter((x) => x.finding.target === target).flatMap((x) => x.fix.edits ?? []);
    return edits.length ? applyEdits(area.value, edits) : area.value;
  };
  const settingsOf = (fixes: Fix[]) => Object.assign({}, ...fixes.map((x) => x.fix.settings ?? {}));

  function apply(fixes: Fix[]): void {
    if (stale()) {
      void update();
      return;
    }
    for (const target of ['prompt', 'negative'] as const) {
      const area = target === 'prompt' ? inputs.prompt : inputs.negative;
      const text = fixedText(fixes, target);
      if (text === area.value) continue;
      area.value = text;
      area.dispatchEvent(new Event('input', { bubbles: true }));
    }
    const settings = settingsOf(fixes);
    if (Object.keys(settings).length > 0) inputs.applySettings(settings);
    schedule();
  }

  function fixAll(fixes: Fix[]): void {
    if (stale()) {
      void update();
      return;
    }
    if (!inputs.proposeFixAll) {
      apply(fixes);
      return;
    }
    const settings = settingsOf(fixes);
    inputs.proposeFixAll({
      prompt: fixedText(fixes, 'prompt'),
      negative: fixedText(fixes, 'negative'),
      labels: fixes.map((x) => x.fix.label),
      accept: () => {
        if (Object.keys(settings).length > 0) inputs.applySettings(settings);
        schedule();
      },
    });
  }

  function render(findings: Finding[], analysed: { prompt: string; negative: string }): void {
    current = findings.filter((f) => f.code !== 'P_TOKEN_COUNT');
    analysedTexts = analysed;
    if (stale()) view.list.dataset.stale = 'true';
    else delete view.list.dataset.stale;
    view.list.replaceChildren(
      ...current.map((finding) => {
        const item = document.createElement('li');
        item.dataset.code = finding.code;
        item.dataset.severity = finding.severity;
        item.addEventListener('mouseenter', () => inputs.onFocus?.(finding.code));
        item.addEventListener('mouseleave', () => inputs.onFocus?.(null));
        const text = document.createElement('span');
        text.textContent = `${finding.target === 'negative' ? 'Negative: ' : ''}${finding.message}`;
        item.append(text);
        const fix = finding.fix;
        if (fix && (fix.edits?.length || fix.settings)) {
          const button = document.createElement('button');
          button.type = 'button';
          button.textContent = fix.label;
          button.addEventListener('click', () => apply([{ finding, fix }]));
          item.append(' ', button);
        }
        return item;
      }),
    );
    const fixable = current.filter((f) => f.fix && (f.fix.edits?.length || f.fix.settings));
    show(view.fixAll, fixable.length > 1);
    view.fixAll.onclick = () => fixAll(fixable.map((finding) => ({ finding, fix: finding.fix! })));
    show(view.box, current.length > 0);
    inputs.onFindings?.(current, analysed);
  }

  async function update(): Promise<void> {
    const mine = ++generation;
    const analysed = { prompt: inputs.prompt.value, negative: inputs.negative.value };
    try {
      const analysis = await analyzePromptAsync(analysed.prompt, counter, {
        negativePrompt: analysed.negative,
        settings: inputs.settings(),
      });
      if (mine === generation) render(analysis.findings, analysed);
    } catch {
      // No daemon (or it went away mid-check): keep the last findings; the state line says why.
    }
  }

  function schedule(): void {
    if (timer) clearTimeout(timer);
    timer = setTimeout(update, 400);
  }
  for (const area of [inputs.prompt, inputs.negative]) {
    area.addEventListener('input', markStale);
    area.addEventListener('input', schedule);
  }
  return schedule;
}
