// The denoising loop, written out as numbered steps like diffusers' pipeline_onnx_stable_diffusion.py and
// StableDiffusionInpaintPipeline. It receives its engine (`run(name, feeds)`), scheduler and noise source as
// parameters, so it runs against ORT or a fake UNet alike. Must not draw randomness of its own, touch files
// or know about PNGs.

import type { UnetContract } from '../model/model-contract.js';
import { CancelledError } from '../pipeline-errors.js';
import type { Engine, HostTensor } from '../runtime/engine.js';
import { castFloat, toFloat32 } from '../runtime/tensor-cast.js';
import type { NoiseSource, Scheduler } from '../schedulers/types.js';
import type { Conditioning, ConditioningSchedule } from './conditioning.js';

export type InpaintGuide =
  /** 9-channel inpainting UNet: extra input channels [mask(1), masked_image_latents(4)], (B,·,h,w). */
  | { kind: 'channels'; mask: Float32Array; maskedImageLatents: Float32Array }
  /** Ordinary UNet: after each step, unmasked latents are replaced by the re-noised image latents. */
  | { kind: 'blend'; mask: Float32Array; imageLatents: Float32Array; noise: Float32Array };

export interface StepEvent {
  /** 0-based user-visible step within this run. */
  step: number;
  steps: number;
  latents: Float32Array;
  /** The model's estimate of the clean latent, when the sampler reports one (better previews). */
  denoised?: Float32Array;
}

export interface DenoiseParams {
  engine: Engine;
  unet: UnetContract;
  scheduler: Scheduler;
  noise: NoiseSource;
  /** (B, 4, h, w) starting latents, already scaled / re-noised for the first evaluation. */
  latents: Float32Array;
  shape: readonly [number, number, number, number];
  conditioning: ConditioningSchedule;
  guidance: number;
  /** SDXL `time_ids` for one image (6 values). */
  timeIds?: Float32Array;
  inpaint?: InpaintGuide;
  /** 'auto': one batch-2 call when the UNet's batch axis is dynamic, else two calls. */
  cfgMode?: 'auto' | 'batched' | 'separate';
  onStep?: (e: StepEvent) => void;
  isCancelled?: () => boolean;
}

function repeat(src: Float32Array, times: number): Float32Array {
  if (times === 1) return src;
  const out = new Float32Array(src.length * times);
  for (let i = 0; i < times; i++) out.set(src, i * src.length);
  return out;
}

function concat(parts: Float32Array[]): Float32Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Float32Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** cat([a, b, c], dim=1) for NCHW tensors with per-tensor channel counts. */
function catChannels(
  parts: { data: Float32Array; channels: number }[],
  batch: number,
  plane: number,
): Float32Array {
  const total = parts.reduce((s, p) => s + p.channels, 0);
  const out = new Float32Array(batch * total * plane);
  for (let b = 0; b < batch; b++) {
    let c0 = 0;
    for (const p of parts) {
      const len = p.channels * plane;
      out.set(p.data.subarray(b * len, (b + 1) * len), (b * total + c0) * plane);
      c0 += p.channels;
    }
  }
  return out;
}

/** Feeds for one UNet call on `batch` rows built from `conds` (each row's conditioning repeated `perCond`). */
function unetFeeds(
  p: DenoiseParams,
  sample: Float32Array,
  batch: number,
  timestep: number,
  conds: Conditioning[],
  perCond: number,
  extra: Float32Array | undefined,
): Record<string, HostTensor> {
  const [, , h, w] = p.shape;
  const u = p.unet;
  const input = extra
    ? catChannels(
        [
          { data: sample, channels: 4 },
          { data: extra, channels: u.inChannels - 4 },
        ],
        batch,
        h * w,
      )
    : sample;
  const { seqLen, dim } = conds[0];
  const feeds: Record<string, HostTensor> = {
    [u.sample.name]: castFloat(input, [batch, u.inChannels, h, w], u.sample.type),
    [u.hiddenStates.name]: castFloat(
      concat(conds.map((c) => repeat(c.hidden, perCond))),
      [batch, seqLen, dim],
      u.hiddenStates.type,
    ),
    // Rank-0 (optimum >= 1.24) or shape (1,): the graph broadcasts the timestep over the batch.
    [u.timestep.name]: castFloat(
      Float32Array.of(timestep),
      u.timestep.shape.length === 0 ? [] : [1],
      u.timestep.type,
    ),
  };
  if (u.textEmbeds) {
    const pooled = conds.map((c) => {
      if (!c.pooled) throw new Error('SDXL UNet needs pooled text embeds');
      return repeat(c.pooled, perCond);
    });
    const pooledDim = conds[0].pooled!.length;
    feeds[u.textEmbeds.name] = castFloat(concat(pooled), [batch, pooledDim], u.textEmbeds.type);
  }
  if (u.timeIds) {
    if (!p.timeIds) throw new Error('SDXL UNet needs time_ids');
    feeds[u.timeIds.name] = castFloat(repeat(p.timeIds, batch), [batch, p.timeIds.length], u.timeIds.type);
  }
  return feeds;
}

