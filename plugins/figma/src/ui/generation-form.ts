// The generation settings in the panel: reads them into a protocol request, writes stored
// parameters back (for "use parameters", regenerate, variations) and mirrors them to prefs.

import type { GenerateRequest, GenerateRequestInput } from '../../../../shared/protocol/generate-request';
import { Limits } from '../../../../shared/protocol/limits';
import { SAMPLER_IDS, SAMPLER_LABELS, type SamplerIdWire } from '../../../../shared/protocol/samplers';
import { el } from './dom';
import type { Prefs } from './prefs';

export interface FormFields {
  prompt: HTMLTextAreaElement;
  negative: HTMLTextAreaElement;
  preset: HTMLSelectElement;
  model: HTMLSelectElement;
  sampler: HTMLSelectElement;
  steps: HTMLInputElement;
  cfg: HTMLInputElement;
  width: HTMLInputElement;
  height: HTMLInputElement;
  batch: HTMLInputElement;
  strength: HTMLInputElement;
  maskBlur: HTMLInputElement;
  maxSide: HTMLInputElement;
  seed: HTMLInputElement;
  onlyMasked: HTMLInputElement;
}

export function formFields(): FormFields {
  const f: FormFields = {
    prompt: el('prompt', HTMLTextAreaElement),
    negative: el('negative', HTMLTextAreaElement),
    preset: el('preset', HTMLSelectElement),
    model: el('model', HTMLSelectElement),
    sampler: el('sampler', HTMLSelectElement),
    steps: el('steps', HTMLInputElement),
    cfg: el('cfg', HTMLInputElement),
    width: el('width', HTMLInputElement),
    height: el('height', HTMLInputElement),
    batch: el('batch', HTMLInputElement),
    strength: el('strength', HTMLInputElement),
    maskBlur: el('mask-blur', HTMLInputElement),
    maxSide: el('max-side', HTMLInputElement),
    seed: el('seed', HTMLInputElement),
    onlyMasked: el('only-masked', HTMLInputElement),
  };
  for (const id of SAMPLER_IDS) f.sampler.add(new Option(SAMPLER_LABELS[id], id));
  f.sampler.value = 'euler_a';
  return f;
}

function int(input: HTMLInputElement, min: number, max: number, fallback: number): number {
  const v = Math.round(Number(input.value));
  return Number.isFinite(v) && input.value !== '' ? Math.min(max, Math.max(min, v)) : fallback;
}

function num(input: HTMLInputElement, min: number, max: number, fallback: number): number {
  const v = Number(input.value);
  return Number.isFinite(v) && input.value !== '' ? Math.min(max, Math.max(min, v)) : fallback;
}

function multipleOf8(input: HTMLInputElement): number {
  return Math.round(int(input, Limits.minSide, Limits.maxSide, 512) / 8) * 8;
}

export function isSampler(v: string): v is SamplerIdWire {
  return (SAMPLER_IDS as readonly string[]).includes(v);
}

/** The form's settings as the parts of a request that do not depend on the selection. */
export function readSettings(f: FormFields): GenerateRequestInput & { maxSide: number } {
  const sampler = f.sampler.value;
  return {
    prompt: f.prompt.value,
    negativePrompt: f.negative.value,
    preset: f.preset.value || undefined,
    model: f.model.value || undefined,
    sampler: isSampler(sampler) ? sampler : undefined,
    steps: int(f.steps, Limits.minSteps, Limits.maxSteps, 20),
    cfg: num(f.cfg, Limits.minCfg, Limits.maxCfg, 7),
    width: multipleOf8(f.width),
    height: multipleOf8(f.height),
    batch: int(f.batch, 1, Limits.maxBatch, 1),
    strength: num(f.strength, 0, 1, 0.75),
    maskBlur: int(f.maskBlur, 0, 64, 4),
    seed: int(f.seed, -1, Number.MAX_SAFE_INTEGER, -1),
    onlyMasked: f.onlyMasked.checked,
    maxSide: multipleOf8(f.maxSide),
  };
}

/** Puts stored parameters back into the form (prompt, sampler, seed, …). */
export function applyParams(f: FormFields, p: GenerateRequest): void {
  f.prompt.value = p.prompt;
  f.negative.value = p.negativePrompt;
  if (p.preset !== undefined) f.preset.value = p.preset;
  if (p.model !== undefined && [...f.model.options].some((o) => o.value === p.model)) f.model.value = p.model;
  if (p.sampler) f.sampler.value = p.sampler;
  if (p.steps !== undefined) f.steps.value = String(p.steps);
  if (p.cfg !== undefined) f.cfg.value = String(p.cfg);
  if (p.width !== undefined) f.width.value = String(p.width);
  if (p.height !== undefined) f.height.value = String(p.height);
  f.strength.value = String(p.strength);
  f.maskBlur.value = String(p.maskBlur);
  f.seed.value = String(p.seed);
}

export function applyPrefs(f: FormFields, p: Prefs): void {
  const set = (input: HTMLInputElement | HTMLTextAreaElement, v: string | number | undefined) => {
    if (v !== undefined) input.value = String(v);
  };
  set(f.prompt, p.prompt);
  set(f.negative, p.negative);
  set(f.steps, p.steps);
  set(f.cfg, p.cfg);
  set(f.width, p.width);
  set(f.height, p.height);
  set(f.batch, p.batch);
  set(f.strength, p.strength);
  set(f.maskBlur, p.maskBlur);
  set(f.maxSide, p.maxSide);
  set(f.seed, p.seed);
  if (p.sampler && isSampler(p.sampler)) f.sampler.value = p.sampler;
}

export function toPrefs(f: FormFields, base: Prefs, seedLocked: boolean): Prefs {
  const s = readSettings(f);
  return {
    ...base,
    prompt: s.prompt,
    negative: s.negativePrompt,
    preset: s.preset,
    model: s.model,
    sampler: s.sampler,
    steps: s.steps,
    cfg: s.cfg,
    width: s.width,
    height: s.height,
    batch: s.batch,
    strength: s.strength,
    maskBlur: s.maskBlur,
    maxSide: s.maxSide,
    seed: s.seed,
    seedLocked,
  };
}
