// Prepares the inputs of a job from a classified selection: generation size, the source image
// exported at that size (upright, at the model's resolution, never the on-screen zoom), the
// mask rasterized from the shapes at the image's resolution, outpaint margins, and the target
// the results will be placed on. Reads the document; changes nothing the user can see.

import type { JobInput, Sizing } from '../contract/plugin-messages';
import { IDENTITY, isTranslationOnly, toMatrix } from './affine';
import type { PluginAPI, SceneNode } from './figma-types';
import { fitGenerationSize, roundToMultiple } from './generation-size';
import type { JobTarget } from './job-targets';
import { maskPolygons } from './mask-geometry';
import { maskCoverage, rasterizePolygons } from './mask-raster';
import { type Classification, imagePaintOf } from './selection-mode';

/** Largest outpaint extension per side, from the protocol's limits. */
const MAX_OUTPAINT_PER_SIDE = 1024;

export type PreparedJob =
  | { ok: true; input: Omit<JobInput, 'targetId'>; target: JobTarget }
  | { ok: false; reason: string };

/** Exports `node` upright (rotation and flips removed) at exactly `width` pixels wide. */
export async function exportUpright(api: PluginAPI, node: SceneNode, width: number): Promise<Uint8Array> {
  const settings = {
    format: 'PNG' as const,
    constraint: { type: 'WIDTH' as const, value: width },
    colorProfile: 'SRGB' as const,
  };
  if (isTranslationOnly(toMatrix(node.absoluteTransform), 1e-6)) return node.exportAsync(settings);
  const clone = node.clone();
  try {
    api.currentPage.appendChild(clone);
    clone.relativeTransform = IDENTITY;
    return await clone.exportAsync(settings);
  } finally {
    clone.remove();
  }
}

/** The image's own pixel size in canvas units of the node: how much detail it really has. */
async function sourcePixels(api: PluginAPI, node: SceneNode): Promise<{ width: number; height: number }> {
  const paint = imagePaintOf(node);
  const image = paint?.imageHash ? api.getImageByHash(paint.imageHash) : null;
  const native = image ? await image.getSizeAsync() : null;
  if (!native) return { width: node.width, height: node.height };
  // The fill covers the node; keep the node's aspect at the image's density.
  const density = Math.max(native.width / node.width, native.height / node.height);
  return { width: node.width * density, height: node.height * density };
}

function scaledNotice(
  what: string,
  from: { width: number; height: number },
  to: { width: number; height: number },
  scaled: 'down' | 'up' | null,
  maxSide: number,
): string[] {
  if (scaled === 'down') {
    return [
      `${what} is ${Math.round(from.width)}×${Math.round(from.height)} px; it is sent at ${to.width}×${to.height} (largest side ${maxSide} for this model).`,
    ];
  }
  if (scaled === 'up') {
    return [
      `${what} is small (${Math.round(from.width)}×${Math.round(from.height)}); it is generated at ${to.width}×${to.height}.`,
    ];
  }
  return [];
}

