// DPM-Solver++ multistep (Lu et al. 2022, "DPM-Solver++: Fast Solver for Guided Sampling of Diffusion
// Probabilistic Models", Algorithm 2), data prediction, following diffusers v0.25.1
// scheduling_dpmsolver_multistep.py with algorithm_type "dpmsolver++" (orders 1-3, solver_type
// midpoint or heun, lower_order_final, euler_at_final, Karras sigmas). Deterministic: draws no noise.
// The SDE variants and `thresholding` are not implemented.

import { addNoiseAtTimestep } from './ddpm-noising.js';
import { startStep } from './discrete-sigmas.js';
import { alphaSigmaOf, convertToX0, multistepSigmas } from './multistep-sigmas.js';
import { checkSteps, resolveConfig, type TrainingSchedule, trainingSchedule } from './scheduler-config.js';
import type { CreateSchedulerOptions, SamplerId, Scheduler, SchedulerConfig, StepOutput } from './types.js';

const f = Math.fround;

export class DpmSolverMultistepScheduler implements Scheduler {
  readonly timesteps: Float64Array;
  readonly sigmas: Float32Array;
  readonly steps: number;
  readonly initNoiseSigma = 1;
  readonly order = 1;
  readonly beginIndex: number;
  private readonly config: SchedulerConfig;
  private readonly train: TrainingSchedule;
  private readonly solverType: 'midpoint' | 'heun';
  private readonly eulerAtFinal: boolean;
  /** Converted x0 predictions, newest last (diffusers `model_outputs`). */
  private readonly outputs: Float32Array[] = [];
  private lowerOrderNums = 0;

  constructor(
    given: Partial<SchedulerConfig>,
    numInferenceSteps: number,
    opts: CreateSchedulerOptions = {},
    readonly id: SamplerId = 'dpmpp_2m',
  ) {
    this.config = resolveConfig(given, { timestep_spacing: 'linspace' });
    if (this.config.algorithm_type !== 'dpmsolver++') {
      throw new Error(
        `scheduler config \`algorithm_type\` must be dpmsolver++, got ${JSON.stringify(this.config.algorithm_type)}`,
      );
    }
    this.solverType = this.config.solver_type === 'heun' ? 'heun' : 'midpoint';
    this.eulerAtFinal = this.config.euler_at_final;
    if (![1, 2, 3].includes(this.config.solver_order)) {
      throw new Error(`scheduler config \`solver_order\` must be 1, 2 or 3, got ${this.config.solver_order}`);
    }
    checkSteps(numInferenceSteps, this.config);
    this.train = trainingSchedule(this.config);
    const s = multistepSigmas(this.config, this.train.alphasCumprod, numInferenceSteps);
    this.timesteps = s.timesteps;
    this.sigmas = s.sigmas;
    this.beginIndex = startStep(numInferenceSteps, opts.strength);
    this.steps = numInferenceSteps - this.beginIndex;
  }

  scaleModelInput(sample: Float32Array): Float32Array {
    return sample;
  }

  step(modelOutput: Float32Array, index: number, sample: Float32Array): StepOutput {
    const n = this.timesteps.length;
    const order = this.config.solver_order;
    const lowerOrderFinal =
      index === n - 1 && (this.eulerAtFinal || (this.config.lower_order_final && n < 15));
    const lowerOrderSecond = index === n - 2 && this.config.lower_order_final && n < 15;
    const x0 = convertToX0(this.config.prediction_type, modelOutput, sample, this.sigmas[index]);
    this.outputs.push(x0);
    if (this.outputs.length > order) this.outputs.shift();

    let prev: Float32Array;
    if (order === 1 || this.lowerOrderNums < 1 || lowerOrderFinal) prev = this.firstOrder(x0, index, sample);
    else if (order === 2 || this.lowerOrderNums < 2 || lowerOrderSecond)
      prev = this.secondOrder(index, sample);
    else prev = this.thirdOrder(index, sample);
    if (this.lowerOrderNums < order) this.lowerOrderNums++;
    return { prevSample: prev, predOriginal: x0 };
  }

