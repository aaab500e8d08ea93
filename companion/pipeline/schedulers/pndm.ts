// Pseudo numerical methods (PLMS) of Liu et al. 2022, "Pseudo Numerical Methods for Diffusion Models
// on Manifolds", following diffusers v0.25.1 scheduling_pndm.py with skip_prk_steps = True (what SD
// configs ship; the Runge-Kutta warm-up is not implemented). The first step is evaluated twice (the
// schedule repeats its second timestep), then a 4th-order linear multistep in epsilon.
// Deterministic: draws no noise.

import { addNoiseAtTimestep } from './ddpm-noising.js';
import { startStep } from './discrete-sigmas.js';
import { checkSteps, resolveConfig, type TrainingSchedule, trainingSchedule } from './scheduler-config.js';
import { spacedTimesteps } from './timestep-spacing.js';
import type { CreateSchedulerOptions, Scheduler, SchedulerConfig, StepOutput } from './types.js';

const f = Math.fround;

export class PndmScheduler implements Scheduler {
  readonly id = 'pndm';
  /** steps + 1 entries: [t0, t1, t1, t2, ..., t_{n-1}] (plms_timesteps). */
  readonly timesteps: Float64Array;
  readonly steps: number;
  readonly initNoiseSigma = 1;
  readonly order = 1;
  readonly beginIndex: number;
  private readonly config: SchedulerConfig;
  private readonly train: TrainingSchedule;
  private readonly stepRatio: number;
  private readonly ets: Float32Array[] = [];
  private counter = 0;
  private curSample: Float32Array | null = null;

  constructor(given: Partial<SchedulerConfig>, numInferenceSteps: number, opts: CreateSchedulerOptions = {}) {
    this.config = resolveConfig(given, { timestep_spacing: 'leading', set_alpha_to_one: false });
    checkSteps(numInferenceSteps, this.config);
    this.train = trainingSchedule(this.config);
    const c = this.config;
    // Descending grid; diffusers builds it ascending and reverses [t[:-1], t[-2:-1], t[-1:]].
    const desc = spacedTimesteps(
      c.timestep_spacing,
      'rounded',
      c.num_train_timesteps,
      numInferenceSteps,
      c.steps_offset,
    );
    const n = desc.length;
    const plms = new Float64Array(n + 1);
    plms[0] = desc[0];
    if (n > 1) plms[1] = desc[1];
    for (let i = 1; i < n; i++) plms[i + 1] = desc[i];
    this.timesteps = n > 1 ? plms : desc;
    this.stepRatio = Math.floor(c.num_train_timesteps / numInferenceSteps);
    this.beginIndex = startStep(numInferenceSteps, opts.strength);
    this.steps = numInferenceSteps - this.beginIndex;
  }

  scaleModelInput(sample: Float32Array): Float32Array {
    return sample;
  }

  /** `step_plms`. */
  step(modelOutput: Float32Array, index: number, sample: Float32Array): StepOutput {
    let timestep = this.timesteps[index];
    let prevTimestep = timestep - this.stepRatio;
    if (this.counter !== 1) {
      if (this.ets.length > 3) this.ets.splice(0, this.ets.length - 3);
      this.ets.push(modelOutput);
    } else {
      prevTimestep = timestep;
      timestep = timestep + this.stepRatio;
    }
    const e = this.ets;
    const k = e.length;
    let eps: Float32Array;
    let x = sample;
    if (k === 1 && this.counter === 0) {
      eps = modelOutput;
      this.curSample = sample;
    } else if (k === 1 && this.counter === 1) {
      eps = modelOutput.map((m, i) => f(m + e[0][i]) / 2);
      x = this.curSample as Float32Array;
      this.curSample = null;
    } else if (k === 2) {
      eps = e[1].map((m, i) => f(f(3 * m) - e[0][i]) / 2);
    } else if (k === 3) {
      eps = e[2].map((m, i) => f(f(f(23 * m) - f(16 * e[1][i])) + f(5 * e[0][i])) / 12);
    } else {
      const w = f(1 / 24);
      eps = e[3].map((m, i) =>
        f(w * f(f(f(f(55 * m) - f(59 * e[2][i])) + f(37 * e[1][i])) - f(9 * e[0][i]))),
      );
    }
    const prev = this.prevSample(x, timestep, prevTimestep, eps);
    this.counter++;
    return { prevSample: prev };
  }

  /** `_get_prev_sample`: formula (9) of the PNDM paper. */
  private prevSample(
    sample: Float32Array,
    t: number,
    prevT: number,
    modelOutput: Float32Array,
  ): Float32Array {
    const ac = this.train.alphasCumprod;
    const a = ac[t];
    const aPrev = prevT >= 0 ? ac[prevT] : this.train.finalAlphaCumprod;
    const b = f(1 - a);
    const bPrev = f(1 - aPrev);
    let eps = modelOutput;
    if (this.config.prediction_type === 'v_prediction') {
      const sa = f(Math.sqrt(a));
      const sb = f(Math.sqrt(b));
      eps = modelOutput.map((m, i) => f(sa * m) + f(sb * sample[i]));
    } else if (this.config.prediction_type !== 'epsilon') {
      throw new Error(
        `pndm supports prediction_type epsilon or v_prediction, got ${this.config.prediction_type}`,
      );
    }
    const sampleCoeff = f(Math.sqrt(f(aPrev / a)));
    const denom = f(f(a * f(Math.sqrt(bPrev))) + f(Math.sqrt(f(f(a * b) * aPrev))));
    const diff = f(aPrev - a);
    const out = new Float32Array(sample.length);
    for (let i = 0; i < out.length; i++) out[i] = f(sampleCoeff * sample[i]) - f(f(diff * eps[i]) / denom);
    return out;
  }

  addNoise(original: Float32Array, noise: Float32Array, index: number): Float32Array {
    return addNoiseAtTimestep(original, noise, this.train.alphasCumprod, this.timesteps[index]);
  }

  /** The repeated second timestep belongs to step 0; img2img keeps diffusers' extra evaluation. */
  stepOf(index: number): number {
    return Math.max(Math.min(index - this.beginIndex - 1, this.steps - 1), 0);
  }
}
