// The pure half of both plugins' LoRA / embedding pickers: whether an adapter fits the selected
// checkpoint's base model (and why not), weights typed in a picker, and the text an embedding or a
// trigger word puts into a prompt. Each plugin renders the picker itself.

import { formatWeight } from './weight-nudge';

/** The adapter store's family labels (companion/pipeline/lora/lora-family.ts BASE_FAMILY_LABEL). */
export type BaseLabel = 'SD 1.x' | 'SD 2.x' | 'SDXL';

/** The base model a checkpoint's family id belongs to (sd15, sd1, sd-turbo, sdxl-turbo, …). */
export function checkpointBase(family: string | undefined): BaseLabel | null {
  const f = (family ?? '').toLowerCase();
  if (/xl/.test(f)) return 'SDXL';
  if (/^sd-?2|^sd-turbo$/.test(f)) return 'SD 2.x';
  if (/^sd-?1/.test(f)) return 'SD 1.x';
  return null;
}

/** The base model an adapter's family label names; null when the daemon could not tell. */
export function adapterBase(label: string): BaseLabel | null {
  return label === 'SD 1.x' || label === 'SD 2.x' || label === 'SDXL' ? label : null;
}

export type Compatibility = { ok: true; note?: string } | { ok: false; reason: string };

/**
 * Whether a LoRA/embedding (family label from the daemon) fits the checkpoint's family. An
 * unknown base on either side fits, with a note: offered rather than hidden.
 */
export function compatibility(checkpointFamily: string | undefined, adapterFamily: string): Compatibility {
  const base = checkpointBase(checkpointFamily);
  const made = adapterBase(adapterFamily);
  if (!made) return { ok: true, note: 'base model unknown: check that it fits' };
  if (!base) return { ok: true, note: `made for ${made}` };
  if (base === made) return { ok: true };
  return { ok: false, reason: `made for ${made}; this checkpoint is ${base}` };
}

/** A picker's weight field: its bounds, the value it starts at, and the grid typed values snap to. */
export interface WeightRange {
  readonly min: number;
  readonly max: number;
  readonly default: number;
  readonly step: number;
}

/** A weight typed by the user, clamped to the range and rounded to its step; NaN gives the default. */
export function clampWeight(value: number, range: WeightRange): number {
  if (!Number.isFinite(value)) return range.default;
  const perUnit = Math.round(1 / range.step);
  const clamped = Math.min(range.max, Math.max(range.min, value));
  // `|| 0` turns -0 into 0.
  return Math.round(clamped * perUnit) / perUnit || 0;
}

/** What goes into the prompt for an embedding: its token, with A1111 attention when weight ≠ 1. */
export function embeddingText(token: string, weight: number): string {
  return weight === 1 ? token : `(${token}:${formatWeight(weight)})`;
}

/** Appends a keyword to a prompt with A1111's ", " separator. */
export function appendKeyword(text: string, keyword: string): string {
  const base = text.replace(/[\s,]+$/, '');
  return base ? `${base}, ${keyword}` : keyword;
}
