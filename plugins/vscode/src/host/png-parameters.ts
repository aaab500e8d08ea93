// Reads the A1111 `parameters` text of a PNG Stipple (or A1111, ComfyUI with the A1111 node…)
// made, and turns it back into a generate request: "Regenerate", "Variations" and the
// panel's "reverse prompt" from a file all start here.

import { readPngText } from '../../../../shared/png/png-text-chunks';
import { type A1111Parameters, parseA1111Parameters } from '../../../../shared/prompt/a1111-parameters';
import type { GenerateRequestInput } from '../../../../shared/protocol/generate-request';
import { Limits } from '../../../../shared/protocol/limits';
import { SAMPLER_IDS, SAMPLER_LABELS, type SamplerIdWire } from '../../../../shared/protocol/samplers';

export type ParsedParameters = A1111Parameters;

/** Splits infotext into prompt, negative prompt and the `Key: value, …` fields of its last line. */
export const parseParameters = parseA1111Parameters;

/** A1111 label ("DPM++ 2M Karras") or id ("dpmpp_2m_karras") → protocol sampler id. */
export function samplerIdFromLabel(label: string): SamplerIdWire | undefined {
  const l = label.trim().toLowerCase();
  for (const id of SAMPLER_IDS) {
    if (id === l || SAMPLER_LABELS[id].toLowerCase() === l) return id;
  }
  return undefined;
}

function int(v: string | undefined): number | undefined {
  if (v === undefined || !/^-?\d+$/.test(v.trim())) return undefined;
  return Number(v.trim());
}
function num(v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v.trim());
  return Number.isFinite(n) && v.trim() !== '' ? n : undefined;
}

/** A txt2img request that reproduces the image; fields out of the protocol's bounds are left out. */
export function requestFromParameters(p: ParsedParameters): GenerateRequestInput {
  const req: GenerateRequestInput = { mode: 'txt2img', prompt: p.prompt, negativePrompt: p.negativePrompt };
  const steps = int(p.fields.Steps);
  if (steps !== undefined && steps >= Limits.minSteps && steps <= Limits.maxSteps) req.steps = steps;
  const cfg = num(p.fields['CFG scale']);
  if (cfg !== undefined && cfg >= Limits.minCfg && cfg <= Limits.maxCfg) req.cfg = cfg;
  const seed = int(p.fields.Seed);
  if (seed !== undefined && seed >= 0 && Number.isSafeInteger(seed)) req.seed = seed;
  const sampler = p.fields.Sampler ? samplerIdFromLabel(p.fields.Sampler) : undefined;
  if (sampler) req.sampler = sampler;
  const size = /^(\d+)x(\d+)$/.exec(p.fields.Size?.trim() ?? '');
  if (size) {
    const w = Number(size[1]);
    const h = Number(size[2]);
    const ok = (n: number) => n >= Limits.minSide && n <= Limits.maxSide && n % Limits.sideMultiple === 0;
    if (ok(w) && ok(h)) {
      req.width = w;
      req.height = h;
    }
  }
  return req;
}

/** The PNG's `parameters` text, parsed; undefined when the file carries none. */
export function readParametersFromPng(bytes: Uint8Array): ParsedParameters | undefined {
  const text = readPngText(bytes, 'parameters');
  return text === undefined ? undefined : parseParameters(text);
}
