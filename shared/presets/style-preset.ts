// What a style preset is: a `{prompt}` template, a negative prompt, and the settings that suit it for
// each model family. Built-in presets and user presets share this shape; user presets arrive as
// JSON and are validated with `UserPreset` before use. Pure: no file access here.

import { z } from 'zod';
import { SAMPLER_IDS, type SamplerIdWire } from '../protocol/samplers';

/** The model families presets give settings for. SD 2.x uses the SD 1.x settings. */
export const PRESET_FAMILIES = ['sd1', 'sdxl', 'turbo'] as const;
export type PresetFamily = (typeof PRESET_FAMILIES)[number];

/**
 * What the picture mostly shows; the optimizer's settings checks depend on it (people and characters
 * want CFG 7–15, architecture and large scenes 3–7, icons and anime suit Euler a).
 */
export const SUBJECT_KINDS = ['people', 'scene', 'icon', 'anime', 'object', 'general'] as const;
export type SubjectKind = (typeof SUBJECT_KINDS)[number];

export interface RecommendedSettings {
  sampler: SamplerIdWire;
  steps: number;
  cfg: number;
  width: number;
  height: number;
}

export interface StylePreset {
  /** Stable kebab-case id (protocol `preset` field). */
  id: string;
  name: string;
  /** Template; `{prompt}` marks where the user's prompt goes. */
  prompt: string;
  negativePrompt: string;
  subject: SubjectKind;
  recommended: Record<PresetFamily, RecommendedSettings>;
  source: 'builtin' | 'user';
}

export const PROMPT_PLACEHOLDER = '{prompt}';

const side = z.number().int().min(64).max(2048).multipleOf(8);

export const RecommendedSettingsSchema = z.object({
  sampler: z.enum(SAMPLER_IDS),
  steps: z.number().int().min(1).max(150),
  cfg: z.number().min(0).max(30),
  width: side,
  height: side,
});

/** A user preset as stored in `<STIPPLE_HOME>/presets/*.json`; `recommended` may cover some families. */
export const UserPreset = z.object({
  id: z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'preset ids are 1–64 characters of a–z, 0–9 and -')
    .optional(),
  name: z.string().trim().min(1, 'a preset needs a name').max(100),
  prompt: z.string().max(4000).default(PROMPT_PLACEHOLDER),
  negativePrompt: z.string().max(4000).default(''),
  subject: z.enum(SUBJECT_KINDS).default('general'),
  recommended: z
    .object({
      sd1: RecommendedSettingsSchema,
      sdxl: RecommendedSettingsSchema,
      turbo: RecommendedSettingsSchema,
    })
    .partial()
    .default({}),
});
export type UserPresetInput = z.input<typeof UserPreset>;

/** Kebab-case id from a display name ("Neon Punk!" → "neon-punk"). */
export function presetIdFromName(name: string): string {
  const slug = name
    .normalize('NFKD')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 64)
    .replace(/-+$/, '');
  return slug || 'preset';
}

/** The family whose settings suit a model family name from the catalog ("sdxl-turbo" → "turbo"). */
export function presetFamilyOf(modelFamily: string): PresetFamily {
  const family = modelFamily.toLowerCase();
  if (family.includes('turbo') || family.includes('lcm')) return 'turbo';
  if (family.includes('xl')) return 'sdxl';
  return 'sd1';
}
