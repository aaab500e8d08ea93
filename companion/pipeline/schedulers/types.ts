// The one surface every sampler implements, so the denoising loop never branches on the sampler.
// Modelled on diffusers' SchedulerMixin (`set_timesteps`, `scale_model_input`, `step`, `add_noise`)
// but index-based: the loop walks `timesteps` by position, which also expresses multi-evaluation
// samplers (Heun, DPM++ 2S a, DPM++ SDE) as extra entries, the way diffusers' HeunDiscreteScheduler
// interleaves its timesteps. Pure: arrays in, arrays out; no ORT, no global RNG.

/** Stable sampler ids (protocol values). Labels for the UI live in `sampler-catalog.ts`. */
export type SamplerId =
  | 'euler'
  | 'euler_a'
  | 'ddim'
  | 'dpmpp_2m'
  | 'dpmpp_2m_karras'
  | 'dpmpp_2s_a_karras'
  | 'dpmpp_sde_karras'
  | 'heun'
  | 'lms'
  | 'unipc'
  | 'lcm'
  | 'pndm';

/** Draws standard-normal noise, in order, from the job's seeded generator (see `../rng/`). */
export interface NoiseSource {
  randn(shape: number[]): Float32Array;
}

export type BetaSchedule = 'linear' | 'scaled_linear' | 'squaredcos_cap_v2';
export type PredictionType = 'epsilon' | 'v_prediction' | 'sample';
export type TimestepSpacing = 'leading' | 'linspace' | 'trailing';

/**
 * A model's `scheduler/scheduler_config.json` (diffusers keys). Every key is optional when passed
 * to `createScheduler`: a key that is absent takes the default of the diffusers class that the
 * sampler follows (e.g. `timestep_spacing` is "leading" for DDIM/PNDM/LCM, "linspace" for Euler).
 * Unknown keys (`_class_name`, `_diffusers_version`, ...) are ignored.
 */
export interface SchedulerConfig {
  num_train_timesteps: number;
  beta_start: number;
  beta_end: number;
  beta_schedule: BetaSchedule;
  trained_betas: number[] | null;
  prediction_type: PredictionType;
  timestep_spacing: TimestepSpacing;
  steps_offset: number;
  set_alpha_to_one: boolean;
  clip_sample: boolean;
  clip_sample_range: number;
  rescale_betas_zero_snr: boolean;
  use_karras_sigmas: boolean;
  /** DPMSolverMultistep / UniPC */
  solver_order: number;
  lower_order_final: boolean;
  /** DPMSolverMultistep: only "dpmsolver++" is implemented. */
  algorithm_type: string;
  /** DPMSolverMultistep: "midpoint" (default) or "heun"; UniPC: "bh2" (default) or "bh1". */
  solver_type: string;
  /** DPMSolverMultistep: first-order final step regardless of the step count. */
  euler_at_final: boolean;
  /** LCM: `timestep_scaling` and `original_inference_steps` */
  timestep_scaling: number;
  original_inference_steps: number;
}

/** What one `step` returns. */
export interface StepOutput {
  /** The sample to feed the next evaluation (diffusers' `prev_sample`). */
  prevSample: Float32Array;
  /** The model's current estimate of the clean latent (`pred_original_sample`/`denoised`), for previews. */
  predOriginal?: Float32Array;
}

export interface Scheduler {
  readonly id: SamplerId;
  /** Value passed to the UNet for every model evaluation, in order (longer than `steps` for 2nd-order samplers). */
  readonly timesteps: Float64Array;
  /** User-visible step count (for progress), after img2img truncation. */
  readonly steps: number;
  /** Multiply the initial noise by this for txt2img (diffusers' `init_noise_sigma`). */
  readonly initNoiseSigma: number;
  /** diffusers' `order`: evaluations per user-visible step for interleaved samplers. */
  readonly order: number;
  /**
   * First index into `timesteps` to evaluate. 0 for txt2img; for img2img it is
   * `t_start * order` from diffusers' StableDiffusionImg2ImgPipeline.get_timesteps, and the pipeline
   * re-noises the encoded image with `addNoise(image, noise, beginIndex)`.
   */
  readonly beginIndex: number;
  /** diffusers' `scale_model_input`: the UNet input for evaluation `index`. */
  scaleModelInput(sample: Float32Array, index: number): Float32Array;
  /**
   * diffusers' `step` for evaluation `index`. `noise` is the job's generator: stochastic samplers
   * (and diffusers' Euler, which always draws one tensor) call `noise.randn(shape)` with `shape`,
   * the full batch shape of `sample`. Samplers keep internal state between calls, so call `step`
   * exactly once per index, in order, starting at `beginIndex`.
   */
  step(
    modelOutput: Float32Array,
    index: number,
    sample: Float32Array,
    noise: NoiseSource,
    shape: number[],
  ): StepOutput;
  /** diffusers' `add_noise` at `timesteps[index]` (img2img / inpaint re-noising). */
  addNoise(original: Float32Array, noise: Float32Array, index: number): Float32Array;
  /** Which user-visible step (0-based, relative to `beginIndex`) evaluation `index` belongs to. */
  stepOf(index: number): number;
}

export interface CreateSchedulerOptions {
  /** img2img strength in [0, 1]; 1 (default) keeps every step. */
  strength?: number;
}

/** Implemented by `createScheduler` in `create-scheduler.ts`. */
export type CreateScheduler = (
  id: SamplerId,
  config: Partial<SchedulerConfig>,
  steps: number,
  opts?: CreateSchedulerOptions,
) => Scheduler;
