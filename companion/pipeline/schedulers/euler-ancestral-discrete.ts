// Euler ancestral sampler ("Euler a"), following diffusers v0.25.1
// scheduling_euler_ancestral_discrete.py: an Euler step down to sigma_down, then fresh noise scaled by
// sigma_up (k-diffusion `get_ancestral_step`, eta = 1). diffusers draws the noise tensor on every step,
// including the last one where sigma_up is 0, and so do we, to keep the generator in lockstep.

import { addNoiseAtSigma, predictOriginal, scaleBySigma } from './discrete-sigmas.js';
import { eulerSigmaSetup } from './euler-discrete.js';
import { resolveConfig } from './scheduler-config.js';
import type { CreateSchedulerOptions, NoiseSource, Scheduler, SchedulerConfig, StepOutput } from './types.js';

const f = Math.fround;

export class EulerAncestralDiscreteScheduler implements Scheduler {
  readonly id = 'euler_a';
  readonly timesteps: Float64Array;
  readonly sigmas: Float32Array;
  readonly steps: number;
  readonly initNoiseSigma: number;
  readonly order = 1;
  readonly beginIndex: number;
  private readonly config: SchedulerConfig;

  constructor(given: Partial<SchedulerConfig>, numInferenceSteps: number, opts: CreateSchedulerOptions = {}) {
    // v0.25.1 EulerAncestralDiscreteScheduler has no Karras option.
    this.config = resolveConfig({ ...given, use_karras_sigmas: false }, { timestep_spacing: 'linspace' });
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
    if (this.config.prediction_type === 'sample') {
      throw new Error('euler_a does not support prediction_type "sample" (diffusers raises too)');
    }
    const sigma = this.sigmas[index];
    const pred = predictOriginal(this.config.prediction_type, modelOutput, sample, sigma);
    const sigmaTo = this.sigmas[index + 1];
    const from2 = f(sigma * sigma);
    const to2 = f(sigmaTo * sigmaTo);
    const sigmaUp = f(Math.sqrt(f(f(to2 * f(from2 - to2)) / from2)));
    const sigmaDown = f(Math.sqrt(f(to2 - f(sigmaUp * sigmaUp))));
    const dt = f(sigmaDown - sigma);
    const z = noise.randn(shape);
    const prev = new Float32Array(sample.length);
    for (let i = 0; i < prev.length; i++) {
      const derivative = f(f(sample[i] - pred[i]) / sigma);
      prev[i] = f(sample[i] + f(derivative * dt)) + f(z[i] * sigmaUp);
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
