// The one module that imports sharp: decode (PNG/JPEG/WebP) with size limits checked from the header before
// any pixel is inflated, resize (fit/fill/exact), Gaussian blur of masks, PNG encode with metadata.
// Works on packed 8-bit RGB / gray buffers; the pipeline converts to tensors itself.
import sharp, { type Sharp } from 'sharp';
import { PipelineError } from '../pipeline/pipeline-errors.js';
import { pngSize, readPngChunks, withTextChunk } from './png-chunks.js';

export interface RgbImage {
  width: number;
  height: number;
  /** Packed RGB, 3 bytes per pixel. */
  data: Uint8Array;
}

export interface GrayImage {
  width: number;
  height: number;
  data: Uint8Array;
}

export type ResizeMode = 'fit' | 'fill' | 'exact';

export const DEFAULT_MAX_INPUT_PIXELS = 4096 * 4096;

function badImage(field: string, why: string, cause?: unknown): PipelineError {
  return new PipelineError('E_BAD_IMAGE', `\`${field}\` could not be decoded: ${why}`, { field, cause });
}

/** Declared size of an input image, after validating the container; throws E_BAD_IMAGE. */
export async function probeImage(
  bytes: Uint8Array,
  field: string,
  maxPixels = DEFAULT_MAX_INPUT_PIXELS,
): Promise<{ width: number; height: number; format: string }> {
  if (bytes.length === 0) throw badImage(field, 'empty input');
  let size: { width: number; height: number };
  let format = 'png';
  if (bytes[0] === 0x89) {
    size = pngSize(readPngChunks(bytes, field));
  } else {
    try {
      const meta = await sharp(bytes, { limitInputPixels: false }).metadata();
      if (!meta.width || !meta.height) throw new Error('no dimensions');
      if (meta.format !== 'jpeg' && meta.format !== 'webp')
        throw new Error(`unsupported format ${meta.format}`);
      size = { width: meta.width, height: meta.height };
      format = meta.format;
    } catch (err) {
      throw badImage(
        field,
        `not a PNG, JPEG or WebP image (${err instanceof Error ? err.message : err})`,
        err,
      );
    }
  }
  if (size.width === 0 || size.height === 0) throw badImage(field, 'zero width or height');
  if (size.width * size.height > maxPixels) {
    throw badImage(
      field,
      `declares ${size.width}x${size.height} pixels, more than the limit of ${maxPixels}`,
    );
  }
  return { ...size, format };
}

async function raw(
  bytes: Uint8Array,
  field: string,
  maxPixels: number,
  channels: 3 | 4,
): Promise<{ width: number; height: number; data: Uint8Array }> {
  await probeImage(bytes, field, maxPixels);
  try {
    let img = sharp(bytes, { limitInputPixels: maxPixels, failOn: 'error' }).toColourspace('srgb');
    img = channels === 3 ? img.removeAlpha() : img.ensureAlpha();
    const { data, info } = await img.raw().toBuffer({ resolveWithObject: true });
    return {
      width: info.width,
      height: info.height,
      data: new Uint8Array(data.buffer, data.byteOffset, data.length),
    };
  } catch (err) {
    throw badImage(field, err instanceof Error ? err.message : String(err), err);
  }
}

/** Decodes to RGB, dropping alpha (as PIL's convert('RGB')). */
export async function decodeRgb(
  bytes: Uint8Array,
  field: string,
  maxPixels = DEFAULT_MAX_INPUT_PIXELS,
): Promise<RgbImage> {
  return raw(bytes, field, maxPixels, 3);
}

/** Decodes a mask to 8-bit luminance with PIL's convert('L') weights (white = repaint). */
export async function decodeGray(
  bytes: Uint8Array,
  field: string,
  maxPixels = DEFAULT_MAX_INPUT_PIXELS,
): Promise<GrayImage> {
  const rgb = await raw(bytes, field, maxPixels, 3);
  const n = rgb.width * rgb.height;
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const r = rgb.data[i * 3];
    const g = rgb.data[i * 3 + 1];
    const b = rgb.data[i * 3 + 2];
    out[i] = (r * 19595 + g * 38470 + b * 7471 + 0x8000) >> 16;
  }
  return { width: rgb.width, height: rgb.height, data: out };
}

