// Sigma-space helpers shared by the sigma-parameterised schedulers (Euler, Euler a, Heun, LMS,
// DPM-Solver++, UniPC): training sigmas, numpy's `interp`, the Karras et al. (2022) rho=7 schedule
// ("Elucidating the Design Space of Diffusion-Based Generative Models", eq. 5) and diffusers'
// `_sigma_to_t` (scheduling_euler_discrete.py, v0.25.1), which runs in numpy float64.

const f = Math.fround;

/** `((1 - ac) / ac) ** 0.5` in float32, ascending in t (index = training timestep). */
export function trainingSigmas(alphasCumprod: Float32Array): Float32Array {
  return alphasCumprod.map((a) => f(Math.sqrt(f(f(1 - a) / a))));
}

/** `np.interp(x, arange(len(fp)), fp)` in float64. */
export function interpOnIndex(x: ArrayLike<number>, fp: ArrayLike<number>): Float64Array {
  const out = new Float64Array(x.length);
  const last = fp.length - 1;
  for (let i = 0; i < x.length; i++) {
    const v = x[i];
    if (v <= 0) out[i] = fp[0];
    else if (v >= last) out[i] = fp[last];
    else {
      const j = Math.floor(v);
      const slope = fp[j + 1] - fp[j];
      out[i] = slope * (v - j) + fp[j];
    }
  }
  return out;
}

/**
 * diffusers `_convert_to_karras` (numpy float64): `sigma_min`/`sigma_max` are the last and first
 * of `inSigmas` (descending), `ramp = linspace(0, 1, n)`, rho = 7.
 */
export function karrasFromSigmas(inSigmas: ArrayLike<number>, steps: number, rho = 7): Float64Array {
  const sigmaMin = inSigmas[inSigmas.length - 1];
  const sigmaMax = inSigmas[0];
  const minInv = sigmaMin ** (1 / rho);
  const maxInv = sigmaMax ** (1 / rho);
  const out = new Float64Array(steps);
  for (let i = 0; i < steps; i++) {
    const ramp = steps === 1 ? 0 : i === steps - 1 ? 1 : i * (1 / (steps - 1));
    out[i] = (maxInv + ramp * (minInv - maxInv)) ** rho;
  }
  return out;
}

/**
 * diffusers `_sigma_to_t`: piecewise-linear inverse of log-sigma over the training grid, float64
 * arithmetic on float32 `logSigmas` (ascending). Returns a fractional timestep.
 */
export function sigmaToTimestep(sigma: number, logSigmas: Float32Array): number {
  const logSigma = Math.log(Math.max(sigma, 1e-10));
  let count = 0;
  for (let i = 0; i < logSigmas.length; i++) if (logSigma - logSigmas[i] >= 0) count++;
  // argmax of the cumulative count = last index with dist >= 0 (0 when none), capped at len - 2.
  const low = Math.min(Math.max(count - 1, 0), logSigmas.length - 2);
  const lo = logSigmas[low];
  const hi = logSigmas[low + 1];
  const w = Math.min(Math.max((lo - logSigma) / (lo - hi), 0), 1);
  return (1 - w) * low + w * (low + 1);
}

export function logOf(values: Float32Array): Float32Array {
  return values.map((v) => f(Math.log(v)));
}
