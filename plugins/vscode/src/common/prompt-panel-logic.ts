// Pure logic of the side panel's prompt editor (no DOM): which finding spans the inline highlights
// draw in each box, whether the shown findings still match the text (a fix computed for older text
// would land at the wrong span), and what a gallery entry puts back into the editor (prompt,
// negative prompt, size, checkpoint and the LoRAs its `<lora:name:w>` tags name).
import { extraNetworkWeight, parseExtraNetworks } from '../../../../shared/prompt/extra-networks';
import type { HighlightSpan } from '../../../../shared/prompt/highlight-segments';
import { clampWeight, LORA_WEIGHT } from './extra-networks';
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