  /** `dpm_solver_first_order_update` (DPM-Solver++(1) = DDIM in lambda). */
  private firstOrder(x0: Float32Array, index: number, sample: Float32Array): Float32Array {
    const t = alphaSigmaOf(this.sigmas[index + 1]);
    const s = alphaSigmaOf(this.sigmas[index]);
    const h = f(t.lambda - s.lambda);
    const ratio = f(t.sigma / s.sigma);
    const c = f(t.alpha * f(f(Math.exp(-h)) - 1));
    const out = new Float32Array(sample.length);
    for (let i = 0; i < out.length; i++) out[i] = f(ratio * sample[i]) - f(c * x0[i]);
    return out;
  }

  /** `multistep_dpm_solver_second_order_update`. */
  private secondOrder(index: number, sample: Float32Array): Float32Array {
    const t = alphaSigmaOf(this.sigmas[index + 1]);
    const s0 = alphaSigmaOf(this.sigmas[index]);
    const s1 = alphaSigmaOf(this.sigmas[index - 1]);
    const m0 = this.outputs[this.outputs.length - 1];
    const m1 = this.outputs[this.outputs.length - 2];
    const h = f(t.lambda - s0.lambda);
    const h0 = f(s0.lambda - s1.lambda);
    const invR0 = f(1 / f(h0 / h));
    const ratio = f(t.sigma / s0.sigma);
    const em1 = f(f(Math.exp(-h)) - 1);
    const c0 = f(t.alpha * em1);
    // midpoint: - 0.5 * c0 * D1; heun: + alpha_t * ((e^-h - 1) / h + 1) * D1
    const c1 = this.solverType === 'midpoint' ? f(-f(0.5 * c0)) : f(t.alpha * f(f(em1 / h) + 1));
    const out = new Float32Array(sample.length);
    for (let i = 0; i < out.length; i++) {
      const d1 = f(invR0 * f(m0[i] - m1[i]));
      out[i] = f(f(ratio * sample[i]) - f(c0 * m0[i])) + f(c1 * d1);
    }
    return out;
  }

  /** `multistep_dpm_solver_third_order_update`. */
  private thirdOrder(index: number, sample: Float32Array): Float32Array {
    const t = alphaSigmaOf(this.sigmas[index + 1]);
    const s0 = alphaSigmaOf(this.sigmas[index]);
    const s1 = alphaSigmaOf(this.sigmas[index - 1]);
    const s2 = alphaSigmaOf(this.sigmas[index - 2]);
    const k = this.outputs.length;
    const [m2, m1, m0] = [this.outputs[k - 3], this.outputs[k - 2], this.outputs[k - 1]];
    const h = f(t.lambda - s0.lambda);
    const r0 = f(f(s0.lambda - s1.lambda) / h);
    const r1 = f(f(s1.lambda - s2.lambda) / h);
    const ratio = f(t.sigma / s0.sigma);
    const em1 = f(f(Math.exp(-h)) - 1);
    const c0 = f(t.alpha * em1);
    const c1 = f(t.alpha * f(f(em1 / h) + 1));
    const c2 = f(t.alpha * f(f(f(em1 + h) / f(h * h)) - 0.5));
    const w = f(r0 / f(r0 + r1));
    const inv = f(1 / f(r0 + r1));
    const out = new Float32Array(sample.length);
    for (let i = 0; i < out.length; i++) {
      const d10 = f(f(1 / r0) * f(m0[i] - m1[i]));
      const d11 = f(f(1 / r1) * f(m1[i] - m2[i]));
      const d1 = d10 + f(w * f(d10 - d11));
      const d2 = f(inv * f(d10 - d11));
      out[i] = f(f(f(ratio * sample[i]) - f(c0 * m0[i])) + f(c1 * d1)) - f(c2 * d2);
    }
    return out;
  }

  addNoise(original: Float32Array, noise: Float32Array, index: number): Float32Array {
    return addNoiseAtTimestep(original, noise, this.train.alphasCumprod, this.timesteps[index]);
  }

  stepOf(index: number): number {
    return index - this.beginIndex;
  }
}
