// Checks that a folder (or a hub file list, before downloading gigabytes) is a diffusers
// ONNX pipeline the daemon can load, and names the first missing part. It does not open
// ONNX files; the pipeline reads input names and dtypes from the sessions themselves.
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type { ModelKind } from './catalog.js';
import { ModelError } from './model-errors.js';

const BASE_PARTS = [
  'model_index.json',
  'scheduler/scheduler_config.json',
  'text_encoder/model.onnx',
  'tokenizer/vocab.json',
  'tokenizer/merges.txt',
  'unet/model.onnx',
  'vae_decoder/model.onnx',
] as const;

const SDXL_PARTS = ['text_encoder_2/model.onnx', 'tokenizer_2/vocab.json', 'tokenizer_2/merges.txt'] as const;

export interface LayoutSpec {
  kind: ModelKind;
  /** Required files for non-pipeline kinds. */
  requiredFiles?: readonly string[];
}

/** Required relative paths for a pipeline; `dualEncoder` adds the SDXL second text encoder. */
export function requiredPipelineParts(dualEncoder: boolean): string[] {
  return dualEncoder ? [...BASE_PARTS, ...SDXL_PARTS] : [...BASE_PARTS];
}

/** Pure check over a list of relative paths; returns the missing ones in a stable order. */
export function missingParts(paths: Iterable<string>, spec: LayoutSpec, dualEncoder?: boolean): string[] {
  const have = new Set(paths);
  const required =
    spec.kind === 'pipeline'
      ? requiredPipelineParts(dualEncoder ?? [...have].some((p) => p.startsWith('text_encoder_2/')))
      : [...(spec.requiredFiles ?? [])];
  return required.filter((p) => !have.has(p));
}

export function layoutError(where: string, missing: readonly string[]): ModelError {
  const first = missing[0];
  return new ModelError(
    'E_MODEL_LAYOUT',
    `${where} is not a diffusers ONNX model: missing ${missing.map((m) => `"${m}"`).join(', ')} ` +
      '(expected model_index.json, scheduler/, text_encoder/, tokenizer/, unet/model.onnx, vae_decoder/)',
    { field: first },
  );
}

async function isFile(p: string): Promise<boolean> {
  try {
    return (await stat(p)).isFile();
  } catch {
    return false;
  }
}

/** True when model_index.json names a second text encoder (SDXL). */
async function declaresDualEncoder(dir: string): Promise<boolean> {
  try {
    const index = JSON.parse(await readFile(path.join(dir, 'model_index.json'), 'utf8')) as Record<
      string,
      unknown
    >;
    const te2 = index.text_encoder_2;
    return Array.isArray(te2) && te2[0] !== null;
  } catch {
    return false;
  }
}

/** Throws E_MODEL_LAYOUT naming what is missing from `dir`. */
export async function assertModelLayout(dir: string, spec: LayoutSpec): Promise<void> {
  const dual = spec.kind === 'pipeline' ? await declaresDualEncoder(dir) : false;
  const required = spec.kind === 'pipeline' ? requiredPipelineParts(dual) : [...(spec.requiredFiles ?? [])];
  const missing: string[] = [];
  for (const rel of required) {
    if (!(await isFile(path.join(dir, ...rel.split('/'))))) missing.push(rel);
  }
  if (missing.length > 0) throw layoutError(`"${dir}"`, missing);
}
