// The forward process q(x_t | x_0) of Ho et al. (2020), "Denoising Diffusion Probabilistic Models",
// eq. 4, as diffusers' alpha-parameterised schedulers apply it (DDIM, PNDM, DPM-Solver++, UniPC, LCM
// `add_noise`), and the inverse that recovers x_0 / eps from a model output for each prediction type
// (scheduling_ddim.py `step`, step 3). Float32 arithmetic, as torch does it.

import type { PredictionType } from './types.js';

const f = Math.fround;

/** `sqrt(ac[t]) * x0 + sqrt(1 - ac[t]) * noise`. */
export function addNoiseAtTimestep(
  original: Float32Array,
  noise: Float32Array,
  alphasCumprod: Float32Array,
  timestep: number,
): Float32Array {
  if (original.length !== noise.length) {
    throw new Error(`noise must have the sample's ${original.length} elements, got ${noise.length}`);
  }
  const t = Math.round(timestep);
  const a = alphasCumprod[t];
  const sqrtA = f(Math.sqrt(a));
  const sqrtB = f(Math.sqrt(f(1 - a)));
  const out = new Float32Array(original.length);
  for (let i = 0; i < out.length; i++) out[i] = f(sqrtA * original[i]) + f(sqrtB * noise[i]);
  return out;
}

export interface X0AndEps {
  x0: Float32Array;
  eps: Float32Array;
}

/** diffusers DDIM step 3: `pred_original_sample` and `pred_epsilon` from the model output at alpha_prod_t. */
export function x0AndEps(
  predictionType: PredictionType,
  modelOutput: Float32Array,
  sample: Float32Array,
  alphaProdT: number,
): X0AndEps {
  const sqrtA = f(Math.sqrt(alphaProdT));
  const sqrtB = f(Math.sqrt(f(1 - alphaProdT)));
  const n = sample.length;
  const x0 = new Float32Array(n);
  const eps = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const m = modelOutput[i];
    const s = sample[i];
    if (predictionType === 'epsilon') {
      x0[i] = f(s - f(sqrtB * m)) / sqrtA;
      eps[i] = m;
    } else if (predictionType === 'sample') {
      x0[i] = m;
      eps[i] = f(s - f(sqrtA * m)) / sqrtB;
    } else {
      x0[i] = f(sqrtA * s) - f(sqrtB * m);
      eps[i] = f(sqrtA * m) + f(sqrtB * s);
    }
  }
  return { x0, eps };
}

/** `clip_sample`: clamp x_0 into [-range, range] in place. */
export function clipInPlace(x: Float32Array, range: number): void {
  for (let i = 0; i < x.length; i++) x[i] = Math.min(Math.max(x[i], -range), range);
}
