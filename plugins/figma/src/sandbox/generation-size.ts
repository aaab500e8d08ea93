// Picks the pixel size a job is generated at from a node's size: multiples of 8, aspect kept
// (within rounding), scaled down to the model's largest side or up to the protocol's minimum.
// Pure; the sandbox reports any scaling to the user as a notice.

export interface SizeLimits {
  maxSide: number;
  minSide?: number;
  multiple?: number;
}

export interface FittedSize {
  width: number;
  height: number;
  /** 'down' when the source was larger than `maxSide`, 'up' when smaller than `minSide`. */
  scaled: 'down' | 'up' | null;
}

export function roundToMultiple(value: number, multiple: number): number {
  return Math.max(multiple, Math.round(value / multiple) * multiple);
}

export function fitGenerationSize(width: number, height: number, limits: SizeLimits): FittedSize {
  if (!(width > 0 && height > 0)) throw new Error(`size must be positive, got ${width}×${height}`);
  const multiple = limits.multiple ?? 8;
  const minSide = limits.minSide ?? 64;
  const maxSide = Math.floor(limits.maxSide / multiple) * multiple;
  let scale = 1;
  let scaled: FittedSize['scaled'] = null;
  if (Math.max(width, height) > maxSide) {
    scale = maxSide / Math.max(width, height);
    scaled = 'down';
  }
  if (Math.min(width, height) * scale < minSide) {
    scale = minSide / Math.min(width, height);
    scaled = 'up';
  }
  const clamp = (v: number) => Math.min(maxSide, Math.max(minSide, roundToMultiple(v * scale, multiple)));
  return { width: clamp(width), height: clamp(height), scaled };
}