async function runUnet(p: DenoiseParams, feeds: Record<string, HostTensor>): Promise<Float32Array> {
  const out = await p.engine.run('unet', feeds);
  return toFloat32(out[p.unet.output]);
}

/** Extra (mask, masked-image) channels for `rows` rows: the per-image tensors, repeated for CFG halves. */
function extraChannels(p: DenoiseParams, halves: number): Float32Array | undefined {
  if (p.inpaint?.kind !== 'channels') return undefined;
  const [b, , h, w] = p.shape;
  const plane = h * w;
  const one = catChannels(
    [
      { data: p.inpaint.mask, channels: 1 },
      { data: p.inpaint.maskedImageLatents, channels: 4 },
    ],
    b,
    plane,
  );
  return repeat(one, halves);
}

export async function denoise(p: DenoiseParams): Promise<Float32Array> {
  const { scheduler, shape } = p;
  const [batch] = shape;
  const sampleLen = p.latents.length;
  const doCfg = p.guidance > 1;
  const batched = doCfg && (p.cfgMode === 'batched' || (p.cfgMode !== 'separate' && p.unet.batchDynamic));
  const extraCfg = extraChannels(p, 2);
  const extraOne = extraChannels(p, 1);
  let latents = p.latents;
  const first = scheduler.beginIndex;
  const total = scheduler.timesteps.length;

  for (let i = first; i < total; i++) {
    // 1. cancellation is checked between model evaluations
    if (p.isCancelled?.()) throw new CancelledError(`before step ${scheduler.stepOf(i) + 1}`);
    const t = scheduler.timesteps[i];
    const stepIndex = scheduler.stepOf(i);
    const cond = p.conditioning(stepIndex);

    // 2. scale the model input (sigma scaling for k-samplers)
    const scaled = scheduler.scaleModelInput(latents, i);

    // 3. predict the noise residual; CFG batch order is [uncond, cond]
    let eps: Float32Array;
    if (!doCfg) {
      eps = await runUnet(p, unetFeeds(p, scaled, batch, t, [cond.cond], batch, extraOne));
    } else {
      if (!cond.uncond) throw new Error('CFG needs unconditional embeddings');
      let uncondOut: Float32Array;
      let condOut: Float32Array;
      if (batched) {
        const both = await runUnet(
          p,
          unetFeeds(p, concat([scaled, scaled]), batch * 2, t, [cond.uncond, cond.cond], batch, extraCfg),
        );
        uncondOut = both.subarray(0, sampleLen);
        condOut = both.subarray(sampleLen);
      } else {
        uncondOut = await runUnet(p, unetFeeds(p, scaled, batch, t, [cond.uncond], batch, extraOne));
        condOut = await runUnet(p, unetFeeds(p, scaled, batch, t, [cond.cond], batch, extraOne));
      }
      // 4. guidance: eps = uncond + g * (cond - uncond), in float32 as torch does
      const g = Math.fround(p.guidance);
      eps = new Float32Array(sampleLen);
      for (let k = 0; k < sampleLen; k++) {
        const u = uncondOut[k];
        eps[k] = u + Math.fround(g * Math.fround(condOut[k] - u));
      }
    }

    // 5. scheduler step (ancestral samplers draw from the job's generator here)
    const out = scheduler.step(eps, i, latents, p.noise, [...shape]);
    latents = out.prevSample;

    // 6. ordinary-UNet inpainting: keep the known region at the next noise level
    if (p.inpaint?.kind === 'blend') {
      const { mask, imageLatents, noise } = p.inpaint;
      const proper = i + 1 < total ? scheduler.addNoise(imageLatents, noise, i + 1) : imageLatents;
      const plane = shape[2] * shape[3];
      const blended = new Float32Array(sampleLen);
      for (let k = 0; k < sampleLen; k++) {
        const b = Math.floor(k / (shape[1] * plane));
        const m = mask[b * plane + (k % plane)];
        blended[k] = (1 - m) * proper[k] + m * latents[k];
      }
      latents = blended;
    }

    // 7. progress once per user-visible step
    if (i + 1 === total || scheduler.stepOf(i + 1) !== stepIndex) {
      p.onStep?.({ step: stepIndex, steps: scheduler.steps, latents, denoised: out.predOriginal });
    }
  }
  return latents;
}
