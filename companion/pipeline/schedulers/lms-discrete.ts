// Linear multistep (LMS) sampler of order 4 (k-diffusion `sample_lms`), following diffusers v0.25.1
// scheduling_lms_discrete.py: keeps the last 4 ODE derivatives and combines them with
// Lagrange-integrated coefficients. Deterministic: draws no noise.

import {
  addNoiseAtSigma,
  discreteSigmaSchedule,
  predictOriginal,
  scaleBySigma,
  startStep,
} from './discrete-sigmas.js';
import { lmsCoefficient } from './lms-coefficients.js';
import { checkSteps, resolveConfig, trainingSchedule } from './scheduler-config.js';
import type { CreateSchedulerOptions, Scheduler, SchedulerConfig, StepOutput } from './types.js';

const f = Math.fround;
const LMS_ORDER = 4;

export class LmsDiscreteScheduler implements Scheduler {
  readonly id = 'lms';
  readonly timesteps: Float64Array;
  readonly sigmas: Float32Array;
  readonly steps: number;
  readonly initNoiseSigma: number;
  readonly order = 1;
  readonly beginIndex: number;
  private readonly config: SchedulerConfig;
  /** Newest last. */
  private readonly derivatives: Float32Array[] = [];

  constructor(given: Partial<SchedulerConfig>, numInferenceSteps: number, opts: CreateSchedulerOptions = {}) {
    this.config = resolveConfig(given, { timestep_spacing: 'linspace' });
    checkSteps(numInferenceSteps, this.config);
    const { alphasCumprod } = trainingSchedule(this.config);
    const schedule = discreteSigmaSchedule(this.config, alphasCumprod, numInferenceSteps, 'float64');
    this.timesteps = schedule.timesteps;
    this.sigmas = schedule.sigmas;
    this.initNoiseSigma = schedule.initNoiseSigma;
    this.beginIndex = startStep(numInferenceSteps, opts.strength);
    this.steps = numInferenceSteps - this.beginIndex;
  }

  scaleModelInput(sample: Float32Array, index: number): Float32Array {
    return scaleBySigma(sample, this.sigmas[index]);
  }

  step(modelOutput: Float32Array, index: number, sample: Float32Array): StepOutput {
    const sigma = this.sigmas[index];
    const pred = predictOriginal(this.config.prediction_type, modelOutput, sample, sigma);
    const derivative = new Float32Array(sample.length);
    for (let i = 0; i < derivative.length; i++) derivative[i] = f(sample[i] - pred[i]) / sigma;
    this.derivatives.push(derivative);
    if (this.derivatives.length > LMS_ORDER) this.derivatives.shift();
    // diffusers takes the order from the absolute step index and then zips the coefficients with the
    // derivatives it has, so after img2img truncation the first steps use fewer terms of a higher order.
    const order = Math.min(index + 1, LMS_ORDER);
    const terms = Math.min(order, this.derivatives.length);
    const prev = Float32Array.from(sample);
    const newest = this.derivatives.length - 1;
    const acc = new Float64Array(sample.length);
    for (let j = 0; j < terms; j++) {
      const coeff = f(lmsCoefficient(order, this.sigmas, index, j));
      const d = this.derivatives[newest - j];
      for (let i = 0; i < acc.length; i++) acc[i] = f(acc[i] + f(coeff * d[i]));
    }
    for (let i = 0; i < prev.length; i++) prev[i] = sample[i] + acc[i];
    return { prevSample: prev, predOriginal: pred };
  }

  addNoise(original: Float32Array, noise: Float32Array, index: number): Float32Array {
    return addNoiseAtSigma(original, noise, this.sigmas[index]);
  }

  stepOf(index: number): number {
    return index - this.beginIndex;
  }
}
