// Pure logic of the side panel's prompt editor (no DOM): which finding spans the inline highlights
// draw in each box, whether the shown findings still match the text (a fix computed for older text
// would land at the wrong span), and what a gallery entry puts back into the editor (prompt,
// negative prompt, size, checkpoint and the LoRAs its `<lora:name:w>` tags name); a preset written
// into the prompt, and what an LLM rewrite failure tells the user.
import { applyPreset } from '../../../../shared/presets/apply-preset';
import {
  PRESET_FAMILIES,
  type PresetFamily,
  presetFamilyOf,
  type StylePreset,
} from '../../../../shared/presets/style-preset';
import { clampWeight } from '../../../../shared/prompt/extra-network-picker';
import { extraNetworkWeight, parseExtraNetworks } from '../../../../shared/prompt/extra-networks';
import type { HighlightSpan } from '../../../../shared/prompt/highlight-segments';
import { LORA_WEIGHT } from './extra-networks';
import type { GalleryItem, PanelAnalysis } from './panel-messages';

export interface PromptTexts {
  prompt: string;
  negative: string;
}

/** True when the findings were computed for other texts than the boxes hold now (or for none). */
export function isStale(analysed: PromptTexts | null, current: PromptTexts): boolean {
  return analysed === null || analysed.prompt !== current.prompt || analysed.negative !== current.negative;
}

/** The spans of one box's findings, for the highlight mirror. */
export function spansFor(
  findings: PanelAnalysis['findings'],
  target: 'prompt' | 'negative',
): HighlightSpan[] {
  return findings
    .filter((f) => f.target === target && f.end > f.start)
    .map((f) => ({ start: f.start, end: f.end, code: f.code, severity: f.severity, message: f.message }));
}

export interface GalleryRestore {
  prompt: string;
  negativePrompt: string;
  /** "WxH" when the image recorded a size. */
  size?: string;
  /** The checkpoint the image was made with (name or id), when recorded. */
  model?: string;
  /** LoRAs named by `<lora:name:w>` tags, taken out of the prompt; weights clamped to the picker's range. */
  loras: { name: string; weight: number }[];
}

/**
 * What a gallery entry restores. The daemon writes the LoRAs of a generation into the infotext's
 * prompt as `<lora:name:w>` tags; the panel sends LoRAs as a list, so the tags become picker choices
 * and leave the prompt (a tag in the prompt and the same LoRA in the list would both apply).
 */
export function galleryRestore(item: GalleryItem): GalleryRestore {
  const tags = parseExtraNetworks(item.prompt).networks.filter((n) => n.type === 'lora' && n.name);
  let prompt = item.prompt;
  const loras: GalleryRestore['loras'] = [];
  for (const tag of [...tags].reverse()) {
    const before = prompt.slice(0, tag.span.start).replace(/[ \t]*,?[ \t]*$/, '');
    const after = prompt.slice(tag.span.end).replace(/^[ \t]*,?[ \t]*/, '');
    prompt = before && after ? `${before}, ${after}` : before + after;
    const weight = extraNetworkWeight(tag);
    loras.unshift({
      name: tag.name,
      weight: clampWeight(weight ?? LORA_WEIGHT.default, LORA_WEIGHT),
    });
  }
  return {
    prompt: prompt.trim(),
    negativePrompt: item.negativePrompt ?? '',
    ...(item.size ? { size: item.size } : {}),
    ...(item.model ? { model: item.model } : {}),
    loras,
  };
}

/** A preset as the daemon lists it (`presets`): what "Preset into prompt" needs. */
export interface PresetText {
  id: string;
  name: string;
  prompt: string;
  negativePrompt: string;
  source: 'builtin' | 'user';
}

/** The preset family for a checkpoint's catalog family; sd1 when the checkpoint is unknown. */
export function familyForModel(modelFamily: string | undefined): PresetFamily {
  return modelFamily ? presetFamilyOf(modelFamily) : 'sd1';
}

/**
 * "Preset into prompt": the preset's template filled with the prompt and its negative prompt merged
 * into the user's (shared/presets applyPreset), so the preset can be set to None afterwards.
 */
export function presetIntoPrompt(preset: PresetText, texts: PromptTexts, family: PresetFamily): PromptTexts {
  const recommended = Object.fromEntries(PRESET_FAMILIES.map((f) => [f, {}])) as StylePreset['recommended'];
  const applied = applyPreset(
    { ...preset, subject: 'general', recommended },
    texts.prompt,
    texts.negative,
    family,
  );
  return { prompt: applied.prompt, negative: applied.negativePrompt };
}

/** What the panel says when the LLM rewrite fails (the daemon's `E_LLM_*` codes); the prompt stays. */
export function rewriteErrorText(code: string, message: string): string {
  const said = message ? ` (${message})` : '';
  switch (code) {
    case 'E_LLM_NOT_CONFIGURED':
      return `Rewrite (LLM): no LLM endpoint is configured. Set \`llm\` ({ "url", "model" }) in the daemon's config.json and restart it${said}. The prompt is unchanged.`;
    case 'E_LLM_UNREACHABLE':
      return `Rewrite (LLM): the LLM endpoint cannot be reached; is it running?${said} The prompt is unchanged.`;
    case 'E_LLM_TIMEOUT':
    case 'E_TIMEOUT':
      return `Rewrite (LLM): the LLM did not answer in time${said}. The prompt is unchanged.`;
    case 'E_LLM_HTTP':
      return `Rewrite (LLM): the LLM endpoint answered with an HTTP error${said}. The prompt is unchanged.`;
    case 'E_LLM_RESPONSE':
      return `Rewrite (LLM): the LLM's answer was unusable${said}. The prompt is unchanged.`;
    case 'E_NOT_CONNECTED':
    case 'E_UNREACHABLE':
      return `Rewrite (LLM) goes through the Stipple daemon, which is not connected${said}. Start it with \`npx stipple serve\`. The prompt is unchanged.`;
    default:
      return `Rewrite (LLM) failed: ${message || 'unknown error'} (${code}). The prompt is unchanged.`;
  }
}
