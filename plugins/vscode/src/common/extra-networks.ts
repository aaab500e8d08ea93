// LoRAs and textual-inversion embeddings next to the checkpoint picker: which installed ones fit
// the selected checkpoint's base family, how a weight becomes prompt text, and how the panel's
// selection turns into a generate request (LoRAs → the request's `loras` list, embeddings →
// `(token:weight)` in the prompt or negative prompt). Pure: used by the host and the webview. The
// family, weight and text rules are the Figma picker's too (shared/prompt/extra-network-picker.ts).

import {
  adapterBase,
  appendKeyword,
  compatibility,
  embeddingText,
  type WeightRange,
} from '../../../../shared/prompt/extra-network-picker';

export const LORA_WEIGHT = { min: -4, max: 4, default: 1, step: 0.01 } as const satisfies WeightRange;
export const EMBEDDING_WEIGHT = { min: 0, max: 4, default: 1, step: 0.01 } as const satisfies WeightRange;

export interface PickerModel {
  id: string;
  name: string;
  kind: 'checkpoint' | 'lora' | 'embedding' | 'vae' | 'clip';
  family: string;
  installed: boolean;
  triggerWords?: string[];
  token?: string;
}

export interface AdapterChoice {
  id: string;
  name: string;
  kind: 'lora' | 'embedding';
  /** The word typed in a prompt (embeddings); the LoRA's store name for LoRAs. */
  token: string;
  triggerWords: string[];
  /** False when the adapter's base family could not be read: offered, but it may not apply. */
  knownBase: boolean;
}

/**
 * Installed LoRAs and embeddings usable with `checkpointId`: same base family, or a family that
 * is unknown on either side (offered with `knownBase: false` rather than hidden).
 */
export function compatibleAdapters(models: PickerModel[], checkpointId: string | null): AdapterChoice[] {
  const ckpt = models.find((m) => m.kind === 'checkpoint' && m.id === checkpointId);
  const out: AdapterChoice[] = [];
  for (const m of models) {
    if ((m.kind !== 'lora' && m.kind !== 'embedding') || !m.installed) continue;
    if (!compatibility(ckpt?.family, m.family).ok) continue;
    out.push({
      id: m.id,
      name: m.name,
      kind: m.kind,
      token: m.kind === 'embedding' ? (m.token ?? m.id) : m.id,
      triggerWords: m.triggerWords ?? [],
      knownBase: adapterBase(m.family) !== null,
    });
  }
  return out.sort((a, b) => a.kind.localeCompare(b.kind) || a.name.localeCompare(b.name));
}

export interface EmbeddingUse {
  token: string;
  weight: number;
  target: 'prompt' | 'negative';
}

function containsToken(text: string, token: string): boolean {
  const esc = token.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`(^|[^A-Za-z0-9_])${esc}([^A-Za-z0-9_]|$)`).test(text);
}

/**
 * Adds each embedding to its target text, at the end, unless the token is already written there
 * (the user placed it themselves: their placement and weight win).
 */
export function applyEmbeddings(
  prompt: string,
  negativePrompt: string,
  uses: EmbeddingUse[],
): { prompt: string; negativePrompt: string } {
  let p = prompt;
  let n = negativePrompt;
  for (const u of uses) {
    const term = embeddingText(u.token, u.weight);
    if (u.target === 'negative') {
      if (!containsToken(n, u.token)) n = appendKeyword(n, term);
    } else if (!containsToken(p, u.token)) p = appendKeyword(p, term);
  }
  return { prompt: p, negativePrompt: n };
}

/** Trigger words not yet in the prompt, appended (the LoRA's own words that call up its subject). */
export function addTriggerWords(prompt: string, words: string[]): string {
  let p = prompt;
  for (const w of words) if (w.trim() && !containsToken(p, w.trim())) p = appendKeyword(p, w.trim());
  return p;
}

/** "sd-turbo: downloading 12/34 MB (35%)" for the model picker's progress line. */
export function progressLabel(p: { model: string; phase: string; bytesDone: number; bytesTotal: number }) {
  const mb = (b: number) => (b / 1e6).toFixed(b < 10e6 ? 1 : 0);
  if (p.bytesTotal <= 0) return `${p.model}: ${p.phase}`;
  const pct = Math.min(100, Math.floor((p.bytesDone / p.bytesTotal) * 100));
  return `${p.model}: ${p.phase} ${mb(p.bytesDone)}/${mb(p.bytesTotal)} MB (${pct}%)`;
}
