// Tiny autoencoder decode (TAESD / TAESDXL, madebyollin/taesd) for `quality: 'fast'`.
//
// Contract, as implemented here:
//   Input: the latents the denoise loop ends with — the SD latent space *already scaled* by the VAE's
//     scaling_factor (0.18215 / 0.13025). TAESD was distilled on those, so its latent "scale factor" is 1:
//     the latents are NOT divided by the model's scaling factor (the full VAE path does divide). A diffusers
//     AutoencoderTiny config.json may carry its own `scaling_factor` (1.0 in the published ones); the
//     latents are divided by that, as diffusers' pipelines do (`latents / vae.config.scaling_factor`).
//   Output range, which differs between exports:
//     - madebyollin's original Decoder ends in a conv: the image is in [0, 1] (callers clamp(0, 1)).
//     - diffusers' AutoencoderTiny (and exports of it through optimum) maps that to [-1, 1]
//       (`decode()` applies `mul(2).sub(1)`), like the full VAE.
//   Detected per folder, first match wins:
//     1. config.json `"stipple_output_range": "0..1" | "-1..1"` (explicit, for exports that need it);
//     2. config.json `"_class_name": "AutoencoderTiny"` → [-1, 1];
//     3. the ONNX output is named `sample` (the diffusers/optimum VAE-decoder naming) → [-1, 1];
//     4. otherwise → [0, 1] (madebyollin's own export convention).
//   The note returned with each decode names the range used and why.
//   Spatial scale: the decoder must upsample by the model's VAE scale factor (8 for real models); a
//   mismatch is refused before use, so a TAESD for another latent layout never runs.
import { existsSync, readFileSync, realpathSync, statSync } from 'node:fs';
import path from 'node:path';
import type { PreviewImage } from '../denoise/latent-preview.js';
import type { Engine, IoInfo } from '../runtime/engine.js';
import { castFloat, toFloat32 } from '../runtime/tensor-cast.js';
import { tiled } from './vae.js';

export const TINY_COMPONENT = 'vae_decoder_tiny';

export type TinyOutputRange = '0..1' | '-1..1';

export interface TinyDecoderFile {
  /** The .onnx file. */
  file: string;
  /** Where it came from, for notes: the model folder's own, or an installed tiny autoencoder model. */
  source: 'model' | 'installed';
  config: Record<string, unknown>;
}

export interface TinyDecoderContract {
  input: IoInfo;
  output: string;
  range: TinyOutputRange;
  /** Why `range` was chosen (for the job's notes). */
  rangeReason: string;
  /** Latents are divided by this before decoding (1 for TAESD). */
  latentScale: number;
}

function readConfig(folder: string): Record<string, unknown> {
  const f = path.join(folder, 'config.json');
  if (!existsSync(f)) return {};
  try {
    return JSON.parse(readFileSync(f, 'utf8')) as Record<string, unknown>;
  } catch {
    return {};
  }
}

function onnxIn(root: string, sub: string): string | undefined {
  const f = path.join(root, sub, 'model.onnx');
  if (!existsSync(f) || !statSync(f).isFile()) return undefined;
  const realRoot = realpathSync(root);
  const real = realpathSync(f);
  // Same rule as model folders: model files never load from outside their folder.
  return real.startsWith(realRoot + path.sep) ? real : undefined;
}

/**
 * The tiny decoder for a job: `<modelDir>/vae_decoder_tiny/model.onnx` first, else the installed tiny
 * autoencoder folder's `vae_decoder/model.onnx` (the deinferno/taesd-onnx layout). Undefined when neither.
 */
export function findTinyDecoder(modelDir: string, installedDir?: string): TinyDecoderFile | undefined {
  const own = onnxIn(modelDir, TINY_COMPONENT);
  if (own) return { file: own, source: 'model', config: readConfig(path.dirname(own)) };
  if (installedDir && existsSync(installedDir)) {
    const f = onnxIn(installedDir, 'vae_decoder');
    if (f) return { file: f, source: 'installed', config: readConfig(path.dirname(f)) };
  }
  return undefined;
}

/** Reads the I/O contract of a loaded tiny decoder session (see the header for the range rules). */
export function tinyDecoderContract(
  engine: Engine,
  config: Record<string, unknown>,
  component = TINY_COMPONENT,
): TinyDecoderContract {
  const info = engine.info(component);
  const input = info.inputs[0];
  const output = info.outputs[0];
  if (!input || !output || info.inputs.length !== 1) {
    throw new Error(
      `tiny decoder must have one latent input and an image output (has inputs ${info.inputs.map((i) => i.name).join(', ')})`,
    );
  }
  if (input.shape.length !== 4 || (typeof input.shape[1] === 'number' && input.shape[1] !== 4)) {
    throw new Error(`tiny decoder input ${input.name} must be (B,4,h,w), is [${input.shape}]`);
  }
  let range: TinyOutputRange;
  let rangeReason: string;
  const declared = config.stipple_output_range;
  if (declared === '0..1' || declared === '-1..1') {
    range = declared;
    rangeReason = 'declared in config.json (stipple_output_range)';
  } else if (config._class_name === 'AutoencoderTiny') {
    range = '-1..1';
    rangeReason = 'diffusers AutoencoderTiny config';
  } else if (output.name === 'sample') {
    range = '-1..1';
    rangeReason = 'output named `sample` (diffusers/optimum export)';
  } else {
    range = '0..1';
    rangeReason = `output named \`${output.name}\` (original TAESD convention)`;
  }
  const sf = config.scaling_factor;
  const latentScale = typeof sf === 'number' && sf > 0 ? sf : 1;
  return { input, output: output.name, range, rangeReason, latentScale };
}

