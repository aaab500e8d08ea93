// The history of prompts with their images: every generated result's request (as the daemon ran
// it, with the image's seed) and a small thumbnail, newest first. Kept by the sandbox in
// figma.clientStorage as JSON text (validated on load, like the prefs); clicking an entry puts
// its prompt and settings back in the form.

import type { GenerateRequest } from '../../../../shared/protocol/generate-request';
import { addEntry, type HistoryEntry, parseHistory, THUMB_SIDE } from './history-store';

/** A small JPEG of a result for the history (canvas; the iframe's CSP allows data: images). */
export async function thumbnail(png: Uint8Array): Promise<string> {
  const bitmap = await createImageBitmap(new Blob([png.slice()], { type: 'image/png' }));
  const scale = Math.min(1, THUMB_SIDE / Math.max(bitmap.width, bitmap.height));
  const canvas = document.createElement('canvas');
  canvas.width = Math.max(1, Math.round(bitmap.width * scale));
  canvas.height = Math.max(1, Math.round(bitmap.height * scale));
  canvas.getContext('2d')?.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
  bitmap.close();
  return canvas.toDataURL('image/jpeg', 0.8);
}

export interface HistoryPanel {
  add(params: GenerateRequest, png: Uint8Array): Promise<void>;
  load(text: string | null | undefined): void;
  entries(): readonly HistoryEntry[];
}

export function createHistoryPanel(
  list: HTMLElement,
  actions: { restore(entry: HistoryEntry): void; save(text: string): void },
): HistoryPanel {
  let entries: HistoryEntry[] = [];

  function render(): void {
    list.replaceChildren(
      ...entries.map((e) => {
        const item = document.createElement('button');
        item.type = 'button';
        item.className = 'history-entry';
        item.dataset.seed = String(e.params.seed);
        item.title = `Restore this prompt and its settings (seed ${e.params.seed}, ${e.params.width}×${e.params.height}, ${e.params.steps} steps)`;
        const img = document.createElement('img');
        img.src = e.thumb;
        img.alt = '';
        const text = document.createElement('span');
        text.className = 'history-prompt';
        text.textContent = e.params.prompt || '(empty prompt)';
        item.append(img, text);
        item.addEventListener('click', () => actions.restore(e));
        return item;
      }),
    );
    list.parentElement?.classList.toggle('hidden', entries.length === 0);
  }

  return {
    async add(params, png) {
      entries = addEntry(entries, { at: Date.now(), params, thumb: await thumbnail(png) });
      render();
      actions.save(JSON.stringify(entries));
    },
    load(text) {
      entries = parseHistory(text);
      render();
    },
    entries: () => entries,
  };
}
