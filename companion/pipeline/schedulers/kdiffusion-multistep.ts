// The single-evaluation multistep samplers of k-diffusion v0.0.16 (k_diffusion/sampling.py
// `sample_lms`, `sample_dpmpp_2m`, `sample_dpmpp_2m_sde`) as step functions over explicit state, plus
// the float32 elementwise arithmetic the k-diffusion samplers share. Scalars are 0-dim float32 tensors
// in the reference, hence the Math.fround at every operation.

import { sigmaOf, tOf } from './kdiffusion-plan.js';
import { lmsCoefficient } from './lms-coefficients.js';

const f = Math.fround;

/** What the multistep samplers carry from one step to the next. */
export interface KMultistepState {
  oldDenoised: Float32Array | null;
  hLast: number;
  /** LMS derivatives, newest last. */
  ds: Float32Array[];
}

export function newMultistepState(): KMultistepState {
  return { oldDenoised: null, hLast: 0, ds: [] };
}

/** out = a * x + b * y, elementwise in float32 (a, b scalars). */
export function axpby(a: number, x: Float32Array, b: number, y: Float32Array): Float32Array {
  const out = new Float32Array(x.length);
  for (let i = 0; i < out.length; i++) out[i] = f(a * x[i]) + f(b * y[i]);
  return out;
}

/** x + noise * scale, in place; `noise * s_noise` with s_noise = 1 is exact. */
export function addScaledNoise(x: Float32Array, z: Float32Array, scale: number): Float32Array {
  for (let i = 0; i < x.length; i++) x[i] = x[i] + f(z[i] * scale);
  return x;
}

/** to_d and an Euler step: x + (x - denoised) / sigma * dt. */
export function eulerStep(x: Float32Array, denoised: Float32Array, sigma: number, dt: number): Float32Array {
  const out = new Float32Array(x.length);
  for (let i = 0; i < out.length; i++) out[i] = x[i] + f(f(f(x[i] - denoised[i]) / sigma) * dt);
  return out;
}

/** `sample_lms` (order 4): one step, keeping the last four derivatives in `state.ds`. */
export function lmsStep(
  state: KMultistepState,
  sigmas: Float32Array,
  i: number,
  x: Float32Array,
  denoised: Float32Array,
): Float32Array {
  const sigma = sigmas[i];
  const d = new Float32Array(x.length);
  for (let k = 0; k < d.length; k++) d[k] = f(x[k] - denoised[k]) / sigma;
  state.ds.push(d);
  if (state.ds.length > 4) state.ds.shift();
  const order = Math.min(i + 1, 4);
  const terms = Math.min(order, state.ds.length);
  const acc = new Float32Array(x.length);
  for (let j = 0; j < terms; j++) {
    const c = f(lmsCoefficient(order, sigmas, i, j));
    const dj = state.ds[state.ds.length - 1 - j];
    for (let k = 0; k < acc.length; k++) acc[k] = acc[k] + f(c * dj[k]);
  }
  const out = new Float32Array(x.length);
  for (let k = 0; k < out.length; k++) out[k] = x[k] + acc[k];
  return out;
}

/** `sample_dpmpp_2m`: DPM-Solver++(2M) with the previous denoised in `state.oldDenoised`. */
export function dpmpp2mStep(
  state: KMultistepState,
  sigmas: Float32Array,
  i: number,
  x: Float32Array,
  denoised: Float32Array,
): Float32Array {
  const t = tOf(sigmas[i]);
  const tNext = tOf(sigmas[i + 1]);
  const h = f(tNext - t);
  const ratio = f(sigmaOf(tNext) / sigmaOf(t));
  const c = -f(Math.expm1(-h));
  let out: Float32Array;
  if (state.oldDenoised === null || sigmas[i + 1] === 0) {
    out = axpby(ratio, x, c, denoised);
  } else {
    const hLast = f(t - tOf(sigmas[i - 1]));
    const r = f(hLast / h);
    const w = f(1 / f(2 * r));
    const dd = axpby(f(1 + w), denoised, -w, state.oldDenoised);
    out = axpby(ratio, x, c, dd);
  }
  state.oldDenoised = denoised;
  return out;
}

/** `sample_dpmpp_2m_sde` (eta 1, midpoint): one noise draw per step except the last. */
export function dpmpp2mSdeStep(
  state: KMultistepState,
  sigmas: Float32Array,
  i: number,
  x: Float32Array,
  denoised: Float32Array,
  draw: () => Float32Array,
): Float32Array {
  const sigma = sigmas[i];
  const next = sigmas[i + 1];
  let out: Float32Array;
  let h = state.hLast;
  if (next === 0) {
    out = Float32Array.from(denoised);
  } else {
    const t = tOf(sigma);
    h = f(tOf(next) - t);
    const etaH = h; // eta = 1
    const a = f(f(next / sigma) * f(Math.exp(-etaH)));
    const b = -f(Math.expm1(f(-h - etaH)));
    out = axpby(a, x, b, denoised);
    if (state.oldDenoised !== null) {
      const old = state.oldDenoised;
      const coeff = f(f(0.5 * b) * f(1 / f(state.hLast / h)));
      for (let k = 0; k < out.length; k++) out[k] = out[k] + f(coeff * f(denoised[k] - old[k]));
    }
    const scale = f(Math.sqrt(-f(Math.expm1(f(-2 * etaH)))));
    const z = draw();
    for (let k = 0; k < out.length; k++) out[k] = out[k] + f(f(z[k] * next) * scale);
  }
  state.oldDenoised = denoised;
  state.hLast = h;
  return out;
}
