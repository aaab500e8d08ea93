// k-diffusion v0.0.16 samplers (k_diffusion/sampling.py, the commit AUTOMATIC1111 pins) behind the
// Scheduler surface, for the A1111 samplers diffusers lacks (DPM++ 2S a, DPM++ SDE, Karras variants)
// and for checking against k-diffusion goldens. The UNet is wrapped as CompVisDenoiser: input
// x * c_in, fractional timestep sigma_to_t(sigma), denoised = x - sigma * eps. Seeded noise replaces
// k-diffusion's `noise_sampler` (one `noise.randn(shape)` per call, in the reference's order);
// the global-RNG draws of sample_euler/sample_heun (unused with s_churn = 0) are not replayed.
// Defaults as A1111 calls them: eta = 1, s_noise = 1, r = 1/2, LMS order 4, 2M SDE midpoint.

import { CompVisDenoiser, type KSigmaSchedule } from './compvis-denoiser.js';
import { startStep } from './discrete-sigmas.js';
import {
  addScaledNoise,
  axpby,
  dpmpp2mSdeStep,
  dpmpp2mStep,
  eulerStep,
  type KMultistepState,
  lmsStep,
  newMultistepState,
} from './kdiffusion-multistep.js';
import {
  ancestralStep,
  evaluationPlan,
  type KEvaluation,
  type KSampler,
  sigmaOf,
  tOf,
} from './kdiffusion-plan.js';
import { checkSteps, resolveConfig } from './scheduler-config.js';
import type {
  CreateSchedulerOptions,
  NoiseSource,
  SamplerId,
  Scheduler,
  SchedulerConfig,
  StepOutput,
} from './types.js';

const f = Math.fround;

export class KDiffusionScheduler implements Scheduler {
  readonly timesteps: Float64Array;
  /** n + 1 schedule sigmas ending in 0. */
  readonly sigmas: Float32Array;
  readonly plan: readonly KEvaluation[];
  readonly steps: number;
  readonly initNoiseSigma: number;
  readonly order: number;
  readonly beginIndex: number;
  readonly denoiser: CompVisDenoiser;
  private readonly startStep: number;
  // State carried between evaluations (named after the reference's locals).
  private x: Float32Array | null = null;
  private denoised: Float32Array | null = null;
  private readonly multistep: KMultistepState = newMultistepState();

  constructor(
    readonly sampler: KSampler,
    given: Partial<SchedulerConfig>,
    numInferenceSteps: number,
    schedule: KSigmaSchedule,
    opts: CreateSchedulerOptions = {},
    readonly id: SamplerId = 'euler',
  ) {
    const config = resolveConfig(given);
    checkSteps(numInferenceSteps, config);
    this.denoiser = CompVisDenoiser.fromConfig(config);
    this.sigmas = this.denoiser.schedule(schedule, numInferenceSteps);
    this.plan = evaluationPlan(sampler, this.sigmas);
    this.timesteps = Float64Array.from(this.plan, (e) => this.denoiser.sigmaToT(e.sigma));
    this.initNoiseSigma = this.sigmas[0];
    this.order = this.plan.length > numInferenceSteps ? 2 : 1;
    this.startStep = startStep(numInferenceSteps, opts.strength);
    const first = this.plan.findIndex((e) => e.step === this.startStep);
    // strength 0 keeps no step: begin past the end, as the diffusers-style schedulers do
    this.beginIndex = first < 0 ? this.plan.length : first;
    this.steps = numInferenceSteps - this.startStep;
  }

  scaleModelInput(sample: Float32Array, index: number): Float32Array {
    return this.denoiser.scaleInput(sample, this.plan[index].sigma);
  }

  step(
    modelOutput: Float32Array,
    index: number,
    sample: Float32Array,
    noise: NoiseSource,
    shape: number[],
  ): StepOutput {
    const { step: i, stage, sigma } = this.plan[index];
    const denoised = this.denoiser.denoised(modelOutput, sample, sigma);
    const next = this.sigmas[i + 1];
    const draw = () => noise.randn(shape);
    if (stage === 1)
      return { prevSample: this.secondStage(i, sample, denoised, draw), predOriginal: denoised };
    const hasSecond = this.plan[index + 1]?.stage === 1;
    let out: Float32Array;
    switch (this.sampler) {
      case 'euler':
        out = eulerStep(sample, denoised, sigma, f(next - sigma));
        break;
      case 'euler_ancestral': {
        const [down, up] = ancestralStep(sigma, next);
        out = eulerStep(sample, denoised, sigma, f(down - sigma));
        if (next > 0) addScaledNoise(out, draw(), up);
        break;
      }
      case 'lms':
        out = lmsStep(this.multistep, this.sigmas, i, sample, denoised);
        break;
      case 'dpmpp_2m':
        out = dpmpp2mStep(this.multistep, this.sigmas, i, sample, denoised);
        break;
      case 'dpmpp_2m_sde':
        out = dpmpp2mSdeStep(this.multistep, this.sigmas, i, sample, denoised, draw);
        break;
      default:
        out = hasSecond
          ? this.firstStage(i, sample, denoised, draw)
          : this.finalEuler(i, sample, denoised, draw);
    }
    return { prevSample: out, predOriginal: denoised };
  }

