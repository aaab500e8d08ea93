// Flattens Figma vector path data (the normalized SVG subset Figma emits: M, L, Q, C, Z with
// absolute coordinates) into polygons, so vector shapes can be rasterized into masks.

import type { Point } from './affine';

const CURVE_SEGMENTS = 16;

export function flattenPath(data: string): Point[][] {
  const tokens = data.match(/[MLQCZmlqcz]|-?\d*\.?\d+(?:e[-+]?\d+)?/g) ?? [];
  const polygons: Point[][] = [];
  let current: Point[] = [];
  let cursor: Point = { x: 0, y: 0 };
  let i = 0;
  const num = () => {
    const t = tokens[i++];
    const v = Number(t);
    if (t === undefined || Number.isNaN(v)) throw new Error(`vector path: expected a number at token ${i}`);
    return v;
  };
  const close = () => {
    if (current.length >= 3) polygons.push(current);
    current = [];
  };
  while (i < tokens.length) {
    const cmd = tokens[i++].toUpperCase();
    if (cmd === 'M') {
      close();
      cursor = { x: num(), y: num() };
      current.push(cursor);
    } else if (cmd === 'L') {
      cursor = { x: num(), y: num() };
      current.push(cursor);
    } else if (cmd === 'Q') {
      const c = { x: num(), y: num() };
      const end = { x: num(), y: num() };
      for (let s = 1; s <= CURVE_SEGMENTS; s++) {
        const t = s / CURVE_SEGMENTS;
        const u = 1 - t;
        current.push({
          x: u * u * cursor.x + 2 * u * t * c.x + t * t * end.x,
          y: u * u * cursor.y + 2 * u * t * c.y + t * t * end.y,
        });
      }
      cursor = end;
    } else if (cmd === 'C') {
      const c1 = { x: num(), y: num() };
      const c2 = { x: num(), y: num() };
      const end = { x: num(), y: num() };
      for (let s = 1; s <= CURVE_SEGMENTS; s++) {
        const t = s / CURVE_SEGMENTS;
        const u = 1 - t;
        current.push({
          x: u * u * u * cursor.x + 3 * u * u * t * c1.x + 3 * u * t * t * c2.x + t * t * t * end.x,
          y: u * u * u * cursor.y + 3 * u * u * t * c1.y + 3 * u * t * t * c2.y + t * t * t * end.y,
        });
      }
      cursor = end;
    } else if (cmd === 'Z') {
      close();
    } else {
      throw new Error(`vector path: unsupported command ${cmd}`);
    }
  }
  close();
  return polygons;
}
