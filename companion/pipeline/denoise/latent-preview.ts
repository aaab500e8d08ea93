// Cheap latent -> RGB preview: a per-family linear map of the 4 latent channels (the approximation A1111
// calls "Approx cheap"), at latent resolution. Costs ~12 multiply-adds per latent pixel, so it runs on
// every step without showing in the step time.
import type { ModelFamily } from '../model/model-contract.js';

export interface PreviewImage {
  width: number;
  height: number;
  /** Packed RGB, 3 bytes per pixel. */
  rgb: Uint8Array;
}

// Rows: latent channel; columns: R, G, B contribution.
const SD_FACTORS = [
  [0.298, 0.207, 0.208],
  [0.187, 0.286, 0.173],
  [-0.158, 0.189, 0.264],
  [-0.184, -0.271, -0.473],
];
const SDXL_FACTORS = [
  [0.3448, 0.4168, 0.4395],
  [-0.1953, -0.029, 0.025],
  [0.1074, 0.0886, -0.0163],
  [-0.373, -0.2499, -0.2088],
];

export function previewFactors(family: ModelFamily): number[][] {
  return family === 'sdxl' || family === 'sdxl-turbo' ? SDXL_FACTORS : SD_FACTORS;
}

/** Preview of image `index` of a (B,4,h,w) latent batch. */
export function latentPreview(
  latents: Float32Array,
  shape: readonly number[],
  index: number,
  family: ModelFamily,
): PreviewImage {
  const [, c, h, w] = shape;
  const f = previewFactors(family);
  const plane = h * w;
  const base = index * c * plane;
  const rgb = new Uint8Array(plane * 3);
  for (let p = 0; p < plane; p++) {
    for (let k = 0; k < 3; k++) {
      let v = 0;
      for (let ch = 0; ch < 4; ch++) v += latents[base + ch * plane + p] * f[ch][k];
      const byte = Math.round(((v + 1) / 2) * 255);
      rgb[p * 3 + k] = byte < 0 ? 0 : byte > 255 ? 255 : byte;
    }
  }
  return { width: w, height: h, rgb };
}
