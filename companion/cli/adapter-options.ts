// `stipple generate` options for LoRAs, embeddings and VAEs: `--lora file[:weight]` (or an installed
// LoRA's name), `--embedding file`, `--vae dir|name`, all repeatable where it makes sense, and the store
// store names they may refer to.
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { InvalidArgumentError } from 'commander';

export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** `file.safetensors`, `file.safetensors:0.8`, `name:0.8` (an installed LoRA), `C:\x.safetensors:0.5`. */
export function parseLoraOption(spec: string): { file?: string; name?: string; weight: number } {
  const m = /^(.+):(-?(?:\d+(?:\.\d*)?|\.\d+))$/.exec(spec);
  const target = m ? m[1] : spec;
  const weight = m ? Number(m[2]) : 1;
  if (!Number.isFinite(weight) || Math.abs(weight) > 4) {
    throw new InvalidArgumentError(`--lora weight must be between -4 and 4, got ${m?.[2]}`);
  }
  const looksLikeFile = existsSync(target) || /[\\/]/.test(target) || /\.[A-Za-z0-9]{1,12}$/.test(target);
  return looksLikeFile ? { file: target, weight } : { name: target, weight };
}

/** A VAE folder, or the name of one installed under `<data>/vaes/`. */
export function resolveVaeOption(value: string, dataHome: string): string {
  if (existsSync(value) && statSync(value).isDirectory()) return value;
  const installed = path.join(dataHome, 'vaes', value);
  if (!/[\\/]/.test(value) && existsSync(installed)) return installed;
  return value; // the pipeline names the missing folder
}
