// Applying a style preset to a prompt, Fooocus/SDXL-styles semantics: the user's prompt replaces
// `{prompt}` in the template, and the preset's negative prompt joins the user's. Settings come from the
// preset for the model family. Pure string work; the daemon and both plugins call the same function.

import { BUILTIN_PRESETS } from './builtin-presets';
import {
  PROMPT_PLACEHOLDER,
  type PresetFamily,
  type RecommendedSettings,
  type StylePreset,
} from './style-preset';

export interface AppliedPreset {
  prompt: string;
  negativePrompt: string;
  settings: RecommendedSettings;
}

export class PresetNotFoundError extends Error {
  readonly code = 'E_PRESET_NOT_FOUND';
  constructor(readonly presetId: string) {
    super(`no preset has the id "${presetId}"`);
  }
}

/** Comma-separated keywords joined without repeating one already present (case-insensitive). */
export function mergeKeywordLists(...lists: string[]): string {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const list of lists) {
    for (const raw of list.split(',')) {
      const keyword = raw.trim();
      const key = keyword.toLowerCase().replace(/\s+/g, ' ');
      if (!keyword || seen.has(key)) continue;
      seen.add(key);
      out.push(keyword);
    }
  }
  return out.join(', ');
}

/**
 * The preset applied to the user's prompt and negative prompt for a model family. A template without
 * `{prompt}` (some community style packs) gets the user's prompt in front rather than losing it; an
 * empty user prompt leaves the template's own keywords, tidied of the dangling separator.
 */
export function applyPreset(
  preset: StylePreset,
  prompt: string,
  negative: string,
  family: PresetFamily,
): AppliedPreset {
  const userPrompt = prompt.trim();
  const template = preset.prompt.includes(PROMPT_PLACEHOLDER)
    ? preset.prompt
    : [PROMPT_PLACEHOLDER, preset.prompt].filter((part) => part.trim()).join(', ');
  const filled = template.split(PROMPT_PLACEHOLDER).join(userPrompt);
  const tidied = userPrompt
    ? filled
    : filled
        .replace(/\s+,/g, ',')
        .replace(/^[\s,]+|[\s,]+$/g, '')
        .replace(/\s{2,}/g, ' ');
  return {
    prompt: tidied,
    negativePrompt: mergeKeywordLists(negative, preset.negativePrompt),
    settings: { ...preset.recommended[family] },
  };
}

/** A built-in or user preset by id; user presets shadow built-ins with the same id. */
export function findPreset(id: string, userPresets: readonly StylePreset[] = []): StylePreset {
  const preset = userPresets.find((p) => p.id === id) ?? BUILTIN_PRESETS.find((p) => p.id === id);
  if (!preset) throw new PresetNotFoundError(id);
  return preset;
}

/** The negative prompt a preset suggests for a family: the preset's own plus family-specific terms. */
export function suggestNegativePrompt(preset: StylePreset | undefined, family: PresetFamily): string {
  // Turbo models run without classifier-free guidance (CFG ≤ 1), so a negative prompt has no effect.
  if (family === 'turbo') return '';
  const base = preset?.negativePrompt ?? 'low quality, blurry, jpeg artifacts, watermark, text, signature';
  // SD 1.x benefits from explicit anatomy terms; SDXL needs far fewer negatives.
  const familyTerms = family === 'sd1' ? 'worst quality, low quality, deformed' : '';
  return mergeKeywordLists(base, familyTerms);
}
