// Latent Consistency Model multistep sampling (Luo et al. 2023, "Latent Consistency Models",
// Algorithm 3), following diffusers v0.25.1 scheduling_lcm.py: each step maps the sample to the
// consistency-function estimate of x0 (boundary-condition scalings c_skip/c_out), then re-noises it
// to the next timestep with one fresh noise tensor, except after the last step.

import { addNoiseAtTimestep, clipInPlace, x0AndEps } from './ddpm-noising.js';
import { startStep } from './discrete-sigmas.js';
import { checkSteps, resolveConfig, type TrainingSchedule, trainingSchedule } from './scheduler-config.js';
import type { CreateSchedulerOptions, NoiseSource, Scheduler, SchedulerConfig, StepOutput } from './types.js';

const f = Math.fround;
const SIGMA_DATA = 0.5;

/** `set_timesteps` without custom timesteps: evenly spaced picks from the distillation schedule. */
export function lcmTimesteps(config: SchedulerConfig, steps: number): Float64Array {
  const original = config.original_inference_steps;
  const n = config.num_train_timesteps;
  if (original > n) {
    throw new Error(`scheduler config \`original_inference_steps\` must be at most ${n}, got ${original}`);
  }
  if (steps > original)
    throw new Error(`steps must be at most original_inference_steps (${original}) for lcm, got ${steps}`);
  const k = Math.floor(n / original);
  // lcm_origin_timesteps = [1..original] * k - 1, reversed
  const origin = Array.from({ length: original }, (_, i) => (original - i) * k - 1);
  // np.floor(np.linspace(0, len, steps, endpoint=False)) = floor(i * (len / steps))
  const spacing = original / steps;
  const out = new Float64Array(steps);
  for (let i = 0; i < steps; i++) out[i] = origin[Math.floor(i * spacing)];
  return out;
}

export class LcmScheduler implements Scheduler {
  readonly id = 'lcm';
  readonly timesteps: Float64Array;
  readonly steps: number;
  readonly initNoiseSigma = 1;
  readonly order = 1;
  readonly beginIndex: number;
  private readonly config: SchedulerConfig;
  private readonly train: TrainingSchedule;

  constructor(given: Partial<SchedulerConfig>, numInferenceSteps: number, opts: CreateSchedulerOptions = {}) {
    this.config = resolveConfig(given, {
      beta_start: 0.00085,
      beta_end: 0.012,
      beta_schedule: 'scaled_linear',
      timestep_spacing: 'leading',
      set_alpha_to_one: true,
    });
    checkSteps(numInferenceSteps, this.config);
    this.train = trainingSchedule(this.config);
    this.timesteps = lcmTimesteps(this.config, numInferenceSteps);
    this.beginIndex = startStep(numInferenceSteps, opts.strength);
    this.steps = numInferenceSteps - this.beginIndex;
  }

  scaleModelInput(sample: Float32Array): Float32Array {
    return sample;
  }

  step(
    modelOutput: Float32Array,
    index: number,
    sample: Float32Array,
    noise: NoiseSource,
    shape: number[],
  ): StepOutput {
    const t = this.timesteps[index];
    const last = index === this.timesteps.length - 1;
    const prevT = last ? t : this.timesteps[index + 1];
    const ac = this.train.alphasCumprod;
    const aPrev = prevT >= 0 ? ac[prevT] : this.train.finalAlphaCumprod;
    // get_scalings_for_boundary_condition_discrete
    const scaled = f(t * this.config.timestep_scaling);
    const s2 = f(f(scaled * scaled) + SIGMA_DATA ** 2);
    const cSkip = f(SIGMA_DATA ** 2 / s2);
    const cOut = f(scaled / f(Math.sqrt(s2)));
    const { x0 } = x0AndEps(this.config.prediction_type, modelOutput, sample, ac[t]);
    if (this.config.clip_sample) clipInPlace(x0, this.config.clip_sample_range);
    const denoised = new Float32Array(sample.length);
    for (let i = 0; i < denoised.length; i++) denoised[i] = f(cOut * x0[i]) + f(cSkip * sample[i]);
    if (last) return { prevSample: denoised, predOriginal: denoised };
    const z = noise.randn(shape);
    const a = f(Math.sqrt(aPrev));
    const b = f(Math.sqrt(f(1 - aPrev)));
    const prev = new Float32Array(sample.length);
    for (let i = 0; i < prev.length; i++) prev[i] = f(a * denoised[i]) + f(b * z[i]);
    return { prevSample: prev, predOriginal: denoised };
  }

  addNoise(original: Float32Array, noise: Float32Array, index: number): Float32Array {
    return addNoiseAtTimestep(original, noise, this.train.alphasCumprod, this.timesteps[index]);
  }

  stepOf(index: number): number {
    return index - this.beginIndex;
  }
}
