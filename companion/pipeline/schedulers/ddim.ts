// DDIM (Song et al. 2021, "Denoising Diffusion Implicit Models", eq. 12) with eta = 0, following
// diffusers v0.25.1 scheduling_ddim.py. Deterministic: draws no noise. `thresholding` (dynamic
// thresholding for pixel-space models) is not supported; latent SD models never enable it.

import { addNoiseAtTimestep, clipInPlace, x0AndEps } from './ddpm-noising.js';
import { startStep } from './discrete-sigmas.js';
import { checkSteps, resolveConfig, type TrainingSchedule, trainingSchedule } from './scheduler-config.js';
import { spacedTimesteps } from './timestep-spacing.js';
import type { CreateSchedulerOptions, Scheduler, SchedulerConfig, StepOutput } from './types.js';

const f = Math.fround;

export class DdimScheduler implements Scheduler {
  readonly id = 'ddim';
  readonly timesteps: Float64Array;
  readonly steps: number;
  readonly initNoiseSigma = 1;
  readonly order = 1;
  readonly beginIndex: number;
  private readonly config: SchedulerConfig;
  private readonly train: TrainingSchedule;
  private readonly stepRatio: number;

  constructor(given: Partial<SchedulerConfig>, numInferenceSteps: number, opts: CreateSchedulerOptions = {}) {
    this.config = resolveConfig(given, {
      timestep_spacing: 'leading',
      clip_sample: true,
      set_alpha_to_one: true,
    });
    checkSteps(numInferenceSteps, this.config);
    this.train = trainingSchedule(this.config);
    const c = this.config;
    this.timesteps = spacedTimesteps(
      c.timestep_spacing,
      'rounded',
      c.num_train_timesteps,
      numInferenceSteps,
      c.steps_offset,
    );
    this.stepRatio = Math.floor(c.num_train_timesteps / numInferenceSteps);
    this.beginIndex = startStep(numInferenceSteps, opts.strength);
    this.steps = numInferenceSteps - this.beginIndex;
  }

  scaleModelInput(sample: Float32Array): Float32Array {
    return sample;
  }

  step(modelOutput: Float32Array, index: number, sample: Float32Array): StepOutput {
    const t = this.timesteps[index];
    const prevT = t - this.stepRatio;
    const ac = this.train.alphasCumprod;
    const alphaProdT = ac[t];
    const alphaProdPrev = prevT >= 0 ? ac[prevT] : this.train.finalAlphaCumprod;
    const { x0, eps } = x0AndEps(this.config.prediction_type, modelOutput, sample, alphaProdT);
    if (this.config.clip_sample) clipInPlace(x0, this.config.clip_sample_range);
    const dirCoeff = f(Math.sqrt(f(1 - alphaProdPrev)));
    const x0Coeff = f(Math.sqrt(alphaProdPrev));
    const prev = new Float32Array(sample.length);
    for (let i = 0; i < prev.length; i++) prev[i] = f(x0Coeff * x0[i]) + f(dirCoeff * eps[i]);
    return { prevSample: prev, predOriginal: x0 };
  }

  addNoise(original: Float32Array, noise: Float32Array, index: number): Float32Array {
    return addNoiseAtTimestep(original, noise, this.train.alphasCumprod, this.timesteps[index]);
  }

  stepOf(index: number): number {
    return index - this.beginIndex;
  }
}