  /** Heun / 2S a / SDE steps with no second evaluation (the step down to 0, or sigma_down = 0). */
  private finalEuler(
    i: number,
    x: Float32Array,
    denoised: Float32Array,
    draw: () => Float32Array,
  ): Float32Array {
    const sigma = this.sigmas[i];
    const next = this.sigmas[i + 1];
    if (this.sampler === 'dpmpp_2s_ancestral') {
      const [down, up] = ancestralStep(sigma, next);
      const out = eulerStep(x, denoised, sigma, f(down - sigma));
      return next > 0 ? addScaledNoise(out, draw(), up) : out;
    }
    return eulerStep(x, denoised, sigma, f(next - sigma));
  }

  /** First evaluation of a two-evaluation step: returns the point where the second is made. */
  private firstStage(
    i: number,
    x: Float32Array,
    denoised: Float32Array,
    draw: () => Float32Array,
  ): Float32Array {
    const sigma = this.sigmas[i];
    const next = this.sigmas[i + 1];
    this.x = x;
    this.denoised = denoised;
    if (this.sampler === 'heun') return eulerStep(x, denoised, sigma, f(next - sigma));
    const t = tOf(sigma);
    if (this.sampler === 'dpmpp_2s_ancestral') {
      const [down] = ancestralStep(sigma, next);
      const h = f(tOf(down) - t);
      const s = f(t + f(0.5 * h));
      return axpby(f(sigmaOf(s) / sigmaOf(t)), x, -f(Math.expm1(f(-h * 0.5))), denoised);
    }
    // dpmpp_sde, step 1: ancestral step to sigma(s), then noise
    const h = f(tOf(next) - t);
    const s = f(t + f(h * 0.5));
    const [sd, su] = ancestralStep(sigmaOf(t), sigmaOf(s));
    const s2 = tOf(sd);
    const x2 = axpby(f(sigmaOf(s2) / sigmaOf(t)), x, -f(Math.expm1(f(t - s2))), denoised);
    return addScaledNoise(x2, draw(), su);
  }

  private secondStage(
    i: number,
    x2: Float32Array,
    denoised2: Float32Array,
    draw: () => Float32Array,
  ): Float32Array {
    const x = this.x as Float32Array;
    const denoised = this.denoised as Float32Array;
    const sigma = this.sigmas[i];
    const next = this.sigmas[i + 1];
    this.x = null;
    this.denoised = null;
    if (this.sampler === 'heun') {
      const dt = f(next - sigma);
      const out = new Float32Array(x.length);
      for (let k = 0; k < out.length; k++) {
        const d = f(f(x[k] - denoised[k]) / sigma);
        const d2 = f(f(x2[k] - denoised2[k]) / next);
        out[k] = x[k] + f(f(f(d + d2) / 2) * dt);
      }
      return out;
    }
    const t = tOf(sigma);
    if (this.sampler === 'dpmpp_2s_ancestral') {
      const [down, up] = ancestralStep(sigma, next);
      const tNext = tOf(down);
      const h = f(tNext - t);
      const out = axpby(f(sigmaOf(tNext) / sigmaOf(t)), x, -f(Math.expm1(-h)), denoised2);
      return next > 0 ? addScaledNoise(out, draw(), up) : out;
    }
    // dpmpp_sde, step 2 with fac = 1 / (2r) = 1: denoised_d = 0 * denoised + 1 * denoised_2
    const [sd, su] = ancestralStep(sigmaOf(t), sigmaOf(tOf(next)));
    const tNext2 = tOf(sd);
    const out = axpby(f(sigmaOf(tNext2) / sigmaOf(t)), x, -f(Math.expm1(f(t - tNext2))), denoised2);
    return addScaledNoise(out, draw(), su);
  }

  addNoise(original: Float32Array, noise: Float32Array, index: number): Float32Array {
    const sigma = this.plan[index].sigma;
    const out = new Float32Array(original.length);
    for (let i = 0; i < out.length; i++) out[i] = original[i] + f(noise[i] * sigma);
    return out;
  }

  stepOf(index: number): number {
    return this.plan[index].step - this.startStep;
  }
}