/**
 * Resizes to exactly width x height. exact: stretch; fill: cover then centre-crop (A1111 "crop and
 * resize"); fit: contain, then fill the margins by repeating the edge pixels (A1111 "resize and fill").
 */
export async function resizeImage<T extends RgbImage | GrayImage>(
  img: T,
  width: number,
  height: number,
  mode: ResizeMode,
): Promise<T> {
  if (img.width === width && img.height === height) return img;
  const channels = img.data.length / (img.width * img.height) === 1 ? 1 : 3;
  const src = sharp(Buffer.from(img.data.buffer, img.data.byteOffset, img.data.length), {
    raw: { width: img.width, height: img.height, channels },
  });
  let pipeline: Sharp;
  if (mode === 'exact') pipeline = src.resize(width, height, { fit: 'fill', kernel: 'lanczos3' });
  else if (mode === 'fill') pipeline = src.resize(width, height, { fit: 'cover', kernel: 'lanczos3' });
  else {
    const scale = Math.min(width / img.width, height / img.height);
    const w = Math.max(1, Math.min(width, Math.round(img.width * scale)));
    const h = Math.max(1, Math.min(height, Math.round(img.height * scale)));
    const inner = await src.resize(w, h, { fit: 'fill', kernel: 'lanczos3' }).raw().toBuffer();
    const left = Math.floor((width - w) / 2);
    const top = Math.floor((height - h) / 2);
    pipeline = sharp(inner, { raw: { width: w, height: h, channels } }).extend({
      left,
      right: width - w - left,
      top,
      bottom: height - h - top,
      extendWith: 'copy',
    });
  }
  const out = await pipeline.raw().toBuffer();
  return { width, height, data: new Uint8Array(out.buffer, out.byteOffset, out.length) } as T;
}

/** Gaussian blur of a gray mask with sigma = radius (A1111's mask blur); radius 0 returns the input. */
export async function blurGray(mask: GrayImage, radius: number): Promise<GrayImage> {
  if (radius <= 0) return mask;
  const out = await sharp(Buffer.from(mask.data.buffer, mask.data.byteOffset, mask.data.length), {
    raw: { width: mask.width, height: mask.height, channels: 1 },
  })
    .blur(Math.max(0.3, radius))
    .raw()
    .toBuffer();
  return {
    width: mask.width,
    height: mask.height,
    data: new Uint8Array(out.buffer, out.byteOffset, out.length),
  };
}

/** Encodes RGB to PNG, optionally with an A1111 `parameters` text chunk. */
export async function encodePng(img: RgbImage, parameters?: string): Promise<Uint8Array> {
  const buf = await sharp(Buffer.from(img.data.buffer, img.data.byteOffset, img.data.length), {
    raw: { width: img.width, height: img.height, channels: 3 },
  })
    .png({ compressionLevel: 6 })
    .toBuffer();
  const png = new Uint8Array(buf.buffer, buf.byteOffset, buf.length);
  return parameters === undefined ? png : withTextChunk(png, 'parameters', parameters);
}

/** Extends the canvas by margins, filling them by repeating the edge pixels (the outpaint starting point). */
export async function extendImage(
  img: RgbImage,
  m: { left: number; right: number; top: number; bottom: number },
): Promise<RgbImage> {
  const out = await sharp(Buffer.from(img.data.buffer, img.data.byteOffset, img.data.length), {
    raw: { width: img.width, height: img.height, channels: 3 },
  })
    .extend({ ...m, extendWith: 'copy' })
    .raw()
    .toBuffer({ resolveWithObject: true });
  return {
    width: out.info.width,
    height: out.info.height,
    data: new Uint8Array(out.data.buffer, out.data.byteOffset, out.data.length),
  };
}
