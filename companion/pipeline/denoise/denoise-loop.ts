// The denoising loop, written out as numbered steps like diffusers' pipeline_onnx_stable_diffusion.py and
// StableDiffusionInpaintPipeline. It receives its engine (`run(name, feeds)`), scheduler and noise source as
// parameters, so it runs against ORT or a fake UNet alike. Must not draw randomness of its own, touch files
// or know about PNGs.

import type { UnetContract } from '../model/model-contract.js';
import { CancelledError } from '../pipeline-errors.js';
import { type Engine, type FeedTensor, type HostTensor, isDeviceTensor } from '../runtime/engine.js';
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

/**
 * UNet inputs that stay the same across steps (text conditioning, SDXL pooled embeds and time ids), uploaded to
 * the device once per job when the engine can (WebGPU) and fed from there to every step. Without `toDevice`
 * the host tensor is built per call as before.
 */
class StepConstants {
  private ids = new WeakMap<object, number>();
  private nextId = 1;
  private cache = new Map<string, Promise<FeedTensor>>();
  constructor(private readonly engine: Engine) {}

  id(o: object): number {
    let v = this.ids.get(o);
    if (v === undefined) {
      v = this.nextId++;
      this.ids.set(o, v);
    }
    return v;
  }

  get(key: string, make: () => HostTensor): Promise<FeedTensor> {
    const engine = this.engine;
    if (!engine.toDevice) return Promise.resolve(make());
    let t = this.cache.get(key);
    if (!t) {
      const host = make();
      t = engine.toDevice('unet', host).then((dev) => dev ?? host);
      this.cache.set(key, t);
    }
    return t;
  }

  async dispose(): Promise<void> {
    for (const t of this.cache.values()) {
      const v = await t.catch(() => undefined);
      if (v && isDeviceTensor(v)) v.dispose();
    }
    this.cache.clear();
  }
}

/** Feeds for one UNet call on `batch` rows built from `conds` (each row's conditioning repeated `perCond`). */
async function unetFeeds(
  p: DenoiseParams,
  consts: StepConstants,
  sample: Float32Array,
  batch: number,
  timestep: number,
  conds: Conditioning[],
  perCond: number,
  extra: Float32Array | undefined,
): Promise<Record<string, FeedTensor>> {
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
  const condKey = `${conds.map((c) => consts.id(c)).join(',')}x${perCond}`;
  const feeds: Record<string, FeedTensor> = {
    [u.sample.name]: castFloat(input, [batch, u.inChannels, h, w], u.sample.type),
    [u.hiddenStates.name]: await consts.get(`hidden:${condKey}`, () =>
      castFloat(
        concat(conds.map((c) => repeat(c.hidden, perCond))),
        [batch, seqLen, dim],
        u.hiddenStates.type,
      ),
    ),
    // Rank-0 (optimum >= 1.24) or shape (1,): the graph broadcasts the timestep over the batch.
    [u.timestep.name]: castFloat(
      Float32Array.of(timestep),
      u.timestep.shape.length === 0 ? [] : [1],
      u.timestep.type,
    ),
  };
  if (u.textEmbeds) {
    const embeds = u.textEmbeds;
    const pooled = conds.map((c) => {
      if (!c.pooled) throw new Error('SDXL UNet needs pooled text embeds');
      return repeat(c.pooled, perCond);
    });
    const pooledDim = conds[0].pooled!.length;
    feeds[embeds.name] = await consts.get(`pooled:${condKey}`, () =>
      castFloat(concat(pooled), [batch, pooledDim], embeds.type),
    );
  }
  if (u.timeIds) {
    const ids = u.timeIds;
    const timeIds = p.timeIds;
    if (!timeIds) throw new Error('SDXL UNet needs time_ids');
    feeds[ids.name] = await consts.get(`timeIds:${batch}`, () =>
      castFloat(repeat(timeIds, batch), [batch, timeIds.length], ids.type),
    );
  }
  return feeds;
}

async function runUnet(p: DenoiseParams, feeds: Record<string, FeedTensor>): Promise<Float32Array> {
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
  const consts = new StepConstants(p.engine);
  try {
    return await denoiseSteps(p, consts);
  } finally {
    await consts.dispose();
  }
}

async function denoiseSteps(p: DenoiseParams, consts: StepConstants): Promise<Float32Array> {
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
      eps = await runUnet(p, await unetFeeds(p, consts, scaled, batch, t, [cond.cond], batch, extraOne));
    } else {
      if (!cond.uncond) throw new Error('CFG needs unconditional embeddings');
      let uncondOut: Float32Array;
      let condOut: Float32Array;
      if (batched) {
        const both = await runUnet(
          p,
          await unetFeeds(
            p,
            consts,
            concat([scaled, scaled]),
            batch * 2,
            t,
            [cond.uncond, cond.cond],
            batch,
            extraCfg,
          ),
        );
        uncondOut = both.subarray(0, sampleLen);
        condOut = both.subarray(sampleLen);
      } else {
        uncondOut = await runUnet(
          p,
          await unetFeeds(p, consts, scaled, batch, t, [cond.uncond], batch, extraOne),
        );
        condOut = await runUnet(
          p,
          await unetFeeds(p, consts, scaled, batch, t, [cond.cond], batch, extraOne),
        );
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
