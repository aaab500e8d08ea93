// Rasterizes polygons (already in image pixel coordinates) into a one-byte-per-pixel mask
// with the non-zero winding rule. Rows are supersampled for smooth edges; the daemon's
// `maskBlur` softens the rest. Pure: typed arrays in, typed arrays out.

import type { Point } from './affine';

export interface RasterOptions {
  /** Sub-scanlines per pixel row (vertical anti-aliasing). */
  samples?: number;
}

export function rasterizePolygons(
  polygons: readonly (readonly Point[])[],
  width: number,
  height: number,
  options: RasterOptions = {},
): Uint8Array {
  const samples = options.samples ?? 4;
  const counts = new Uint16Array(width * height);
  const edges: { x0: number; y0: number; x1: number; y1: number; dir: number }[] = [];
  for (const poly of polygons) {
    for (let k = 0; k < poly.length; k++) {
      const a = poly[k];
      const b = poly[(k + 1) % poly.length];
      if (a.y === b.y) continue;
      edges.push(
        a.y < b.y
          ? { x0: a.x, y0: a.y, x1: b.x, y1: b.y, dir: 1 }
          : { x0: b.x, y0: b.y, x1: a.x, y1: a.y, dir: -1 },
      );
    }
  }
  const crossings: { x: number; dir: number }[] = [];
  for (let row = 0; row < height; row++) {
    for (let s = 0; s < samples; s++) {
      const y = row + (s + 0.5) / samples;
      crossings.length = 0;
      for (const e of edges) {
        if (y >= e.y0 && y < e.y1) {
          crossings.push({ x: e.x0 + ((y - e.y0) / (e.y1 - e.y0)) * (e.x1 - e.x0), dir: e.dir });
        }
      }
      if (crossings.length < 2) continue;
      crossings.sort((p, q) => p.x - q.x);
      let winding = 0;
      for (let c = 0; c < crossings.length - 1; c++) {
        winding += crossings[c].dir;
        if (winding === 0) continue;
        // Pixels whose centre lies inside [x_c, x_{c+1}).
        const from = Math.max(0, Math.ceil(crossings[c].x - 0.5));
        const to = Math.min(width - 1, Math.ceil(crossings[c + 1].x - 0.5) - 1);
        for (let x = from; x <= to; x++) counts[row * width + x]++;
      }
    }
  }
  const out = new Uint8Array(width * height);
  for (let i = 0; i < out.length; i++) out[i] = Math.round((counts[i] * 255) / samples);
  return out;
}

/** Fraction of the mask that is set, 0..1 (partial pixels count partially). */
export function maskCoverage(mask: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i < mask.length; i++) sum += mask[i];
  return mask.length === 0 ? 0 : sum / (255 * mask.length);
}
