// Puts a generated image on the canvas at a prepared target: a new layer at the viewport
// centre, the fill of an empty frame/shape, a layer exactly over the source image (same
// parent, same relativeTransform — rotation and nesting included), or a layer inside the
// frame for outpaint. Each committed insertion is one undo step; live previews are not.

import { toMatrix } from './affine';
import type { BaseNode, ImagePaint, PluginAPI, RectangleNode, SceneNode } from './figma-types';
import { writeParams } from './generation-params';
import type { JobTarget } from './job-targets';

export interface ResultImage {
  png: Uint8Array;
  name: string;
  params: string;
}

function imageFill(api: PluginAPI, png: Uint8Array): ImagePaint {
  const image = api.createImage(png);
  return { type: 'IMAGE', scaleMode: 'FILL', imageHash: image.hash };
}

async function sceneNode(api: PluginAPI, id: string): Promise<SceneNode> {
  const node = await api.getNodeByIdAsync(id);
  if (!node || node.removed || node.type === 'PAGE' || node.type === 'DOCUMENT') {
    throw new Error('The layer this image was made for has been deleted.');
  }
  return node as SceneNode;
}

function insideInstance(node: BaseNode | null): boolean {
  for (let n = node; n; n = n.parent) if (n.type === 'INSTANCE') return true;
  return false;
}

/** Creates a rectangle exactly over `source`: same size and absolute transform. */
export function overlayOver(api: PluginAPI, source: SceneNode): RectangleNode {
  const rect = api.createRectangle();
  rect.resize(source.width, source.height);
  const parent = source.parent;
  if (parent && parent.type !== 'DOCUMENT' && !insideInstance(parent) && 'insertChild' in parent) {
    parent.insertChild(parent.children.indexOf(source) + 1, rect);
    if ('layoutMode' in parent && parent.layoutMode !== 'NONE') rect.layoutPositioning = 'ABSOLUTE';
    // Same parent, so the same coordinate space (groups are skipped by both alike).
    rect.relativeTransform = source.relativeTransform;
  } else {
    // Instances cannot take children: put it on the page at the same absolute transform.
    api.currentPage.appendChild(rect);
    rect.relativeTransform = toMatrix(source.absoluteTransform);
  }
  return rect;
}

/** Creates the layer for `target` (or reuses `existing` for live previews) and fills it. */
export async function placeResult(
  api: PluginAPI,
  target: JobTarget,
  result: ResultImage,
  options: { commit: boolean; existing?: SceneNode | null },
): Promise<SceneNode> {
  const fill = imageFill(api, result.png);
  let node: SceneNode;
  let sourceId: string | null = null;
  if (options.existing && 'fills' in options.existing) {
    node = options.existing;
  } else if (target.kind === 'viewport') {
    const rect = api.createRectangle();
    rect.resize(target.width, target.height);
    api.currentPage.appendChild(rect);
    rect.x = Math.round(target.centerX - target.width / 2);
    rect.y = Math.round(target.centerY - target.height / 2);
    node = rect;
  } else if (target.kind === 'fill') {
    node = await sceneNode(api, target.nodeId);
  } else if (target.kind === 'overlay') {
    const source = await sceneNode(api, target.nodeId);
    sourceId = source.id;
    node = overlayOver(api, source);
  } else {
    const frame = await sceneNode(api, target.frameId);
    if (!('appendChild' in frame)) throw new Error('The outpaint frame can no longer hold layers.');
    sourceId = frame.id;
    const rect = api.createRectangle();
    rect.resize(target.width, target.height);
    frame.appendChild(rect);
    if ('layoutMode' in frame && frame.layoutMode !== 'NONE') rect.layoutPositioning = 'ABSOLUTE';
    rect.relativeTransform = [
      [1, 0, target.x],
      [0, 1, target.y],
    ];
    node = rect;
  }
  if (!('fills' in node)) throw new Error(`A ${node.type.toLowerCase()} layer cannot hold an image.`);
  node.fills = [fill];
  if (target.kind !== 'fill') node.name = result.name;
  writeParams(node, result.params, sourceId);
  if (options.commit) api.commitUndo();
  return node;
}
