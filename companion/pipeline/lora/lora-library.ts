// Where `<lora:name:weight>` names come from: the LoRA folders (`<STIPPLE_HOME>/loras/`, the model
// store's LoRA entries), searched for `<name>.safetensors`. The prompt's extra-network tags are removed
// from the text sent to CLIP (A1111's extra_networks.parse_prompt) and turned into an explicit list.
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { extraNetworkWeight, parseExtraNetworks } from '../../../shared/prompt/extra-networks.js';
import { AdapterError } from './adapter-errors.js';

export interface NamedAdapterFile {
  name: string;
  file: string;
}

const LORA_TYPES = new Set(['lora', 'lyco']);

/** `.safetensors` files in the folders (and one level of subfolders), by name without extension. */
export function listAdapterFiles(dirs: readonly string[]): NamedAdapterFile[] {
  const out: NamedAdapterFile[] = [];
  const walk = (dir: string, depth: number) => {
    if (!existsSync(dir) || !statSync(dir).isDirectory()) return;
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory() && depth < 1) walk(p, depth + 1);
      else if (e.isFile() && /\.safetensors$/i.test(e.name)) {
        out.push({ name: e.name.replace(/\.safetensors$/i, ''), file: p });
      }
    }
  };
  for (const d of dirs) walk(d, 0);
  return out;
}

export function resolveLoraName(name: string, available: readonly NamedAdapterFile[]): string {
  const exact = available.find((a) => a.name === name);
  if (exact) return exact.file;
  const folded = available.filter((a) => a.name.toLowerCase() === name.toLowerCase());
  if (folded.length === 1) return folded[0].file;
  const names = available.map((a) => a.name).sort();
  throw new AdapterError(
    'unknown_name',
    `no LoRA named "${name}" is installed` +
      (names.length
        ? ` (installed: ${names.slice(0, 10).join(', ')}${names.length > 10 ? ', …' : ''})`
        : ' (the LoRA folder is empty: import one with `stipple models import --kind lora <file>` or put it in loras/)'),
    { field: 'prompt' },
  );
}

export interface PromptLoras {
  /** The prompt without extra-network tags (what CLIP sees). */
  prompt: string;
  loras: { name: string; weight: number }[];
  /** Tags of other types (hypernet, …) that were removed but are not applied. */
  ignored: string[];
}

export function extractPromptLoras(prompt: string): PromptLoras {
  const parsed = parseExtraNetworks(prompt);
  const loras: PromptLoras['loras'] = [];
  const ignored: string[] = [];
  for (const tag of parsed.networks) {
    if (!LORA_TYPES.has(tag.type)) {
      ignored.push(`<${tag.type}:${tag.items.join(':')}>`);
      continue;
    }
    const weight = extraNetworkWeight(tag);
    if (weight === undefined || !tag.name) {
      throw new AdapterError(
        'unknown_name',
        `\`prompt\`: <${tag.type}:${tag.items.join(':')}> needs a name and a numeric weight, e.g. <lora:name:0.8>`,
        { field: 'prompt' },
      );
    }
    loras.push({ name: tag.name, weight });
  }
  return { prompt: parsed.prompt, loras, ignored };
}
