// LoRAs and textual-inversion embeddings next to the checkpoint picker (issue: "the plugins'
// model pickers show LoRAs and embeddings (with weights) next to checkpoints"). Lists the
// installed ones from the daemon's `models` answer, marks the ones made for another base model
// than the selected checkpoint (disabled, with the reason), keeps a weight per entry, puts the
// checked LoRAs in the request's `loras` list and inserts an embedding's token into the prompt
// or negative prompt as `(token:weight)`. The pure half (compatibility, weights, text) is shared
// with the VS Code panel (shared/prompt/extra-network-picker.ts); this module renders it.

import type { z } from 'zod';
import {
  type Compatibility,
  clampWeight as clampToRange,
  compatibility,
  embeddingText,
} from '../../../../shared/prompt/extra-network-picker';
import type { ModelEntry } from '../../../../shared/protocol/server-messages';
import { type Lora, WEIGHT } from './extra-networks-logic';

type Model = z.infer<typeof ModelEntry>;

const clampWeight = (value: number) => clampToRange(value, WEIGHT);

export interface NetworksView {
  box: HTMLElement;
  loras: HTMLElement;
  embeddings: HTMLElement;
}

export interface NetworksActions {
  /** Inserts text into the prompt or the negative prompt. */
  insert(target: 'prompt' | 'negative', text: string): void;
  /** The LoRA selection or a weight changed (save prefs). */
  changed(): void;
}

export interface NetworksPicker {
  /** Re-renders for the catalog and the selected checkpoint's family. */
  render(models: readonly Model[], checkpointFamily: string | undefined): void;
  /** Checked LoRAs that fit the checkpoint, for the request's `loras`. */
  selected(): Lora[];
  /** Every checked LoRA, fitting or not (kept in prefs: the catalog may not be loaded yet). */
  chosen(): Lora[];
  /** Restores a selection (prefs, stored parameters). */
  setSelected(loras: readonly Lora[]): void;
}

function weightInput(label: string, value: number, onChange: (v: number) => void): HTMLInputElement {
  const input = document.createElement('input');
  input.type = 'number';
  input.min = String(WEIGHT.min);
  input.max = String(WEIGHT.max);
  input.step = String(WEIGHT.step);
  input.value = String(value);
  input.className = 'weight';
  input.setAttribute('aria-label', label);
  input.addEventListener('change', () => {
    const v = clampWeight(Number(input.value));
    input.value = String(v);
    onChange(v);
  });
  return input;
}

function button(text: string, title: string, run: () => void): HTMLButtonElement {
  const b = document.createElement('button');
  b.type = 'button';
  b.textContent = text;
  b.title = title;
  b.addEventListener('click', run);
  return b;
}

function familyBadge(m: Model, c: Compatibility): HTMLSpanElement {
  const s = document.createElement('span');
  s.className = c.ok ? 'family muted' : 'family notice';
  s.dataset.role = 'family';
  // The note already names the base model (or says it is unknown).
  s.textContent = c.ok ? (c.note ?? m.family) : c.reason;
  return s;
}

