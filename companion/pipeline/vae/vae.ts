// VAE decode/encode with the model's scaling factor, tiled for large images so a 2048² result does not need
// the memory of an untiled pass. Tiles overlap and are blended with linear ramps, so no seams show.
// Encoders come in two contracts: `latent_parameters` (mean ‖ logvar, sampled here with the job's seeded
// generator in diffusers' draw order: reproducible) and `latent_sample` (sampled inside the graph: not).
import type { VaeContract } from '../model/model-contract.js';
import type { Engine } from '../runtime/engine.js';
import { castFloat, toFloat32 } from '../runtime/tensor-cast.js';
import type { NoiseSource } from '../schedulers/types.js';

export interface VaeOptions {
  engine: Engine;
  contract: VaeContract;
  /** 0.18215 (SD 1.x/2.x) or 0.13025 (SDXL). */
  scalingFactor: number;
  /** Pixels per latent (8 real, 2 tiny). */
  scaleFactor: number;
  /** Latent tile side above which decode/encode tile; 0 disables tiling. */
  tileLatent?: number;
  tileOverlapLatent?: number;
}

export interface Tile {
  y: number;
  x: number;
  h: number;
  w: number;
}

/** Tile origins covering `size` with tiles of `tile` overlapping by at least `overlap`; the last is flush. */
export function tileStarts(size: number, tile: number, overlap: number): number[] {
  if (size <= tile) return [0];
  const stride = Math.max(1, tile - overlap);
  const starts: number[] = [];
  for (let s = 0; s + tile < size; s += stride) starts.push(s);
  starts.push(size - tile);
  return starts;
}

export function planTiles(h: number, w: number, tile: number, overlap: number): Tile[] {
  const tiles: Tile[] = [];
  for (const y of tileStarts(h, tile, overlap))
    for (const x of tileStarts(w, tile, overlap))
      tiles.push({ y, x, h: Math.min(tile, h), w: Math.min(tile, w) });
  return tiles;
}

/** Blend weight of a tile pixel: ramps from the edges that touch a neighbour, 1 inside. */
function ramp(pos: number, len: number, ramp: number, atStart: boolean, atEnd: boolean): number {
  let w = 1;
  if (!atStart && ramp > 0) w = Math.min(w, (pos + 0.5) / ramp);
  if (!atEnd && ramp > 0) w = Math.min(w, (len - pos - 0.5) / ramp);
  return Math.max(w, 1e-4);
}

/**
 * Runs `fn` on overlapping tiles of a (1,C,H,W) input and blends the (1,C',H*f,W*f) outputs, f = outScale
 * (f < 1 for the encoder). `tile`/`overlap` are in input pixels.
 */
export async function tiled(
  input: Float32Array,
  shape: readonly [number, number, number, number],
  outChannels: number,
  outScale: number,
  tile: number,
  overlap: number,
  fn: (tileData: Float32Array, tileShape: [number, number, number, number]) => Promise<Float32Array>,
): Promise<Float32Array> {
  const [, c, h, w] = shape;
  const oh = Math.round(h * outScale);
  const ow = Math.round(w * outScale);
  const acc = new Float32Array(outChannels * oh * ow);
  const wsum = new Float32Array(oh * ow);
  for (const t of planTiles(h, w, tile, overlap)) {
    const part = new Float32Array(c * t.h * t.w);
    for (let ch = 0; ch < c; ch++)
      for (let y = 0; y < t.h; y++) {
        const src = ch * h * w + (t.y + y) * w + t.x;
        part.set(input.subarray(src, src + t.w), ch * t.h * t.w + y * t.w);
      }
    const out = await fn(part, [1, c, t.h, t.w]);
    const th = Math.round(t.h * outScale);
    const tw = Math.round(t.w * outScale);
    const oy = Math.round(t.y * outScale);
    const ox = Math.round(t.x * outScale);
    const r = overlap * outScale;
    for (let y = 0; y < th; y++) {
      const wy = ramp(y, th, r, t.y === 0, t.y + t.h >= h);
      for (let x = 0; x < tw; x++) {
        const wt = wy * ramp(x, tw, r, t.x === 0, t.x + t.w >= w);
        const o = (oy + y) * ow + ox + x;
        wsum[o] += wt;
        for (let ch = 0; ch < outChannels; ch++) acc[ch * oh * ow + o] += out[ch * th * tw + y * tw + x] * wt;
      }
    }
  }
  const plane = oh * ow;
  for (let ch = 0; ch < outChannels; ch++) for (let o = 0; o < plane; o++) acc[ch * plane + o] /= wsum[o];
  return acc;
}

