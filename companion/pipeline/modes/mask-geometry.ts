// Pure geometry for inpainting and outpainting: the mask's bounding box, A1111's crop region for "only
// masked" (padding, then grown to the processing aspect ratio), crops, the outpaint mask and the
// feathered paste-back. Packed 8-bit buffers in, buffers out.

export interface Box {
  x: number;
  y: number;
  w: number;
  h: number;
}

/** Bounding box of non-zero mask pixels, or undefined for an empty mask. */
export function maskBounds(mask: Uint8Array, width: number, height: number): Box | undefined {
  let x0 = width;
  let y0 = height;
  let x1 = -1;
  let y1 = -1;
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++)
      if (mask[y * width + x] > 0) {
        if (x < x0) x0 = x;
        if (x > x1) x1 = x;
        if (y < y0) y0 = y;
        if (y > y1) y1 = y;
      }
  return x1 < 0 ? undefined : { x: x0, y: y0, w: x1 - x0 + 1, h: y1 - y0 + 1 };
}

/** Box grown by `padding`, then to the aspect ratio target w:h, kept inside the image (A1111 expand_crop_region). */
export function cropRegion(
  box: Box,
  padding: number,
  imgW: number,
  imgH: number,
  targetW: number,
  targetH: number,
): Box {
  let x0 = Math.max(0, box.x - padding);
  let y0 = Math.max(0, box.y - padding);
  let x1 = Math.min(imgW, box.x + box.w + padding);
  let y1 = Math.min(imgH, box.y + box.h + padding);
  const ratio = targetW / targetH;
  let w = x1 - x0;
  let h = y1 - y0;
  if (w / h < ratio) {
    const want = Math.min(imgW, Math.round(h * ratio));
    const grow = want - w;
    x0 = Math.max(0, x0 - Math.floor(grow / 2));
    x1 = Math.min(imgW, x0 + want);
    x0 = Math.max(0, x1 - want);
  } else if (w / h > ratio) {
    const want = Math.min(imgH, Math.round(w / ratio));
    const grow = want - h;
    y0 = Math.max(0, y0 - Math.floor(grow / 2));
    y1 = Math.min(imgH, y0 + want);
    y0 = Math.max(0, y1 - want);
  }
  w = x1 - x0;
  h = y1 - y0;
  return { x: x0, y: y0, w, h };
}

export function crop(data: Uint8Array, width: number, channels: number, box: Box): Uint8Array {
  const out = new Uint8Array(box.w * box.h * channels);
  for (let y = 0; y < box.h; y++) {
    const src = ((box.y + y) * width + box.x) * channels;
    out.set(data.subarray(src, src + box.w * channels), y * box.w * channels);
  }
  return out;
}

/** base[box] = patch * m + base * (1 - m), m = mask/255 (a blurred mask feathers the seam). */
export function pasteWithMask(
  base: Uint8Array,
  baseWidth: number,
  patch: Uint8Array,
  mask: Uint8Array,
  box: Box,
): Uint8Array {
  const out = base.slice();
  for (let y = 0; y < box.h; y++)
    for (let x = 0; x < box.w; x++) {
      const m = mask[y * box.w + x] / 255;
      const o = ((box.y + y) * baseWidth + box.x + x) * 3;
      const p = (y * box.w + x) * 3;
      for (let c = 0; c < 3; c++) out[o + c] = Math.round(patch[p + c] * m + base[o + c] * (1 - m));
    }
  return out;
}

/** Mask for an outpaint canvas: 255 over the new margins, 0 over the original image. */
export function outpaintMask(
  width: number,
  height: number,
  m: { left: number; top: number; right: number; bottom: number },
): Uint8Array {
  const mask = new Uint8Array(width * height).fill(255);
  for (let y = m.top; y < height - m.bottom; y++)
    mask.fill(0, y * width + m.left, y * width + width - m.right);
  return mask;
}
