// UniPC (Zhao et al. 2023, "UniPC: A Unified Predictor-Corrector Framework for Fast Sampling of
// Diffusion Models"), data prediction with the B(h) = e^h - 1 ("bh2") or B(h) = h ("bh1") variant,
// following diffusers v0.25.1 scheduling_unipc_multistep.py: each step first corrects the previous
// prediction with the new model output (UniC), then predicts the next sample (UniP).
// Deterministic: draws no noise. `thresholding` and `solver_p` are not implemented.

import { addNoiseAtTimestep } from './ddpm-noising.js';
import { startStep } from './discrete-sigmas.js';
import { alphaSigmaOf, convertToX0, multistepSigmas } from './multistep-sigmas.js';
import { checkSteps, resolveConfig, type TrainingSchedule, trainingSchedule } from './scheduler-config.js';
import type { CreateSchedulerOptions, Scheduler, SchedulerConfig, StepOutput } from './types.js';

const f = Math.fround;

/** Solves the small dense system A x = b (Gaussian elimination with partial pivoting). */
function solve(a: number[][], b: number[]): number[] {
  const n = b.length;
  const m = a.map((r, i) => [...r, b[i]]);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(m[r][c]) > Math.abs(m[p][c])) p = r;
    [m[c], m[p]] = [m[p], m[c]];
    for (let r = c + 1; r < n; r++) {
      const k = m[r][c] / m[c][c];
      for (let j = c; j <= n; j++) m[r][j] -= k * m[c][j];
    }
  }
  const x = new Array<number>(n).fill(0);
  for (let r = n - 1; r >= 0; r--) {
    let s = m[r][n];
    for (let j = r + 1; j < n; j++) s -= m[r][j] * x[j];
    x[r] = f(s / m[r][r]);
  }
  return x;
}

interface UniCoefficients {
  rks: number[];
  /** R[i][k] = rks[k] ** i, i = 0..order-1 */
  R: number[][];
  b: number[];
  hPhi1: number;
  Bh: number;
}

export class UniPcMultistepScheduler implements Scheduler {
  readonly id = 'unipc';
  readonly timesteps: Float64Array;
  readonly sigmas: Float32Array;
  readonly steps: number;
  readonly initNoiseSigma = 1;
  readonly order = 1;
  readonly beginIndex: number;
  private readonly config: SchedulerConfig;
  private readonly train: TrainingSchedule;
  private readonly bh1: boolean;
  /** Converted x0 predictions, newest last, at most solver_order. */
  private readonly outputs: Float32Array[] = [];
  private lowerOrderNums = 0;
  private lastSample: Float32Array | null = null;
  private thisOrder = 1;

  constructor(given: Partial<SchedulerConfig>, numInferenceSteps: number, opts: CreateSchedulerOptions = {}) {
    this.config = resolveConfig(given, { timestep_spacing: 'linspace' });
    this.bh1 = this.config.solver_type === 'bh1';
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
    const useCorrector = index > 0 && this.lastSample !== null;
    const x0 = convertToX0(this.config.prediction_type, modelOutput, sample, this.sigmas[index]);
    let x = sample;
    if (useCorrector) x = this.correct(x0, this.lastSample as Float32Array, sample, index, this.thisOrder);
    this.outputs.push(x0);
    if (this.outputs.length > this.config.solver_order) this.outputs.shift();
    const n = this.timesteps.length;
    const wanted = this.config.lower_order_final
      ? Math.min(this.config.solver_order, n - index)
      : this.config.solver_order;
    this.thisOrder = Math.min(wanted, this.lowerOrderNums + 1);
    this.lastSample = x;
    const prev = this.predict(x, index, this.thisOrder);
    if (this.lowerOrderNums < this.config.solver_order) this.lowerOrderNums++;
    return { prevSample: prev, predOriginal: x0 };
  }

