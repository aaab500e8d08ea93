// "Regenerate" and "variations" on a generated layer. A txt2img layer is made again as a new
// layer over it (the layer itself is an image, so a plain Generate would be img2img on it);
// an img2img layer runs again on the image it was made from, whose id the layer stores.

import type { PluginAPI, SceneNode } from './figma-types';
import { SOURCE_KEY } from './generation-params';
import { type Classification, classifySelection } from './selection-mode';

export async function classifyForRegenerate(
  api: PluginAPI,
  selection: readonly SceneNode[],
  kind: 'txt2img' | 'source',
): Promise<Classification> {
  if (selection.length !== 1) {
    return { mode: null, label: 'Regenerate', reason: 'Select the one generated layer to regenerate.' };
  }
  const layer = selection[0];
  if (kind === 'txt2img') {
    return { mode: 'txt2img', target: { kind: 'overlay', node: layer }, label: `Regenerate ${layer.name}` };
  }
  const sourceId = layer.getPluginData(SOURCE_KEY);
  const source = sourceId ? await api.getNodeByIdAsync(sourceId) : null;
  if (!source || source.removed || !('absoluteTransform' in source)) {
    return {
      mode: null,
      label: 'Regenerate',
      reason: 'The image this layer was made from is gone: select an image to run img2img on.',
    };
  }
  const c = classifySelection([source as SceneNode]);
  if (c.mode !== 'img2img') {
    return {
      mode: null,
      label: 'Regenerate',
      reason: 'Regenerating inpaint and outpaint layers needs the image and mask shapes selected again.',
    };
  }
  return c;
}
