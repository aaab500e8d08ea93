// Conversions between packed 8-bit images and the float tensors the VAE and UNet take, with diffusers'
// VaeImageProcessor conventions (x/255*2-1 in, round(clamp(x)*255) out; masks binarized at 0.5 and
// downsampled to latent size with nearest-neighbour, as F.interpolate's default).

/** Packed RGB (H*W*3) -> (1,3,H,W) float32 in [-1,1]. */
export function rgbToTensor(rgb: Uint8Array, width: number, height: number): Float32Array {
  const plane = width * height;
  const out = new Float32Array(3 * plane);
  for (let p = 0; p < plane; p++)
    for (let c = 0; c < 3; c++) out[c * plane + p] = Math.fround(Math.fround(rgb[p * 3 + c] / 255) * 2) - 1;
  return out;
}

/** (1,3,H,W) in [0,1] -> packed RGB bytes (numpy_to_pil: (x*255).round()). */
export function tensorToRgb(img: Float32Array, width: number, height: number, offset = 0): Uint8Array {
  const plane = width * height;
  const out = new Uint8Array(3 * plane);
  for (let p = 0; p < plane; p++)
    for (let c = 0; c < 3; c++) out[p * 3 + c] = Math.round(Math.fround(img[offset + c * plane + p] * 255));
  return out;
}

/** Gray bytes -> (1,1,H,W) mask: binarized at 0.5 (diffusers' do_binarize) or kept soft in [0,1]. */
export function grayToMask(gray: Uint8Array, binarize: boolean): Float32Array {
  const out = new Float32Array(gray.length);
  for (let i = 0; i < gray.length; i++) {
    const v = Math.fround(gray[i] / 255);
    out[i] = binarize ? (v < 0.5 ? 0 : 1) : v;
  }
  return out;
}

/** image * (mask < 0.5): the masked image the inpainting UNet sees. */
export function maskedImage(image: Float32Array, mask: Float32Array): Float32Array {
  const plane = mask.length;
  const out = new Float32Array(image.length);
  for (let c = 0; c < 3; c++)
    for (let p = 0; p < plane; p++) out[c * plane + p] = mask[p] < 0.5 ? image[c * plane + p] : 0;
  return out;
}

/** Nearest-neighbour resize of an (H,W) plane to (h,w): src = floor(dst * in / out). */
export function nearestDownsample(
  mask: Float32Array,
  width: number,
  height: number,
  w: number,
  h: number,
): Float32Array {
  const out = new Float32Array(w * h);
  for (let y = 0; y < h; y++) {
    const sy = Math.min(height - 1, Math.floor((y * height) / h));
    for (let x = 0; x < w; x++)
      out[y * w + x] = mask[sy * width + Math.min(width - 1, Math.floor((x * width) / w))];
  }
  return out;
}

export function repeatBatch(t: Float32Array, times: number): Float32Array {
  if (times === 1) return t;
  const out = new Float32Array(t.length * times);
  for (let i = 0; i < times; i++) out.set(t, i * t.length);
  return out;
}