  /** rks, R, b and the phi terms shared by UniP and UniC (`multistep_uni_*_bh_update`). */
  private coefficients(
    lambdaT: number,
    lambdaS0: number,
    pastLambdas: number[],
    order: number,
  ): UniCoefficients {
    const h = f(lambdaT - lambdaS0);
    const rks = pastLambdas.map((l) => f(f(l - lambdaS0) / h));
    rks.push(1);
    const hh = -h; // predict_x0
    const hPhi1 = f(Math.expm1(hh));
    let hPhiK = f(f(hPhi1 / hh) - 1);
    let factorial = 1;
    const Bh = this.bh1 ? hh : f(Math.expm1(hh));
    const R: number[][] = [];
    const b: number[] = [];
    for (let i = 1; i <= order; i++) {
      R.push(rks.map((r) => f(r ** (i - 1))));
      b.push(f(f(hPhiK * factorial) / Bh));
      factorial *= i + 1;
      hPhiK = f(f(hPhiK / hh) - f(1 / factorial));
    }
    return { rks, R, b, hPhi1, Bh };
  }

  private lambdaAt(i: number): number {
    return alphaSigmaOf(this.sigmas[i]).lambda;
  }

  /** UniP: predicts the sample at sigmas[index + 1]. */
  private predict(x: Float32Array, index: number, order: number): Float32Array {
    const t = alphaSigmaOf(this.sigmas[index + 1]);
    const s0 = alphaSigmaOf(this.sigmas[index]);
    const k = this.outputs.length;
    const m0 = this.outputs[k - 1];
    const past: number[] = [];
    for (let i = 1; i < order; i++) past.push(this.lambdaAt(index - i));
    const c = this.coefficients(t.lambda, s0.lambda, past, order);
    const rhos =
      order === 2
        ? [0.5]
        : order > 2
          ? solve(
              c.R.slice(0, -1).map((r) => r.slice(0, -1)),
              c.b.slice(0, -1),
            )
          : [];
    const ratio = f(t.sigma / s0.sigma);
    const c0 = f(t.alpha * c.hPhi1);
    const cRes = f(t.alpha * c.Bh);
    const out = new Float32Array(x.length);
    for (let e = 0; e < out.length; e++) {
      let res = 0;
      for (let i = 1; i < order; i++)
        res = f(res + f(rhos[i - 1] * f(f(this.outputs[k - 1 - i][e] - m0[e]) / c.rks[i - 1])));
      out[e] = f(f(ratio * x[e]) - f(c0 * m0[e])) - f(cRes * res);
    }
    return out;
  }

  /** UniC: corrects `thisSample` (predicted from `lastSample`) using the new x0 `modelT`. */
  private correct(
    modelT: Float32Array,
    lastSample: Float32Array,
    thisSample: Float32Array,
    index: number,
    order: number,
  ): Float32Array {
    const t = alphaSigmaOf(this.sigmas[index]);
    const s0 = alphaSigmaOf(this.sigmas[index - 1]);
    const k = this.outputs.length;
    const m0 = this.outputs[k - 1];
    const past: number[] = [];
    for (let i = 1; i < order; i++) past.push(this.lambdaAt(index - (i + 1)));
    const c = this.coefficients(t.lambda, s0.lambda, past, order);
    const rhos = order === 1 ? [0.5] : solve(c.R, c.b);
    const ratio = f(t.sigma / s0.sigma);
    const c0 = f(t.alpha * c.hPhi1);
    const cRes = f(t.alpha * c.Bh);
    const rhoLast = rhos[rhos.length - 1];
    const out = new Float32Array(thisSample.length);
    for (let e = 0; e < out.length; e++) {
      let res = 0;
      for (let i = 1; i < order; i++)
        res = f(res + f(rhos[i - 1] * f(f(this.outputs[k - 1 - i][e] - m0[e]) / c.rks[i - 1])));
      const d1t = f(modelT[e] - m0[e]);
      out[e] = f(f(ratio * lastSample[e]) - f(c0 * m0[e])) - f(cRes * f(res + f(rhoLast * d1t)));
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
