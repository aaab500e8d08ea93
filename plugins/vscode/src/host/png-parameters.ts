// Reads the A1111 `parameters` text of a PNG Stipple (or A1111, ComfyUI with the A1111 node…)
// made, and turns it back into a generate request: "Regenerate", "Variations" and the
// panel's "reverse prompt" from a file all start here.

import { readPngText } from '../../../../shared/png/png-text-chunks';
import type { GenerateRequestInput } from '../../../../shared/protocol/generate-request';
import { Limits } from '../../../../shared/protocol/limits';
import { SAMPLER_IDS, SAMPLER_LABELS, type SamplerIdWire } from '../../../../shared/protocol/samplers';

export interface ParsedParameters {
  prompt: string;
  negativePrompt: string;
  fields: Record<string, string>;
}

const FIELD_RE = /\s*([\w ]+):\s*("(?:\\.|[^\\"])*"|[^,]*)(?:,|$)/g;

/** Splits infotext into prompt, negative prompt and the `Key: value, …` fields of its last line. */
export function parseParameters(text: string): ParsedParameters {
  const lines = text.replace(/\r\n/g, '\n').trim().split('\n');
  const last = lines[lines.length - 1] ?? '';
  const fields: Record<string, string> = {};
  const matches = [...last.matchAll(FIELD_RE)].filter((m) => m[0].trim() !== '');
  if (lines.length > 1 || matches.length >= 3) {
    if (matches.length >= 3 && /^\s*Steps:/.test(last)) {
      lines.pop();
      for (const m of matches) {
        const raw = (m[2] ?? '').trim();
        let value = raw;
        if (raw.startsWith('"')) {
          try {
            value = JSON.parse(raw) as string;
          } catch {
            value = raw.slice(1, -1);
          }
        }
        fields[(m[1] ?? '').trim()] = value;
      }
    }
  }
  const prompt: string[] = [];
  const negative: string[] = [];
  let inNegative = false;
  for (const line of lines) {
    if (line.startsWith('Negative prompt:')) {
      inNegative = true;
      negative.push(line.slice('Negative prompt:'.length).trim());
    } else (inNegative ? negative : prompt).push(line);
  }
  return { prompt: prompt.join('\n').trim(), negativePrompt: negative.join('\n').trim(), fields };
}

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
