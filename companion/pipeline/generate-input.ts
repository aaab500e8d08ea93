// The request the worker hands the pipeline (already schema-checked by the protocol layer, or built by the
// CLI), and the checks that run before any model work: each error names the field, the value and the rule.
import { Limits } from '../../shared/protocol/limits.js';
import { SAMPLER_IDS } from '../../shared/protocol/samplers.js';
import type { SizeConditioning } from './generate-images.js';
import type { SamplerId, SchedulerConfig } from './schedulers/types.js';

export type GenerateMode = 'txt2img' | 'img2img' | 'inpaint' | 'outpaint';

export interface OutpaintMargins {
  left: number;
  right: number;
  top: number;
  bottom: number;
}

export interface GenerateInput {
  mode: GenerateMode;
  prompt: string;
  negativePrompt: string;
  sampler: SamplerId;
  steps: number;
  cfg: number;
  /** -1 picks a random seed; image i of the batch uses seed + i. */
  seed: number;
  width: number;
  height: number;
  strength: number;
  /** Batch count: images generated one after another, each with its own generator. */
  batch: number;
  maskBlur: number;
  onlyMasked: boolean;
  onlyMaskedPadding: number;
  resizeMode: 'fit' | 'fill' | 'exact';
  outpaint?: OutpaintMargins;
  /** 'fast': tiny autoencoder decode when the model folder has one (vae_decoder_tiny/), else full. */
  quality: 'full' | 'fast';
  /** PNG/JPEG/WebP bytes. */
  initImage?: Uint8Array;
  mask?: Uint8Array;
  modelDir: string;
  modelName: string;
  /** Initial noise (before * init_noise_sigma), e.g. from `--latents file.npy`. */
  latents?: { data: Float32Array; shape: number[] };
  /** Scheduler config keys to override (e.g. timestep_spacing 'trailing' for a Turbo model not named so). */
  schedulerOverrides?: Partial<SchedulerConfig>;
  /** Send a preview every N steps (0: none). Default 1. */
  previewEvery?: number;
  /** LoRAs by store name (protocol) or file (CLI) with their weights; `<lora:name:w>` prompt tags add more. */
  loras?: { name?: string; file?: string; weight: number }[];
  /** Textual-inversion files (embeddings in the store folder load by themselves when their token is used). */
  embeddings?: string[];
  /** Another VAE: a folder with vae_decoder/ (and vae_encoder/). */
  vaeDir?: string;
  /**
   * quality 'fast' when the model folder has no vae_decoder_tiny/: a tiny autoencoder folder with
   * vae_decoder/model.onnx (the installed catalog `taesd`).
   */
  tinyDecoderDir?: string;
  /** SDXL size conditioning (time ids); ignored by models without `time_ids`. Defaults: diffusers'. */
  sdxl?: SizeConditioning;
}

export interface InputError {
  field: string;
  message: string;
}

function range(errors: InputError[], field: string, v: number, lo: number, hi: number, int = false): void {
  if (typeof v !== 'number' || Number.isNaN(v))
    errors.push({ field, message: `\`${field}\` must be a number, got ${v}` });
  else if (int && !Number.isInteger(v))
    errors.push({ field, message: `\`${field}\` must be an integer, got ${v}` });
  else if (v < lo || v > hi)
    errors.push({ field, message: `\`${field}\` must be between ${lo} and ${hi}, got ${v}` });
}

/** Every rule the request breaks (empty when valid). Image sizes are checked later, from their headers. */
export function validateGenerateInput(input: GenerateInput): InputError[] {
  const errors: InputError[] = [];
  if (!['txt2img', 'img2img', 'inpaint', 'outpaint'].includes(input.mode)) {
    errors.push({
      field: 'mode',
      message: `\`mode\` must be txt2img, img2img, inpaint or outpaint, got ${input.mode}`,
    });
  }
  if (!(SAMPLER_IDS as readonly string[]).includes(input.sampler)) {
    errors.push({
      field: 'sampler',
      message: `\`sampler\` must be one of ${SAMPLER_IDS.join(', ')}, got ${input.sampler}`,
    });
  }
  for (const field of ['width', 'height'] as const) {
    const v = input[field];
    if (!Number.isInteger(v) || v % Limits.sideMultiple !== 0) {
      errors.push({ field, message: `\`${field}\` must be a multiple of ${Limits.sideMultiple}, got ${v}` });
    } else if (v < Limits.minSide || v > Limits.maxSide) {
      errors.push({
        field,
        message: `\`${field}\` must be between ${Limits.minSide} and ${Limits.maxSide}, got ${v}`,
      });
    }
  }
  range(errors, 'steps', input.steps, Limits.minSteps, Limits.maxSteps, true);
  range(errors, 'cfg', input.cfg, Limits.minCfg, Limits.maxCfg);
  range(errors, 'strength', input.strength, 0, 1);
  range(errors, 'batch', input.batch, 1, Limits.maxBatch, true);
  range(errors, 'maskBlur', input.maskBlur, 0, 64, true);
  range(errors, 'onlyMaskedPadding', input.onlyMaskedPadding, 0, 256, true);
  if (!Number.isInteger(input.seed) || input.seed < -1) {
    errors.push({
      field: 'seed',
      message: `\`seed\` must be -1 (random) or a non-negative integer, got ${input.seed}`,
    });
  }
  if (typeof input.prompt !== 'string' || input.prompt.length > Limits.maxPromptChars) {
    errors.push({
      field: 'prompt',
      message: `\`prompt\` must be a string of at most ${Limits.maxPromptChars} characters`,
    });
  }
  if (input.mode !== 'txt2img' && !input.initImage) {
    errors.push({ field: 'initImage', message: `\`initImage\` is required for mode ${input.mode}` });
  }
  if (input.mode === 'inpaint' && !input.mask) {
    errors.push({ field: 'mask', message: '`mask` is required for mode inpaint' });
  }
  if (input.mode === 'outpaint') {
    const m = input.outpaint;
    const sides = m ? [m.left, m.right, m.top, m.bottom] : [];
    if (!m || sides.some((s) => !Number.isInteger(s) || s < 0 || s > Limits.maxOutpaintPerSide)) {
      errors.push({
        field: 'outpaint',
        message: `\`outpaint\` sides must be integers between 0 and ${Limits.maxOutpaintPerSide}`,
      });
    } else if (sides.every((s) => s === 0)) {
      errors.push({ field: 'outpaint', message: '`outpaint` must extend at least one side' });
    }
  }
  if (input.latents) {
    const { data, shape } = input.latents;
    if (shape.length !== 4 || shape[1] !== 4 || data.length !== shape.reduce((a, b) => a * b, 1)) {
      errors.push({
        field: 'latents',
        message: `\`latents\` must be a (B,4,h,w) float32 array, got shape [${shape}]`,
      });
    }
  }
  if (input.sdxl) {
    for (const [k, v] of Object.entries(input.sdxl)) {
      if (v === undefined) continue;
      const min = k.startsWith('crop') ? 0 : 1;
      if (!Number.isInteger(v) || v < min || v > 4096) {
        errors.push({
          field: `sdxl.${k}`,
          message: `\`sdxl.${k}\` must be an integer between ${min} and 4096, got ${v}`,
        });
      }
    }
  }
  if (!input.modelDir) errors.push({ field: 'model', message: '`model` is required' });
  return errors;
}
