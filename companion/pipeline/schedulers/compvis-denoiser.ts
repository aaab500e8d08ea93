// The discrete-time wrapper k-diffusion v0.0.16 puts around an SD UNet, as AUTOMATIC1111 runs it:
// k_diffusion/external.py `CompVisDenoiser` / `CompVisVDenoiser` with quantize=False, and the
// sigma schedules of k_diffusion/sampling.py (`get_sigmas` "discrete", `get_sigmas_karras`).
// Everything is emulated in float32, the dtype torch runs these in; sigma_to_t yields fractional
// timesteps, which is what the UNet receives.

import { ldmAlphasCumprod, torchLinspaceF32 } from './beta-schedule.js';
import { trainingSchedule } from './scheduler-config.js';
import type { PredictionType, SchedulerConfig } from './types.js';

const f = Math.fround;

export type KSigmaSchedule = 'discrete' | 'karras';

export class CompVisDenoiser {
  /** Training sigmas, ascending (index = timestep). */
  readonly sigmas: Float32Array;
  readonly logSigmas: Float32Array;

  constructor(
    alphasCumprod: Float32Array,
    readonly predictionType: PredictionType = 'epsilon',
  ) {
    this.sigmas = alphasCumprod.map((a) => f(Math.sqrt(f(f(1 - a) / a))));
    this.logSigmas = this.sigmas.map((s) => f(Math.log(s)));
  }

  /**
   * From a diffusers scheduler config: `scaled_linear` is LDM's "linear" schedule, which LDM
   * computes in float64 before casting; other schedules use diffusers' float32 alphas_cumprod.
   */
  static fromConfig(config: SchedulerConfig): CompVisDenoiser {
    const ac =
      config.beta_schedule === 'scaled_linear' && !config.trained_betas && !config.rescale_betas_zero_snr
        ? ldmAlphasCumprod(config.beta_start, config.beta_end, config.num_train_timesteps)
        : trainingSchedule(config).alphasCumprod;
    return new CompVisDenoiser(ac, config.prediction_type);
  }

  get sigmaMin(): number {
    return this.sigmas[0];
  }

  get sigmaMax(): number {
    return this.sigmas[this.sigmas.length - 1];
  }

  /** `sigma_to_t(sigma, quantize=False)`: fractional timestep, float32. */
  sigmaToT(sigma: number): number {
    const ls = this.logSigmas;
    const logSigma = f(Math.log(sigma));
    let count = 0;
    for (let i = 0; i < ls.length; i++) if (logSigma >= ls[i]) count++;
    const low = Math.min(Math.max(count - 1, 0), ls.length - 2);
    const lo = ls[low];
    const hi = ls[low + 1];
    const w = Math.min(Math.max(f(f(lo - logSigma) / f(lo - hi)), 0), 1);
    return f(f(f(1 - w) * low) + f(w * (low + 1)));
  }

  /** `t_to_sigma(t)`: log-linear interpolation of the training sigmas, float32. */
  tToSigma(t: number): number {
    const low = Math.floor(t);
    const high = Math.ceil(t);
    const w = f(t - Math.trunc(t));
    const logSigma = f(f(f(1 - w) * this.logSigmas[low]) + f(w * this.logSigmas[high]));
    return f(Math.exp(logSigma));
  }

  /** n sigmas plus a trailing 0. */
  schedule(kind: KSigmaSchedule, n: number): Float32Array {
    const out = new Float32Array(n + 1);
    if (kind === 'discrete') {
      const t = torchLinspaceF32(this.sigmas.length - 1, 0, n);
      for (let i = 0; i < n; i++) out[i] = this.tToSigma(t[i]);
    } else {
      // get_sigmas_karras(n, sigma_min=sigmas[0].item(), sigma_max=sigmas[-1].item(), rho=7)
      const rho = 7;
      const minInv = this.sigmaMin ** (1 / rho);
      const maxInv = this.sigmaMax ** (1 / rho);
      const ramp = torchLinspaceF32(0, 1, n);
      const span = f(minInv - maxInv);
      for (let i = 0; i < n; i++) out[i] = f(f(f(maxInv) + f(ramp[i] * span)) ** rho);
    }
    return out;
  }

  /** `c_in = 1 / sqrt(sigma^2 + 1)`: the UNet sees `x * c_in`. */
  scaleInput(x: Float32Array, sigma: number): Float32Array {
    const cIn = f(1 / f(Math.sqrt(f(f(sigma * sigma) + 1))));
    const out = new Float32Array(x.length);
    for (let i = 0; i < out.length; i++) out[i] = x[i] * cIn;
    return out;
  }

  /** The denoiser output D(x, sigma) from the UNet output (eps, v or x0 prediction). */
  denoised(modelOutput: Float32Array, x: Float32Array, sigma: number): Float32Array {
    const out = new Float32Array(x.length);
    if (this.predictionType === 'epsilon') {
      const cOut = -sigma;
      for (let i = 0; i < out.length; i++) out[i] = x[i] + f(modelOutput[i] * cOut);
    } else if (this.predictionType === 'v_prediction') {
      // CompVisVDenoiser (sigma_data = 1): c_skip = 1/(s^2+1), c_out = -s/sqrt(s^2+1)
      const s2p1 = f(f(sigma * sigma) + 1);
      const cSkip = f(1 / s2p1);
      const cOut = f(f(-sigma) / f(Math.sqrt(s2p1)));
      for (let i = 0; i < out.length; i++) out[i] = f(x[i] * cSkip) + f(modelOutput[i] * cOut);
    } else {
      out.set(modelOutput);
    }
    return out;
  }
}