export interface TinyDecodeOptions {
  engine: Engine;
  contract: TinyDecoderContract;
  /** Pixels per latent the model's VAE uses (the tiny decoder must match it). */
  scaleFactor: number;
  /** Latent tile side above which decode tiles (0: never). */
  tileLatent?: number;
  component?: string;
}

/** Latents (1,4,h,w), as the denoise loop returns them -> image (1,3,H,W) in [0,1]. */
export async function decodeTiny(
  o: TinyDecodeOptions,
  latents: Float32Array,
  h: number,
  w: number,
): Promise<Float32Array> {
  const c = o.contract;
  const component = o.component ?? TINY_COMPONENT;
  const input = new Float32Array(latents.length);
  const inv = 1 / c.latentScale;
  for (let i = 0; i < latents.length; i++) input[i] = c.latentScale === 1 ? latents[i] : latents[i] * inv;
  const f = o.scaleFactor;
  const run = async (data: Float32Array, shape: [number, number, number, number]) => {
    const out = await o.engine.run(component, { [c.input.name]: castFloat(data, shape, c.input.type) });
    const t = out[c.output];
    const [, ch, oh, ow] = t.dims;
    if (ch !== 3 || oh !== shape[2] * f || ow !== shape[3] * f) {
      throw new Error(
        `tiny decoder returned [${t.dims}] for latents [${shape}]: it must upsample by ${f} to 3 channels (model VAE scale)`,
      );
    }
    return toFloat32(t);
  };
  const tile = o.tileLatent ?? 0;
  const raw =
    tile > 0 && (h > tile || w > tile)
      ? await tiled(input, [1, 4, h, w], 3, f, tile, Math.floor(tile / 4), run)
      : await run(input, [1, 4, h, w]);
  const img = new Float32Array(raw.length);
  const signed = c.range === '-1..1';
  for (let i = 0; i < raw.length; i++) {
    const v = signed ? raw[i] / 2 + 0.5 : raw[i];
    img[i] = Math.min(Math.max(v, 0), 1);
  }
  return img;
}

/** Longest side of a TAESD preview sent with progress (full-size previews would be large PNGs each step). */
export const TINY_PREVIEW_MAX_SIDE = 256;

/**
 * Decodes previews with the tiny autoencoder without holding up the denoise loop: at most one decode in
 * flight (a step that comes while one runs does not queue another), the newest finished image is handed
 * out once. A failure turns TAESD previews off for the job.
 */
export class TinyPreviews {
  private running = false;
  private ready: PreviewImage | undefined;
  private failed = false;

  constructor(
    private readonly latentH: number,
    private readonly latentW: number,
    /** Pixels per latent (the VAE scale factor). */
    private readonly scale: number,
    private readonly onError: (err: Error) => void,
  ) {}

  start(
    latents: Float32Array,
    decode: (l: Float32Array, h: number, w: number) => Promise<Float32Array>,
  ): void {
    if (this.running || this.failed) return;
    this.running = true;
    // The loop reuses its buffers: decode a copy.
    void decode(Float32Array.from(latents), this.latentH, this.latentW)
      .then((img) => {
        this.ready = previewFromImage(img, this.latentH * this.scale, this.latentW * this.scale);
      })
      .catch((err: Error) => {
        this.failed = true;
        this.onError(err);
      })
      .finally(() => {
        this.running = false;
      });
  }

  take(): PreviewImage | undefined {
    const p = this.ready;
    this.ready = undefined;
    return p;
  }
}

/** A (1,3,H,W) image in [0,1] as a packed-RGB preview, box-downscaled so its longest side is at most 256. */
export function previewFromImage(img: Float32Array, H: number, W: number): PreviewImage {
  const step = Math.max(1, Math.ceil(Math.max(H, W) / TINY_PREVIEW_MAX_SIDE));
  const h = Math.floor(H / step);
  const w = Math.floor(W / step);
  const rgb = new Uint8Array(h * w * 3);
  const plane = H * W;
  const n = step * step;
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++)
      for (let c = 0; c < 3; c++) {
        let sum = 0;
        for (let dy = 0; dy < step; dy++)
          for (let dx = 0; dx < step; dx++) sum += img[c * plane + (y * step + dy) * W + x * step + dx];
        rgb[(y * w + x) * 3 + c] = Math.round(Math.min(Math.max(sum / n, 0), 1) * 255);
      }
  return { width: w, height: h, rgb };
}