/** Latents (1,4,h,w) -> image (1,3,H,W) in [0,1] (clamp(x/2+0.5)). */
export async function decodeLatents(
  o: VaeOptions,
  latents: Float32Array,
  h: number,
  w: number,
): Promise<Float32Array> {
  const sf = o.scalingFactor;
  const scaled = new Float32Array(latents.length);
  for (let i = 0; i < latents.length; i++) scaled[i] = latents[i] / sf;
  const run = async (data: Float32Array, shape: [number, number, number, number]) => {
    const out = await o.engine.run('vae_decoder', {
      [o.contract.decoderInput.name]: castFloat(data, shape, o.contract.decoderInput.type),
    });
    return toFloat32(out[o.contract.decoderOutput]);
  };
  const tile = o.tileLatent ?? 0;
  const raw =
    tile > 0 && (h > tile || w > tile)
      ? await tiled(
          scaled,
          [1, 4, h, w],
          3,
          o.scaleFactor,
          tile,
          o.tileOverlapLatent ?? Math.floor(tile / 4),
          run,
        )
      : await run(scaled, [1, 4, h, w]);
  const img = new Float32Array(raw.length);
  for (let i = 0; i < raw.length; i++) {
    const v = raw[i] / 2 + 0.5;
    img[i] = v < 0 ? 0 : v > 1 ? 1 : v;
  }
  return img;
}

export interface EncodeResult {
  latents: Float32Array;
  /** false when the export samples inside the graph (not reproducible from the seed). */
  seeded: boolean;
}

/**
 * Image (1,3,H,W) in [-1,1] -> scaled latents (1,4,H/f,W/f). With `latent_parameters` this is diffusers'
 * retrieve_latents(sample): scaling * (mean + exp(0.5*clamp(logvar,-30,20)) * randn(mean.shape, generator)).
 * With an in-graph sampler the same draw is still consumed, so later draws stay aligned with diffusers.
 */
export async function encodeImage(
  o: VaeOptions,
  image: Float32Array,
  height: number,
  width: number,
  noise: NoiseSource,
): Promise<EncodeResult> {
  const input = o.contract.encoderInput;
  const output = o.contract.encoderOutput;
  if (!input || !output) throw new Error('model has no vae_encoder');
  const outChannels = o.contract.encoderDeterministic ? 8 : 4;
  const run = async (data: Float32Array, shape: [number, number, number, number]) => {
    const out = await o.engine.run('vae_encoder', { [input.name]: castFloat(data, shape, input.type) });
    return toFloat32(out[output]);
  };
  const tileLatent = o.tileLatent ?? 0;
  const f = o.scaleFactor;
  const h = height / f;
  const w = width / f;
  const raw =
    tileLatent > 0 && (h > tileLatent || w > tileLatent)
      ? await tiled(
          image,
          [1, 3, height, width],
          outChannels,
          1 / f,
          tileLatent * f,
          (o.tileOverlapLatent ?? Math.floor(tileLatent / 4)) * f,
          run,
        )
      : await run(image, [1, 3, height, width]);
  const n = 4 * h * w;
  const draw = noise.randn([1, 4, h, w]);
  const sf = Math.fround(o.scalingFactor);
  const latents = new Float32Array(n);
  if (!o.contract.encoderDeterministic) {
    for (let i = 0; i < n; i++) latents[i] = raw[i] * sf;
    return { latents, seeded: false };
  }
  for (let i = 0; i < n; i++) {
    const mean = raw[i];
    let logvar = raw[n + i];
    logvar = logvar < -30 ? -30 : logvar > 20 ? 20 : logvar;
    const std = Math.fround(Math.exp(Math.fround(0.5 * logvar)));
    const x = Math.fround(mean + Math.fround(std * draw[i]));
    latents[i] = x * sf;
  }
  return { latents, seeded: true };
}
