// Turns the shapes drawn over an image into polygons in the image's export pixels: each
// shape's outline in its own space → absolute canvas space → the image's local space → the
// pixel grid the image is exported at. Rotation and nesting come from absoluteTransform.

import { apply, invert, type Matrix, multiply, type Point, scaling, toMatrix } from './affine';
import type { SceneNode } from './figma-types';
import { flattenPath } from './vector-path';

const ELLIPSE_SEGMENTS = 64;

function ellipse(w: number, h: number, segments: number, inner?: number): Point[] {
  const pts: Point[] = [];
  for (let k = 0; k < segments; k++) {
    const t = (k / segments) * 2 * Math.PI - Math.PI / 2;
    const r = inner !== undefined && k % 2 === 1 ? inner : 1;
    pts.push({ x: w / 2 + (r * w * Math.cos(t)) / 2, y: h / 2 + (r * h * Math.sin(t)) / 2 });
  }
  return pts;
}

/** The shape's outline in its own coordinates. Unknown kinds fall back to their box. */
export function localOutline(node: SceneNode): Point[][] {
  const w = node.width;
  const h = node.height;
  const box = [
    [
      { x: 0, y: 0 },
      { x: w, y: 0 },
      { x: w, y: h },
      { x: 0, y: h },
    ],
  ];
  switch (node.type) {
    case 'ELLIPSE':
      return [ellipse(w, h, ELLIPSE_SEGMENTS)];
    case 'POLYGON':
      return [ellipse(w, h, node.pointCount)];
    case 'STAR':
      return [ellipse(w, h, node.pointCount * 2, node.innerRadius)];
    case 'VECTOR': {
      const polys = node.vectorPaths.flatMap((p) => flattenPath(p.data));
      return polys.length > 0 ? polys : box;
    }
    default:
      return box;
  }
}

/**
 * Polygons of `shapes` in the pixel grid of `image` exported at `pixelWidth`×`pixelHeight`.
 */
export function maskPolygons(
  image: SceneNode,
  shapes: readonly SceneNode[],
  pixelWidth: number,
  pixelHeight: number,
): Point[][] {
  const toPixels: Matrix = multiply(
    scaling(pixelWidth / image.width, pixelHeight / image.height),
    invert(toMatrix(image.absoluteTransform)),
  );
  const out: Point[][] = [];
  for (const shape of shapes) {
    const m = multiply(toPixels, toMatrix(shape.absoluteTransform));
    for (const poly of localOutline(shape)) out.push(poly.map((p) => apply(m, p)));
  }
  return out;
}
