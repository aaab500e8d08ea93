// Which base model a LoRA (or embedding) was trained for, from its key names and shapes: SDXL has a
// second text encoder (`lora_te2_`, `text_encoder_2.`) and 2048-wide cross-attention; SD 2.x has a
// 1024-wide text encoder and cross-attention; SD 1.x has 768. Anything else (e.g. the tiny test models)
// is 'unknown' and left to the per-module shape check.
import type { ModelFamily } from '../model/model-contract.js';
import type { LoraFile } from './lora-file.js';

export type BaseFamily = 'sd1' | 'sd2' | 'sdxl' | 'unknown';

export const BASE_FAMILY_LABEL: Record<BaseFamily, string> = {
  sd1: 'SD 1.x',
  sd2: 'SD 2.x',
  sdxl: 'SDXL',
  unknown: 'an unknown base model',
};

export function modelBaseFamily(family: ModelFamily): BaseFamily {
  if (family === 'sd1') return 'sd1';
  if (family === 'sd2' || family === 'sd2-v' || family === 'sd-turbo') return 'sd2';
  return 'sdxl';
}

const TEXT_WIDTH: Record<number, BaseFamily> = { 768: 'sd1', 1024: 'sd2', 1280: 'sdxl' };
const CROSS_WIDTH: Record<number, BaseFamily> = { 768: 'sd1', 1024: 'sd2', 2048: 'sdxl' };

export function detectLoraFamily(lora: LoraFile): BaseFamily {
  if (lora.modules.some((m) => m.component === 'text_encoder_2')) return 'sdxl';
  for (const m of lora.modules) {
    const p = m.path;
    if (m.component === 'unet' && /add_embedding|label_emb/.test(p)) return 'sdxl';
    if (m.component === 'unet' && /attn2[._]to_[kv]$/.test(p)) {
      const f = CROSS_WIDTH[m.downShape[1]];
      if (f) return f;
    }
    if (m.component === 'text_encoder' && /self_attn[._][qkv]_proj$/.test(p)) {
      const f = TEXT_WIDTH[m.downShape[1]];
      if (f) return f;
    }
  }
  const spec = lora.metadata['modelspec.architecture'] ?? lora.metadata.ss_base_model_version ?? '';
  if (/xl/i.test(spec)) return 'sdxl';
  if (/v2|sd-?2/i.test(spec)) return 'sd2';
  if (/v1|sd-?1/i.test(spec)) return 'sd1';
  return 'unknown';
}

/** Trigger words a LoRA file carries in its metadata (kohya ss_tag_frequency, modelspec). */
export function loraTriggerWords(metadata: Record<string, string>, max = 10): string[] {
  const words: string[] = [];
  const phrase = metadata['modelspec.trigger_phrase'];
  if (phrase)
    words.push(
      ...phrase
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    );
  const freq = metadata.ss_tag_frequency;
  if (freq) {
    try {
      const parsed = JSON.parse(freq) as Record<string, Record<string, number>>;
      const counts = new Map<string, number>();
      for (const tags of Object.values(parsed)) {
        for (const [tag, n] of Object.entries(tags))
          counts.set(tag.trim(), (counts.get(tag.trim()) ?? 0) + Number(n));
      }
      words.push(...[...counts].sort((a, b) => b[1] - a[1]).map(([t]) => t));
    } catch {
      // ss_tag_frequency is free text written by trainers; a malformed one just gives no words.
    }
  }
  return [...new Set(words.filter(Boolean))].slice(0, max);
}
