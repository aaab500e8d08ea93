// Euler sampler (Karras et al. 2022, Algorithm 2 with s_churn = 0), numerically following diffusers
// v0.25.1 scheduling_euler_discrete.py. Note that diffusers' `step` draws one noise tensor from the
// generator on every call even though it is only used when s_churn > 0; we draw it too so that the
// generator stays in lockstep with diffusers for anything drawn afterwards.

import {
  addNoiseAtSigma,
  discreteSigmaSchedule,
  predictOriginal,
  scaleBySigma,
  startStep,
} from './discrete-sigmas.js';
import { checkSteps, resolveConfig, trainingSchedule } from './scheduler-config.js';
import type {
  CreateSchedulerOptions,
  NoiseSource,
  SamplerId,
  Scheduler,
  SchedulerConfig,
  StepOutput,
} from './types.js';

const f = Math.fround;

/**
 * The float32 sigma schedule both Euler schedulers (plain and ancestral) build in their
 * `set_timesteps`, with img2img truncation: one place for what the two diffusers classes share.
 */
export function eulerSigmaSetup(
  config: SchedulerConfig,
  numInferenceSteps: number,
  strength: number | undefined,
) {
  checkSteps(numInferenceSteps, config);
  const { alphasCumprod } = trainingSchedule(config);
  // diffusers: with zero-terminal-SNR betas, alphas_cumprod[-1] is nudged off 0 so sigma stays finite.
  if (config.rescale_betas_zero_snr) alphasCumprod[alphasCumprod.length - 1] = 2 ** -24;
  const schedule = discreteSigmaSchedule(config, alphasCumprod, numInferenceSteps, 'float32');
  const beginIndex = startStep(numInferenceSteps, strength);
  return { ...schedule, beginIndex, steps: numInferenceSteps - beginIndex };
}

export class EulerDiscreteScheduler implements Scheduler {
  readonly timesteps: Float64Array;
  readonly sigmas: Float32Array;
  readonly steps: number;
  readonly initNoiseSigma: number;
  readonly order = 1;
  readonly beginIndex: number;
  private readonly config: SchedulerConfig;

  constructor(
    given: Partial<SchedulerConfig>,
    numInferenceSteps: number,
    opts: CreateSchedulerOptions = {},
    readonly id: SamplerId = 'euler',
  ) {
    this.config = resolveConfig(given, { timestep_spacing: 'linspace' });
    ({
      timesteps: this.timesteps,
      sigmas: this.sigmas,
      initNoiseSigma: this.initNoiseSigma,
      beginIndex: this.beginIndex,
      steps: this.steps,
    } = eulerSigmaSetup(this.config, numInferenceSteps, opts.strength));
  }

  scaleModelInput(sample: Float32Array, index: number): Float32Array {
    return scaleBySigma(sample, this.sigmas[index]);
  }

  step(
    modelOutput: Float32Array,
    index: number,
    sample: Float32Array,
    noise: NoiseSource,
    shape: number[],
  ): StepOutput {
    noise.randn(shape); // consumed, unused with s_churn = 0 (see module comment)
    const sigma = this.sigmas[index];
    const pred = predictOriginal(this.config.prediction_type, modelOutput, sample, sigma);
    const dt = f(this.sigmas[index + 1] - sigma);
    const prev = new Float32Array(sample.length);
    for (let i = 0; i < prev.length; i++) {
      const derivative = f(f(sample[i] - pred[i]) / sigma);
      prev[i] = sample[i] + f(derivative * dt);
    }
    return { prevSample: prev, predOriginal: pred };
  }

  addNoise(original: Float32Array, noise: Float32Array, index: number): Float32Array {
    return addNoiseAtSigma(original, noise, this.sigmas[index]);
  }

  stepOf(index: number): number {
    return index - this.beginIndex;
  }
}
