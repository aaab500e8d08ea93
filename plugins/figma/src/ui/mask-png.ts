// Encodes the sandbox's one-byte mask as a PNG (white = repaint) with the browser's canvas,
// since the sandbox has no image codecs and the protocol carries images as PNG.

import type { MaskBitmap } from '../contract/plugin-messages';

export async function maskToPng(mask: MaskBitmap): Promise<Uint8Array> {
  const canvas = document.createElement('canvas');
  canvas.width = mask.width;
  canvas.height = mask.height;
  const ctx = canvas.getContext('2d');
  if (!ctx) throw new Error('canvas 2D is not available to encode the mask');
  const rgba = new ImageData(mask.width, mask.height);
  for (let i = 0; i < mask.alpha.length; i++) {
    const v = mask.alpha[i];
    rgba.data[i * 4] = v;
    rgba.data[i * 4 + 1] = v;
    rgba.data[i * 4 + 2] = v;
    rgba.data[i * 4 + 3] = 255;
  }
  ctx.putImageData(rgba, 0, 0);
  const blob = await new Promise<Blob | null>((resolve) => canvas.toBlob(resolve, 'image/png'));
  if (!blob) throw new Error('the browser could not encode the mask as PNG');
  return new Uint8Array(await blob.arrayBuffer());
}
