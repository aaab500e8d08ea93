// One generation on a loaded model, in diffusers' order of operations (StableDiffusionPipeline, Img2Img,
// Inpaint, XL) so that a seed gives diffusers' images: every random draw comes from one TorchGenerator
// per denoise batch, in diffusers' call order. Works on tensors: decoding/encoding PNGs, masks blur,
// "only masked" crops and outpaint canvases are done by the caller (pipeline-service.ts).
import type { PromptPiece } from '../../shared/prompt/prompt-chunks.js';
import type { Conditioning, ConditioningSchedule } from './denoise/conditioning.js';
import { denoise, type InpaintGuide, type StepEvent } from './denoise/denoise-loop.js';
import type { LoadedModel } from './model/loaded-model.js';
import { maskedImage, nearestDownsample, repeatBatch } from './modes/image-tensors.js';
import { CancelledError } from './pipeline-errors.js';
import { TorchGenerator } from './rng/torch-generator.js';
import { createScheduler } from './schedulers/create-scheduler.js';
import type { NoiseSource, SamplerId, SchedulerConfig } from './schedulers/types.js';
import { encodePieces, zerosLike } from './text/text-encoder.js';
import { decodeLatents, encodeImage, type VaeOptions } from './vae/vae.js';

export interface PromptSource {
  /** Pieces per user-visible step (prompt editing / alternation) or one list for all steps. */
  positive: (step: number, steps: number) => readonly PromptPiece[];
  negative: (step: number, steps: number) => readonly PromptPiece[];
  /** The negative prompt text was empty (SDXL conditions on zeros then). */
  negativeEmpty: boolean;
}

export interface GenerationJob {
  mode: 'txt2img' | 'img2img' | 'inpaint';
  prompt: PromptSource;
  sampler: SamplerId;
  steps: number;
  cfg: number;
  width: number;
  height: number;
  strength: number;
  seed: number;
  /** Images denoised together from one generator (diffusers' num_images_per_prompt). */
  batchSize: number;
  /** (1,3,H,W) in [-1,1]. */
  initImage?: Float32Array;
  /** (1,1,H,W) in [0,1], white = repaint (binarized here, as diffusers). */
  mask?: Float32Array;
  /** Initial noise (B,4,h,w) before * init_noise_sigma (diffusers' `latents=`): the generator is then not drawn for it. */
  latents?: Float32Array;
  schedulerOverrides?: Partial<SchedulerConfig>;
  /**
   * Source of the draws made inside the denoising loop (ancestral/SDE noise). Default: the job's
   * seeded generator, as diffusers does. Tests replay recorded draws through it.
   */
  stepNoise?: NoiseSource;
  cfgMode?: 'auto' | 'batched' | 'separate';
  /** Latent tile side for VAE tiling (0: never tile). */
  vaeTileLatent?: number;
  /**
   * SDXL size conditioning (`add_time_ids`): original size, crop top-left, target size in pixels. Missing
   * values take diffusers' defaults: original = target = (height, width), crop (0, 0).
   */
  sizeConditioning?: SizeConditioning;
  /**
   * Decodes one image's final latents (1,4,h,w) to (1,3,H,W) in [0,1] instead of the model's VAE
   * (the tiny autoencoder of `quality: 'fast'`).
   */
  decode?: (latents: Float32Array, h: number, w: number) => Promise<Float32Array>;
  onStep?: (e: StepEvent) => void;
  isCancelled?: () => boolean;
}

export interface SizeConditioning {
  originalWidth?: number;
  originalHeight?: number;
  cropTop?: number;
  cropLeft?: number;
  targetWidth?: number;
  targetHeight?: number;
}

/** diffusers' `_get_add_time_ids`: (original_size + crops_coords_top_left + target_size), (h, w) order. */
export function sdxlTimeIds(width: number, height: number, c: SizeConditioning = {}): Float32Array {
  return Float32Array.of(
    c.originalHeight ?? height,
    c.originalWidth ?? width,
    c.cropTop ?? 0,
    c.cropLeft ?? 0,
    c.targetHeight ?? height,
    c.targetWidth ?? width,
  );
}

