// Loading style packs: our own user-preset JSON and the Fooocus / SDXL-styles format that community
// packs use (`[{ "name", "prompt" with "{prompt}", "negative_prompt" }]`), so existing packs load as
// they are. The daemon reads the file and passes its text and name; errors name the file and line.

import type { z } from 'zod';
import { BUILTIN_PRESETS } from './builtin-presets';
import { type JsonTextPosition, positionOf, scanJson } from './json-error-position';
import { type PresetFamily, presetIdFromName, type StylePreset, UserPreset } from './style-preset';

export interface StylePackError {
  code: 'E_PRESET_FILE';
  file: string;
  line: number;
  column: number;
  message: string;
}

export type StylePackResult = { ok: true; presets: StylePreset[] } | { ok: false; error: StylePackError };

// Fooocus / twri sdxl_prompt_styler entries; extra fields are ignored as those tools do.
const FOOOCUS_ENTRY = {
  name: 'name',
  prompt: 'prompt',
  negative: 'negative_prompt',
} as const;

function fail(file: string, position: JsonTextPosition, message: string): StylePackResult {
  return {
    ok: false,
    error: {
      code: 'E_PRESET_FILE',
      file,
      line: position.line,
      column: position.column,
      message: `${file}:${position.line}:${position.column}: ${message}`,
    },
  };
}

// Presets without settings of their own take the neutral built-in's for that family.
const FALLBACK = BUILTIN_PRESETS.find((p) => p.id === 'photographic')!.recommended;

function toPreset(input: z.output<typeof UserPreset>, usedIds: Set<string>): StylePreset {
  let id = input.id ?? presetIdFromName(input.name);
  for (let n = 2; usedIds.has(id); n++) id = `${input.id ?? presetIdFromName(input.name)}-${n}`;
  usedIds.add(id);
  const recommended = {} as Record<PresetFamily, StylePreset['recommended'][PresetFamily]>;
  for (const family of ['sd1', 'sdxl', 'turbo'] as const) {
    recommended[family] = input.recommended[family] ?? FALLBACK[family];
  }
  return {
    id,
    name: input.name,
    prompt: input.prompt,
    negativePrompt: input.negativePrompt,
    subject: input.subject,
    recommended,
    source: 'user',
  };
}

// Accepts both spellings: ours (`negativePrompt`) and Fooocus's (`negative_prompt`).
function normaliseEntry(entry: unknown): unknown {
  if (!entry || typeof entry !== 'object' || Array.isArray(entry)) return entry;
  const record = entry as Record<string, unknown>;
  if (record.negativePrompt === undefined && record[FOOOCUS_ENTRY.negative] !== undefined) {
    const { [FOOOCUS_ENTRY.negative]: negative, ...rest } = record;
    return { ...rest, negativePrompt: negative };
  }
  return record;
}

/**
 * Parses a style pack: a JSON array of presets (or a single preset object). Returns the presets, or an
 * error whose message starts with `file:line:column` — for malformed JSON the line of the fault, for a
 * bad entry the line where that entry starts.
 */
export function parseStylePack(
  text: string,
  fileName: string,
  existingIds: Iterable<string> = [],
): StylePackResult {
  const scan = scanJson(text);
  if (scan.error) {
    return fail(fileName, scan.error.position, `malformed JSON: expected ${scan.error.expected}`);
  }
  const data: unknown = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  const entries = Array.isArray(data) ? data : [data];
  const offsets = Array.isArray(data) ? scan.elementOffsets : [0];
  const usedIds = new Set(existingIds);
  const presets: StylePreset[] = [];
  for (let index = 0; index < entries.length; index++) {
    const parsed = UserPreset.safeParse(normaliseEntry(entries[index]));
    const position = positionOf(text, offsets[index] ?? 0);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const field = issue.path.length > 0 ? ` field "${issue.path.join('.')}"` : '';
      return fail(fileName, position, `preset ${index + 1}${field}: ${issue.message}`);
    }
    presets.push(toPreset(parsed.data, usedIds));
  }
  return { ok: true, presets };
}

/** A user preset list as JSON in our format, for export (Fooocus tools read `name`/`prompt` too). */
export function serializeStylePack(presets: readonly StylePreset[]): string {
  const entries = presets.map((p) => ({
    id: p.id,
    name: p.name,
    prompt: p.prompt,
    negative_prompt: p.negativePrompt,
    subject: p.subject,
    recommended: p.recommended,
  }));
  return `${JSON.stringify(entries, null, 2)}\n`;
}
