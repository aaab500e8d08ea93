// The strip of results from this session: thumbnails to compare, each with insert, discard
// and regenerate. Holds the image bytes only while the panel is open.

import type { JobImage } from '../../../../shared/protocol/stipple-client';

export interface StripItem extends JobImage {
  params: string;
  name: string;
  targetId: string;
}

export interface StripActions {
  insert(item: StripItem): void;
  regenerate(item: StripItem): void;
}

export function createResultsStrip(container: HTMLElement, actions: StripActions) {
  function add(item: StripItem, inserted: boolean): void {
    const url = URL.createObjectURL(new Blob([item.png.slice()], { type: 'image/png' }));
    const card = document.createElement('div');
    card.className = 'result';
    card.dataset.seed = String(item.seed);
    const img = document.createElement('img');
    img.src = url;
    img.alt = `${item.name} (seed ${item.seed})`;
    img.title = `seed ${item.seed}, ${item.width}×${item.height}`;
    const row = document.createElement('div');
    row.className = 'row';
    const button = (label: string, title: string, fn: () => void) => {
      const b = document.createElement('button');
      b.textContent = label;
      b.title = title;
      b.addEventListener('click', fn);
      row.append(b);
      return b;
    };
    const insert = button(inserted ? 'Again' : 'Insert', 'Place this image on the canvas', () => {
      actions.insert(item);
      insert.textContent = 'Again';
    });
    button('↻', 'Regenerate with the same parameters and seed', () => actions.regenerate(item));
    button('✕', 'Discard', () => {
      URL.revokeObjectURL(url);
      card.remove();
    });
    card.append(img, row);
    container.prepend(card);
  }
  return { add };
}