export interface GenerationResult {
  /** (B,3,H,W) in [0,1]. */
  images: Float32Array;
  latents: Float32Array;
  shape: [number, number, number, number];
  /** Why the result might not reproduce from the seed, etc. */
  notes: string[];
  timings: { textMs: number; denoiseMs: number; decodeMs: number; encodeMs: number };
}

/** Scheduler config keys implied by the family (Turbo models sample with trailing spacing). */
export function familySchedulerDefaults(model: LoadedModel): Partial<SchedulerConfig> {
  const f = model.contract.family;
  if (
    (f === 'sd-turbo' || f === 'sdxl-turbo') &&
    model.layout.schedulerConfig.timestep_spacing === undefined
  ) {
    return { timestep_spacing: 'trailing' };
  }
  return {};
}

function sameKey(a: readonly PromptPiece[], b: readonly PromptPiece[]): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** Encodes the prompt once per distinct piece list; cond and uncond padded to the same chunk count. */
async function conditioningSchedule(
  model: LoadedModel,
  job: GenerationJob,
  visibleSteps: number,
): Promise<ConditioningSchedule> {
  const doCfg = job.cfg > 1;
  const xlZeros = model.layout.forceZerosForEmptyPrompt && job.prompt.negativeEmpty;
  const cache: {
    pos: readonly PromptPiece[];
    neg: readonly PromptPiece[];
    c: Conditioning;
    u?: Conditioning;
  }[] = [];
  const perStep: { cond: Conditioning; uncond?: Conditioning }[] = [];
  for (let s = 0; s < visibleSteps; s++) {
    const pos = job.prompt.positive(s, visibleSteps);
    const neg = job.prompt.negative(s, visibleSteps);
    let hit = cache.find((e) => sameKey(e.pos, pos) && (!doCfg || sameKey(e.neg, neg)));
    if (!hit) {
      let c = await encodePieces(model.text, pos);
      let u: Conditioning | undefined;
      if (doCfg) {
        if (xlZeros) u = zerosLike(c);
        else {
          const enc = await encodePieces(model.text, neg, c.chunks);
          if (enc.chunks > c.chunks) c = await encodePieces(model.text, pos, enc.chunks);
          u = enc;
        }
      }
      hit = { pos, neg, c, ...(u ? { u } : {}) };
      cache.push(hit);
    }
    perStep.push(hit.u ? { cond: hit.c, uncond: hit.u } : { cond: hit.c });
  }
  return (step) => perStep[Math.min(step, perStep.length - 1)];
}

