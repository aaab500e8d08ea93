// 2×3 affine transforms in Figma's layout ([[a, c, e], [b, d, f]]): composition, inversion and
// point mapping for placing results over nodes and mapping mask shapes into image pixels.
// Pure maths: no Figma API here, so the fake `figma` in tests and the real one agree.

export type Matrix = [[number, number, number], [number, number, number]];
export interface Point {
  x: number;
  y: number;
}

export const IDENTITY: Matrix = [
  [1, 0, 0],
  [0, 1, 0],
];

/** `m · n`: apply `n` first, then `m`. */
export function multiply(m: Matrix, n: Matrix): Matrix {
  const [[a, c, e], [b, d, f]] = m;
  const [[A, C, E], [B, D, F]] = n;
  return [
    [a * A + c * B, a * C + c * D, a * E + c * F + e],
    [b * A + d * B, b * C + d * D, b * E + d * F + f],
  ];
}

export function invert(m: Matrix): Matrix {
  const [[a, c, e], [b, d, f]] = m;
  const det = a * d - b * c;
  if (Math.abs(det) < 1e-12) throw new Error(`transform is not invertible (determinant ${det})`);
  return [
    [d / det, -c / det, (c * f - d * e) / det],
    [-b / det, a / det, (b * e - a * f) / det],
  ];
}

export function apply(m: Matrix, p: Point): Point {
  return { x: m[0][0] * p.x + m[0][1] * p.y + m[0][2], y: m[1][0] * p.x + m[1][1] * p.y + m[1][2] };
}

export function translation(x: number, y: number): Matrix {
  return [
    [1, 0, x],
    [0, 1, y],
  ];
}

export function scaling(sx: number, sy: number): Matrix {
  return [
    [sx, 0, 0],
    [0, sy, 0],
  ];
}

/** True when the matrix only translates (no rotation, skew or flip), within `epsilon`. */
export function isTranslationOnly(m: Matrix, epsilon = 1e-6): boolean {
  return (
    Math.abs(m[0][0] - 1) < epsilon &&
    Math.abs(m[1][1] - 1) < epsilon &&
    Math.abs(m[0][1]) < epsilon &&
    Math.abs(m[1][0]) < epsilon
  );
}

/** Copies Figma's readonly Transform into a mutable Matrix. */
export function toMatrix(t: readonly (readonly number[])[]): Matrix {
  return [
    [t[0][0], t[0][1], t[0][2]],
    [t[1][0], t[1][1], t[1][2]],
  ];
}