export function createNetworksPicker(view: NetworksView, actions: NetworksActions): NetworksPicker {
  /** Checked LoRAs and their weights; kept across re-renders and checkpoint changes. */
  const checked = new Map<string, number>();
  /** Last weight set per entry (LoRA and embedding), so unchecking keeps the value. */
  const weights = new Map<string, number>();
  let compatible = new Set<string>();
  let last: { models: readonly Model[]; family: string | undefined } = { models: [], family: undefined };

  function loraRow(m: Model, c: Compatibility): HTMLElement {
    const row = document.createElement('div');
    row.className = 'network';
    row.dataset.kind = 'lora';
    row.dataset.name = m.id;
    row.dataset.compatible = String(c.ok);
    const box = document.createElement('input');
    box.type = 'checkbox';
    box.checked = c.ok && checked.has(m.id);
    box.disabled = !c.ok;
    box.setAttribute('aria-label', `Use LoRA ${m.name}`);
    const weight = weightInput(
      `Weight of ${m.name}`,
      checked.get(m.id) ?? weights.get(`lora:${m.id}`) ?? 1,
      (v) => {
        weights.set(`lora:${m.id}`, v);
        if (checked.has(m.id)) checked.set(m.id, v);
        actions.changed();
      },
    );
    weight.disabled = !c.ok;
    box.addEventListener('change', () => {
      if (box.checked) checked.set(m.id, clampWeight(Number(weight.value)));
      else checked.delete(m.id);
      actions.changed();
    });
    const name = document.createElement('label');
    name.className = 'inline grow';
    name.append(box, ` ${m.name} `, familyBadge(m, c));
    const head = document.createElement('div');
    head.className = 'row';
    head.append(name, weight);
    row.append(head);
    if (m.triggerWords?.length) {
      const words = document.createElement('div');
      words.className = 'row triggers';
      words.append('Trigger words: ');
      for (const w of m.triggerWords) {
        const b = button(w, `Insert "${w}" into the prompt`, () => actions.insert('prompt', w));
        b.dataset.trigger = w;
        words.append(b);
      }
      row.append(words);
    }
    return row;
  }

  function embeddingRow(m: Model, c: Compatibility): HTMLElement {
    const token = m.token ?? m.id;
    const row = document.createElement('div');
    row.className = 'network';
    row.dataset.kind = 'embedding';
    row.dataset.name = m.id;
    row.dataset.compatible = String(c.ok);
    const key = `embedding:${m.id}`;
    const weight = weightInput(`Weight of ${m.name}`, weights.get(key) ?? 1, (v) => weights.set(key, v));
    const text = () => embeddingText(token, clampWeight(Number(weight.value)));
    const toPrompt = button('+ Prompt', `Insert ${token} into the prompt`, () =>
      actions.insert('prompt', text()),
    );
    toPrompt.dataset.insert = 'prompt';
    const toNegative = button('+ Negative', `Insert ${token} into the negative prompt`, () =>
      actions.insert('negative', text()),
    );
    toNegative.dataset.insert = 'negative';
    for (const control of [weight, toPrompt, toNegative]) control.disabled = !c.ok;
    const name = document.createElement('span');
    name.className = 'grow';
    name.append(`${token} `, familyBadge(m, c));
    const head = document.createElement('div');
    head.className = 'row';
    head.append(name, weight, toPrompt, toNegative);
    row.append(head);
    return row;
  }

  return {
    render(models, checkpointFamily) {
      last = { models, family: checkpointFamily };
      const loras = models.filter((m) => m.kind === 'lora' && m.installed);
      const embeddings = models.filter((m) => m.kind === 'embedding' && m.installed);
      compatible = new Set();
      const rows = (list: Model[], make: (m: Model, c: Compatibility) => HTMLElement) =>
        list.map((m) => {
          const c = compatibility(checkpointFamily, m.family);
          if (c.ok) compatible.add(`${m.kind}:${m.id}`);
          return make(m, c);
        });
      view.loras.replaceChildren(...rows(loras, loraRow));
      view.embeddings.replaceChildren(...rows(embeddings, embeddingRow));
      view.box.classList.toggle('hidden', loras.length + embeddings.length === 0);
      view.loras.parentElement?.classList.toggle('hidden', loras.length === 0);
      view.embeddings.parentElement?.classList.toggle('hidden', embeddings.length === 0);
    },
    selected() {
      return [...checked]
        .filter(([name]) => compatible.has(`lora:${name}`))
        .map(([name, weight]) => ({ name, weight }));
    },
    chosen() {
      return [...checked].map(([name, weight]) => ({ name, weight }));
    },
    setSelected(loras) {
      checked.clear();
      for (const l of loras) {
        const w = clampWeight(l.weight);
        checked.set(l.name, w);
        weights.set(`lora:${l.name}`, w);
      }
      this.render(last.models, last.family);
    },
  };
}
