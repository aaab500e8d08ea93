// Width, height and type of PNG, JPEG and WebP images read from their headers, so the
// extension can check sizes before sending an image (no decoder in the extension host).

export type ImageMime = 'image/png' | 'image/jpeg' | 'image/webp';

export interface ImageInfo {
  mime: ImageMime;
  width: number;
  height: number;
}

function u16be(b: Uint8Array, i: number): number {
  return ((b[i] ?? 0) << 8) | (b[i + 1] ?? 0);
}
function u16le(b: Uint8Array, i: number): number {
  return (b[i] ?? 0) | ((b[i + 1] ?? 0) << 8);
}
function u24le(b: Uint8Array, i: number): number {
  return u16le(b, i) | ((b[i + 2] ?? 0) << 16);
}
function ascii(b: Uint8Array, start: number, end: number): string {
  return String.fromCharCode(...b.subarray(start, end));
}

function png(b: Uint8Array): ImageInfo | null {
  if (b.length < 24 || ascii(b, 12, 16) !== 'IHDR') return null;
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  return { mime: 'image/png', width: v.getUint32(16, false), height: v.getUint32(20, false) };
}

function jpeg(b: Uint8Array): ImageInfo | null {
  let i = 2;
  while (i + 9 < b.length) {
    if (b[i] !== 0xff) return null;
    const marker = b[i + 1] ?? 0;
    if (marker === 0xd8 || (marker >= 0xd0 && marker <= 0xd7) || marker === 0x01 || marker === 0xff) {
      i += marker === 0xff ? 1 : 2;
      continue;
    }
    const len = u16be(b, i + 2);
    // SOF0..SOF15 except DHT (C4), JPG (C8) and DAC (CC) carry the frame size.
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      return { mime: 'image/jpeg', height: u16be(b, i + 5), width: u16be(b, i + 7) };
    }
    i += 2 + len;
  }
  return null;
}

function webp(b: Uint8Array): ImageInfo | null {
  const kind = ascii(b, 12, 16);
  if (kind === 'VP8 ' && b.length >= 30) {
    return { mime: 'image/webp', width: u16le(b, 26) & 0x3fff, height: u16le(b, 28) & 0x3fff };
  }
  if (kind === 'VP8L' && b.length >= 25) {
    const bits = (b[21] ?? 0) | ((b[22] ?? 0) << 8) | ((b[23] ?? 0) << 16) | ((b[24] ?? 0) << 24);
    return { mime: 'image/webp', width: (bits & 0x3fff) + 1, height: ((bits >>> 14) & 0x3fff) + 1 };
  }
  if (kind === 'VP8X' && b.length >= 30) {
    return { mime: 'image/webp', width: u24le(b, 24) + 1, height: u24le(b, 27) + 1 };
  }
  return null;
}

/** The image's type and size, or null when the bytes are not a PNG, JPEG or WebP we can read. */
export function readImageInfo(b: Uint8Array): ImageInfo | null {
  if (b.length >= 8 && b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47) return png(b);
  if (b.length >= 4 && b[0] === 0xff && b[1] === 0xd8) return jpeg(b);
  if (b.length >= 16 && ascii(b, 0, 4) === 'RIFF' && ascii(b, 8, 12) === 'WEBP') return webp(b);
  return null;
}

/**
 * A size the daemon accepts for an image of `width`×`height`: the same aspect ratio, each side a
 * multiple of `multiple` within [minSide, maxSide]. `scaled` says whether it had to shrink.
 */
export function fitSize(
  width: number,
  height: number,
  limits: { minSide: number; maxSide: number; sideMultiple: number },
): { width: number; height: number; scaled: boolean } {
  const scale = Math.min(1, limits.maxSide / Math.max(width, height));
  const snap = (n: number) =>
    Math.min(
      limits.maxSide,
      Math.max(limits.minSide, Math.round((n * scale) / limits.sideMultiple) * limits.sideMultiple),
    );
  return { width: snap(width), height: snap(height), scaled: scale < 1 };
}

/**
 * The canvas an outpaint asks for: the image plus its margins, snapped to the model's limits.
 * The daemon extends the image by the margins, then resizes to this size, so it must be the whole
 * canvas (sending the image's own size would squash the result back into it).
 */
export function outpaintCanvas(
  width: number,
  height: number,
  m: { left: number; right: number; top: number; bottom: number },
  limits: { minSide: number; maxSide: number; sideMultiple: number },
): { width: number; height: number; scaled: boolean } {
  return fitSize(width + m.left + m.right, height + m.top + m.bottom, limits);
}