export async function generateImages(model: LoadedModel, job: GenerationJob): Promise<GenerationResult> {
  const notes: string[] = [];
  const f = model.layout.vaeScaleFactor;
  const h = job.height / f;
  const w = job.width / f;
  const B = job.batchSize;
  const shape: [number, number, number, number] = [B, 4, h, w];
  const vae: VaeOptions = {
    engine: model.engine,
    contract: model.contract.vae,
    scalingFactor: model.layout.scalingFactor,
    scaleFactor: f,
    tileLatent: job.vaeTileLatent ?? 0,
  };
  const timings = { textMs: 0, denoiseMs: 0, decodeMs: 0, encodeMs: 0 };

  // 1. generator and scheduler (model config + family defaults + request overrides)
  const generator = new TorchGenerator(job.seed);
  const config = {
    ...(model.layout.schedulerConfig as Partial<SchedulerConfig>),
    ...familySchedulerDefaults(model),
    ...job.schedulerOverrides,
  };
  const strength = job.mode === 'txt2img' ? 1 : job.strength;
  const scheduler = createScheduler(job.sampler, config, job.steps, { strength });
  if (scheduler.beginIndex >= scheduler.timesteps.length) {
    throw new Error(`strength ${job.strength} leaves no denoising steps out of ${job.steps}`);
  }

  // 2. text conditioning (per visible step for prompt editing)
  let t0 = performance.now();
  const conditioning = await conditioningSchedule(model, job, scheduler.steps);
  timings.textMs = performance.now() - t0;

  // 3. initial latents, in diffusers' draw order per mode
  t0 = performance.now();
  let latents: Float32Array;
  let inpaint: InpaintGuide | undefined;
  const encode = async (image: Float32Array) => {
    const r = await encodeImage(vae, image, job.height, job.width, generator);
    if (!r.seeded && !notes.includes(UNSEEDED_NOTE)) notes.push(UNSEEDED_NOTE);
    return r.latents;
  };
  const initialNoise = () => job.latents ?? generator.randn([...shape]);
  if (job.mode === 'txt2img') {
    const noise = initialNoise();
    latents = scale(noise, scheduler.initNoiseSigma);
  } else if (job.mode === 'img2img') {
    if (!job.initImage) throw new Error('img2img needs an init image');
    const init = repeatBatch(await encode(job.initImage), B);
    const noise = initialNoise();
    latents = scheduler.addNoise(init, noise, scheduler.beginIndex);
  } else {
    if (!job.initImage || !job.mask) throw new Error('inpaint needs an init image and a mask');
    const nine = model.contract.inpainting;
    const strengthMax = strength >= 1;
    let imageLatents: Float32Array | undefined;
    if (!nine || !strengthMax) imageLatents = repeatBatch(await encode(job.initImage), B);
    const noise = initialNoise();
    latents = strengthMax
      ? scale(noise, scheduler.initNoiseSigma)
      : scheduler.addNoise(imageLatents!, noise, scheduler.beginIndex);
    const binary = job.mask.map((v) => (v < 0.5 ? 0 : 1));
    const maskedLatents = repeatBatch(await encode(maskedImage(job.initImage, binary)), B);
    const maskLatent = repeatBatch(nearestDownsample(binary, job.width, job.height, w, h), B);
    inpaint = nine
      ? { kind: 'channels', mask: maskLatent, maskedImageLatents: maskedLatents }
      : { kind: 'blend', mask: maskLatent, imageLatents: imageLatents!, noise };
  }
  timings.encodeMs = performance.now() - t0;

  // 4. denoise
  t0 = performance.now();
  const timeIds = model.contract.unet.timeIds
    ? sdxlTimeIds(job.width, job.height, job.sizeConditioning)
    : undefined;
  const final = await denoise({
    engine: model.engine,
    unet: model.contract.unet,
    scheduler,
    noise: job.stepNoise ?? generator,
    latents,
    shape,
    conditioning,
    guidance: job.cfg,
    ...(timeIds ? { timeIds } : {}),
    ...(inpaint ? { inpaint } : {}),
    ...(job.cfgMode ? { cfgMode: job.cfgMode } : {}),
    ...(job.onStep ? { onStep: job.onStep } : {}),
    ...(job.isCancelled ? { isCancelled: job.isCancelled } : {}),
  });
  timings.denoiseMs = performance.now() - t0;

  // 5. decode each image (batch 1: lower peak memory, same numbers)
  t0 = performance.now();
  const per = 4 * h * w;
  const images = new Float32Array(B * 3 * job.width * job.height);
  for (let b = 0; b < B; b++) {
    if (job.isCancelled?.()) throw new CancelledError('before VAE decode');
    const one = final.subarray(b * per, (b + 1) * per);
    const img = job.decode ? await job.decode(one, h, w) : await decodeLatents(vae, one, h, w);
    images.set(img, b * img.length);
  }
  timings.decodeMs = performance.now() - t0;
  return { images, latents: final, shape, notes, timings };
}

export const UNSEEDED_NOTE =
  'this model’s VAE encoder samples inside the graph (latent_sample output): img2img/inpaint results cannot be reproduced from the seed';

function scale(x: Float32Array, s: number): Float32Array {
  if (s === 1) return x;
  const out = new Float32Array(x.length);
  const sf = Math.fround(s);
  for (let i = 0; i < x.length; i++) out[i] = x[i] * sf;
  return out;
}
