// The pure half of the LoRA / embedding picker (extra-networks.ts): whether an adapter fits the
// selected checkpoint's base model, weights, and the text an embedding puts into a prompt. No DOM,
// so the unit tests run it in Node.

import type { z } from 'zod';
import type { LoraRef } from '../../../../shared/protocol/generate-request';

export type Lora = z.output<typeof LoraRef>;

export const WEIGHT_MIN = -4;
export const WEIGHT_MAX = 4;
export const WEIGHT_STEP = 0.05;

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

function adapterBase(label: string): BaseLabel | null {
  return label === 'SD 1.x' || label === 'SD 2.x' || label === 'SDXL' ? label : null;
}

export type Compatibility = { ok: true; note?: string } | { ok: false; reason: string };

/** Whether a LoRA/embedding (family label from the daemon) fits the checkpoint's family. */
export function compatibility(checkpointFamily: string | undefined, adapterFamily: string): Compatibility {
  const base = checkpointBase(checkpointFamily);
  const made = adapterBase(adapterFamily);
  if (!made) return { ok: true, note: 'base model unknown: check that it fits' };
  if (!base) return { ok: true, note: `made for ${made}` };
  if (base === made) return { ok: true };
  return { ok: false, reason: `made for ${made}; this checkpoint is ${base}` };
}

/** A weight typed by the user, clamped to the protocol's range and rounded to the step. */
export function clampWeight(value: number, fallback = 1): number {
  if (!Number.isFinite(value)) return fallback;
  const clamped = Math.min(WEIGHT_MAX, Math.max(WEIGHT_MIN, value));
  // `|| 0` turns -0 into 0.
  return Number((Math.round(clamped / WEIGHT_STEP) * WEIGHT_STEP).toFixed(2)) || 0;
}

/** What goes into the prompt for an embedding: its token, with A1111 attention when weight ≠ 1. */
export function embeddingText(token: string, weight: number): string {
  return weight === 1 ? token : `(${token}:${Number(weight.toFixed(2))})`;
}

/** Appends a keyword to a prompt with A1111's ", " separator. */
export function appendKeyword(text: string, keyword: string): string {
  const base = text.replace(/[\s,]+$/, '');
  return base ? `${base}, ${keyword}` : keyword;
}
