// Shows several generated candidates side by side and resolves with the index chosen.
import type { JobImage } from '../../../../shared/protocol/stipple-client';
import { type HostContext, pngDataUrl } from './host-context';
import { openAnswerPanel } from './webview-panels';

export function pickCandidate(ctx: HostContext, images: JobImage[]): Promise<number | undefined> {
  if (images.length <= 1) return Promise.resolve(images.length === 1 ? 0 : undefined);
  return openAnswerPanel<number>(ctx, {
    viewType: 'stipple.candidates',
    title: 'Stipple: choose an image',
    script: 'candidates',
    body: '<h2>Choose an image</h2><div id="candidates" class="candidates"></div><p><button id="cancel" type="button">Cancel</button></p>',
    init: {
      type: 'candidates',
      items: images.map((img, i) => ({ index: i, seed: img.seed, src: pngDataUrl(img.png) })),
    },
    onMessage: (m) =>
      m.type === 'pickCandidate' && m.index < images.length
        ? m.index
        : m.type === 'maskCancel'
          ? 'cancel'
          : undefined,
  });
}