export async function prepareJob(api: PluginAPI, c: Classification, sizing: Sizing): Promise<PreparedJob> {
  if (c.mode === null) return { ok: false, reason: c.reason };
  if (c.mode === 'txt2img' && c.target.kind === 'viewport') {
    const fit = fitGenerationSize(sizing.width, sizing.height, { maxSide: Math.max(sizing.maxSide, 64) });
    const center = api.viewport.center;
    return {
      ok: true,
      input: { mode: 'txt2img', width: fit.width, height: fit.height, notices: [] },
      target: {
        kind: 'viewport',
        centerX: center.x,
        centerY: center.y,
        width: fit.width,
        height: fit.height,
      },
    };
  }
  if (c.mode === 'txt2img' && c.target.kind === 'overlay') {
    const fit = fitGenerationSize(sizing.width, sizing.height, { maxSide: Math.max(sizing.maxSide, 64) });
    return {
      ok: true,
      input: { mode: 'txt2img', width: fit.width, height: fit.height, notices: [] },
      target: { kind: 'overlay', nodeId: c.target.node.id },
    };
  }
  if (c.mode === 'txt2img') {
    const node = c.target.kind === 'fill' ? c.target.node : null;
    if (!node) throw new Error('unreachable: viewport target handled above');
    const fit = fitGenerationSize(node.width, node.height, { maxSide: sizing.maxSide });
    return {
      ok: true,
      input: {
        mode: 'txt2img',
        width: fit.width,
        height: fit.height,
        notices: scaledNotice('The layer', node, fit, fit.scaled, sizing.maxSide),
      },
      target: { kind: 'fill', nodeId: node.id },
    };
  }
  if (c.mode === 'img2img' || c.mode === 'inpaint') {
    const from = await sourcePixels(api, c.image);
    const fit = fitGenerationSize(from.width, from.height, { maxSide: sizing.maxSide });
    const notices = scaledNotice('The image', from, fit, fit.scaled, sizing.maxSide);
    const initImage = await exportUpright(api, c.image, fit.width);
    if (c.mode === 'img2img') {
      return {
        ok: true,
        input: { mode: 'img2img', width: fit.width, height: fit.height, initImage, notices },
        target: { kind: 'overlay', nodeId: c.image.id },
      };
    }
    const polygons = maskPolygons(c.image, c.maskShapes, fit.width, fit.height);
    const alpha = rasterizePolygons(polygons, fit.width, fit.height);
    const coverage = maskCoverage(alpha);
    if (coverage === 0) return { ok: false, reason: 'The mask shapes cover no pixel of the image.' };
    return {
      ok: true,
      input: {
        mode: 'inpaint',
        width: fit.width,
        height: fit.height,
        initImage,
        mask: { width: fit.width, height: fit.height, alpha, coverage },
        notices,
      },
      target: { kind: 'overlay', nodeId: c.image.id },
    };
  }
  return prepareOutpaint(api, c.frame, c.image, sizing);
}

async function prepareOutpaint(
  api: PluginAPI,
  frame: SceneNode,
  image: SceneNode,
  sizing: Sizing,
): Promise<PreparedJob> {
  const fa = toMatrix(frame.absoluteTransform);
  const ia = toMatrix(image.absoluteTransform);
  // Image position in the frame's space (classification checked it is upright there).
  const det = fa[0][0] * fa[1][1] - fa[0][1] * fa[1][0];
  const dx = ia[0][2] - fa[0][2];
  const dy = ia[1][2] - fa[1][2];
  const x0 = (fa[1][1] * dx - fa[0][1] * dy) / det;
  const y0 = (-fa[1][0] * dx + fa[0][0] * dy) / det;
  const margins = {
    left: Math.max(0, x0),
    top: Math.max(0, y0),
    right: Math.max(0, frame.width - (x0 + image.width)),
    bottom: Math.max(0, frame.height - (y0 + image.height)),
  };
  const from = await sourcePixels(api, image);
  // One scale for the whole frame so that the result (image + margins) fits the model.
  const density = from.width / image.width;
  const scale = Math.min(density, sizing.maxSide / Math.max(frame.width, frame.height));
  const initW = roundToMultiple(image.width * scale, 8);
  const initH = roundToMultiple(image.height * scale, 8);
  const sx = initW / image.width;
  const sy = initH / image.height;
  const px = (v: number, s: number) =>
    Math.min(MAX_OUTPAINT_PER_SIDE, v < 0.5 ? 0 : roundToMultiple(v * s, 8));
  const outpaint = {
    left: px(margins.left, sx),
    right: px(margins.right, sx),
    top: px(margins.top, sy),
    bottom: px(margins.bottom, sy),
  };
  const notices: string[] = [];
  if (scale < density - 1e-6) {
    notices.push(
      `The frame is ${Math.round(frame.width * density)}×${Math.round(frame.height * density)} px at the image's resolution; it is generated at ${initW + outpaint.left + outpaint.right}×${initH + outpaint.top + outpaint.bottom}.`,
    );
  }
  const initImage = await exportUpright(api, image, initW);
  return {
    ok: true,
    // The daemon extends the init image by the margins (in its pixels) and generates at
    // width×height: the whole canvas, image plus margins.
    input: {
      mode: 'outpaint',
      width: initW + outpaint.left + outpaint.right,
      height: initH + outpaint.top + outpaint.bottom,
      initImage,
      outpaint,
      notices,
    },
    target: {
      kind: 'frame-rect',
      frameId: frame.id,
      x: x0 - outpaint.left / sx,
      y: y0 - outpaint.top / sy,
      width: (initW + outpaint.left + outpaint.right) / sx,
      height: (initH + outpaint.top + outpaint.bottom) / sy,
    },
  };
}
