// Heun's method (Karras et al. 2022, Algorithm 1), following diffusers v0.25.1
// scheduling_heun_discrete.py: the sigmas and timesteps are interleaved ([s0, s1, s1, s2, s2, ..., 0]),
// so every user step but the last takes two model evaluations. Even indices are Euler predictor
// steps; odd ones correct with the average slope. Deterministic (s_churn = 0): draws no noise.

import {
  addNoiseAtSigma,
  discreteSigmaSchedule,
  predictOriginal,
  scaleBySigma,
  startStep,
} from './discrete-sigmas.js';
import { checkSteps, resolveConfig, trainingSchedule } from './scheduler-config.js';
import type { CreateSchedulerOptions, Scheduler, SchedulerConfig, StepOutput } from './types.js';

const f = Math.fround;

/** `[a0, a1, a1, a2, a2, ...]`: the first kept once, the rest twice (`repeat_interleave(2)`). */
function interleave<T extends Float32Array | Float64Array>(values: T, keepLast: boolean): T {
  const head = values.subarray(0, 1);
  const middle = keepLast ? values.subarray(1, values.length - 1) : values.subarray(1);
  const out = new (values.constructor as new (n: number) => T)(1 + 2 * middle.length + (keepLast ? 1 : 0));
  out.set(head);
  for (let i = 0; i < middle.length; i++) {
    out[1 + 2 * i] = middle[i];
    out[2 + 2 * i] = middle[i];
  }
  if (keepLast) out[out.length - 1] = values[values.length - 1];
  return out;
}

export class HeunDiscreteScheduler implements Scheduler {
  readonly id = 'heun';
  readonly timesteps: Float64Array;
  /** Interleaved, length 2 * steps. */
  readonly sigmas: Float32Array;
  readonly steps: number;
  readonly initNoiseSigma: number;
  readonly order = 2;
  readonly beginIndex: number;
  private readonly config: SchedulerConfig;
  private prevDerivative: Float32Array | null = null;
  private dt = 0;
  private firstSample: Float32Array | null = null;

  constructor(given: Partial<SchedulerConfig>, numInferenceSteps: number, opts: CreateSchedulerOptions = {}) {
    this.config = resolveConfig(given, { timestep_spacing: 'linspace' });
    checkSteps(numInferenceSteps, this.config);
    const { alphasCumprod } = trainingSchedule(this.config);
    const schedule = discreteSigmaSchedule(this.config, alphasCumprod, numInferenceSteps, 'float64');
    this.sigmas = interleave(schedule.sigmas, true);
    this.timesteps = interleave(schedule.timesteps, false);
    this.initNoiseSigma = schedule.initNoiseSigma;
    const start = startStep(numInferenceSteps, opts.strength);
    this.beginIndex = start * this.order;
    this.steps = numInferenceSteps - start;
  }

  scaleModelInput(sample: Float32Array, index: number): Float32Array {
    return scaleBySigma(sample, this.sigmas[index]);
  }

  step(modelOutput: Float32Array, index: number, sample: Float32Array): StepOutput {
    const firstOrder = this.firstSample === null;
    const sigma = firstOrder ? this.sigmas[index] : this.sigmas[index - 1];
    const sigmaNext = firstOrder ? this.sigmas[index + 1] : this.sigmas[index];
    const sigmaInput = firstOrder ? sigma : sigmaNext;
    const pred = predictOriginal(this.config.prediction_type, modelOutput, sample, sigmaInput);
    if (this.config.clip_sample) {
      const r = this.config.clip_sample_range;
      for (let i = 0; i < pred.length; i++) pred[i] = Math.min(Math.max(pred[i], -r), r);
    }
    const prev = new Float32Array(sample.length);
    if (firstOrder) {
      const derivative = new Float32Array(sample.length);
      const dt = f(sigmaNext - sigma);
      for (let i = 0; i < prev.length; i++) {
        derivative[i] = f(sample[i] - pred[i]) / sigma;
        prev[i] = sample[i] + f(derivative[i] * dt);
      }
      this.prevDerivative = derivative;
      this.dt = dt;
      this.firstSample = sample;
    } else {
      const d0 = this.prevDerivative as Float32Array;
      const x = this.firstSample as Float32Array;
      for (let i = 0; i < prev.length; i++) {
        const d = f(f(sample[i] - pred[i]) / sigmaNext);
        prev[i] = x[i] + f(f(f(d0[i] + d) / 2) * this.dt);
      }
      this.prevDerivative = null;
      this.firstSample = null;
    }
    return { prevSample: prev, predOriginal: pred };
  }

  addNoise(original: Float32Array, noise: Float32Array, index: number): Float32Array {
    return addNoiseAtSigma(original, noise, this.sigmas[index]);
  }

  stepOf(index: number): number {
    return Math.floor((index - this.beginIndex) / 2);
  }
}
