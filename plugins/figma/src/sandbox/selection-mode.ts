// Reads the current selection and decides what a Generate means: txt2img into the viewport,
// txt2img into an empty frame/shape, img2img over an image, inpaint with shapes as the mask,
// or outpaint into a frame larger than its image. Never touches the document; pure over the
// node properties it reads, so tests drive it with the fake `figma`.

import { invert, isTranslationOnly, multiply, toMatrix } from './affine';
import type { ImagePaint, SceneNode } from './figma-types';

export type Classification =
  | { mode: 'txt2img'; target: { kind: 'viewport' }; label: string }
  | { mode: 'txt2img'; target: { kind: 'fill'; node: SceneNode }; label: string }
  /** Regenerating a txt2img layer: a new layer over it, at the stored size. */
  | { mode: 'txt2img'; target: { kind: 'overlay'; node: SceneNode }; label: string }
  | { mode: 'img2img'; image: SceneNode; label: string }
  | { mode: 'inpaint'; image: SceneNode; maskShapes: SceneNode[]; label: string }
  | { mode: 'outpaint'; frame: SceneNode; image: SceneNode; label: string }
  | { mode: null; reason: string; label: string };

const FILLABLE = new Set(['RECTANGLE', 'ELLIPSE', 'POLYGON', 'STAR', 'VECTOR', 'FRAME']);
const MASK_SHAPES = new Set(['RECTANGLE', 'ELLIPSE', 'POLYGON', 'STAR', 'VECTOR', 'BOOLEAN_OPERATION']);

export function imagePaintOf(node: SceneNode): ImagePaint | null {
  if (!('fills' in node)) return null;
  const fills = node.fills;
  if (!Array.isArray(fills)) return null;
  for (let i = fills.length - 1; i >= 0; i--) {
    const p = fills[i];
    if (p.type === 'IMAGE' && p.visible !== false && p.imageHash) return p;
  }
  return null;
}

function hasChildren(node: SceneNode): boolean {
  return 'children' in node && node.children.length > 0;
}

function size(node: SceneNode): string {
  return `${Math.round(node.width)}×${Math.round(node.height)}`;
}

/** Axis-aligned bounds of a node in absolute coordinates (its rotated box). */
export function absoluteBox(node: SceneNode): { x0: number; y0: number; x1: number; y1: number } {
  const m = toMatrix(node.absoluteTransform);
  const xs: number[] = [];
  const ys: number[] = [];
  for (const [u, v] of [
    [0, 0],
    [node.width, 0],
    [0, node.height],
    [node.width, node.height],
  ]) {
    xs.push(m[0][0] * u + m[0][1] * v + m[0][2]);
    ys.push(m[1][0] * u + m[1][1] * v + m[1][2]);
  }
  return { x0: Math.min(...xs), y0: Math.min(...ys), x1: Math.max(...xs), y1: Math.max(...ys) };
}

function overlaps(a: SceneNode, b: SceneNode): boolean {
  const p = absoluteBox(a);
  const q = absoluteBox(b);
  return p.x0 < q.x1 && q.x0 < p.x1 && p.y0 < q.y1 && q.y0 < p.y1;
}

/** The image inside a frame whose box the frame exceeds, for outpainting. */
function outpaintImage(frame: SceneNode): SceneNode | { reason: string } | null {
  if (!('children' in frame)) return null;
  const images = frame.children.filter((c) => c.visible && imagePaintOf(c));
  if (images.length !== 1 || frame.children.length !== 1) return null;
  const image = images[0];
  const rel = multiply(invert(toMatrix(frame.absoluteTransform)), toMatrix(image.absoluteTransform));
  if (!isTranslationOnly(rel, 1e-4)) {
    return { reason: 'The image inside the frame is rotated or flipped; outpainting needs it upright.' };
  }
  const left = rel[0][2];
  const top = rel[1][2];
  const right = frame.width - (left + image.width);
  const bottom = frame.height - (top + image.height);
  if (Math.max(left, top, right, bottom) < 1) {
    return {
      reason:
        'The frame is not larger than the image inside it: select the image for img2img, or enlarge the frame to outpaint.',
    };
  }
  return image;
}

export function classifySelection(selection: readonly SceneNode[]): Classification {
  if (selection.length === 0) {
    return {
      mode: 'txt2img',
      target: { kind: 'viewport' },
      label: 'Nothing selected: new image in the viewport',
    };
  }
  const images = selection.filter((n) => imagePaintOf(n));
  if (selection.length === 1) {
    const node = selection[0];
    if (images.length === 1) return { mode: 'img2img', image: node, label: `Image ${size(node)}` };
    if (node.type === 'FRAME' && hasChildren(node)) {
      const found = outpaintImage(node);
      if (found && 'reason' in found)
        return { mode: null, reason: found.reason, label: `Frame ${size(node)}` };
      if (found)
        return { mode: 'outpaint', frame: node, image: found, label: `Outpaint frame ${size(node)}` };
      return {
        mode: null,
        label: `Frame ${size(node)}`,
        reason:
          'The frame has content. Select an empty frame or shape (txt2img), an image (img2img), or a frame holding exactly one smaller image (outpaint).',
      };
    }
    if (FILLABLE.has(node.type)) {
      return {
        mode: 'txt2img',
        target: { kind: 'fill', node },
        label: `Empty ${node.type.toLowerCase()} ${size(node)}`,
      };
    }
    return {
      mode: null,
      label: node.type.toLowerCase(),
      reason: `A ${node.type.toLowerCase()} layer cannot hold an image. Select a frame, a shape or an image, or nothing.`,
    };
  }
  if (images.length === 0) {
    return {
      mode: null,
      label: `${selection.length} layers`,
      reason:
        'Several layers and no image: select one frame or shape, or one image plus the shapes to inpaint.',
    };
  }
  if (images.length > 1) {
    return {
      mode: null,
      label: `${images.length} images`,
      reason: 'More than one image is selected: select one image (plus shapes over it to inpaint).',
    };
  }
  const image = images[0];
  const others = selection.filter((n) => n !== image);
  const notShapes = others.filter((n) => !MASK_SHAPES.has(n.type));
  if (notShapes.length > 0) {
    return {
      mode: null,
      label: 'Image + other layers',
      reason: `Only shapes and vectors can mark the area to inpaint; ${notShapes[0].name} is a ${notShapes[0].type.toLowerCase()}.`,
    };
  }
  const outside = others.filter((n) => !overlaps(n, image));
  if (outside.length === others.length) {
    return {
      mode: null,
      label: 'Image + shapes',
      reason: 'The selected shapes do not overlap the image, so there is nothing to inpaint.',
    };
  }
  const n = others.length - outside.length;
  return {
    mode: 'inpaint',
    image,
    maskShapes: others.filter((s) => !outside.includes(s)),
    label: `Inpaint image ${size(image)} with ${n} mask shape${n === 1 ? '' : 's'}`,
  };
}
