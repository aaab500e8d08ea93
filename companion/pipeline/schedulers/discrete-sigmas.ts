// The sigma schedule of diffusers' "discrete" k-style schedulers (EulerDiscrete, EulerAncestralDiscrete,
// HeunDiscrete, LMSDiscrete, v0.25.1 `set_timesteps`): spaced timesteps, sigmas interpolated from the
// training sigmas in float64, optional Karras sigmas mapped back to fractional timesteps, a trailing 0,
// and `init_noise_sigma`. Also the shared sample scaling `x / sqrt(sigma^2 + 1)`.

import { interpOnIndex, karrasFromSigmas, logOf, sigmaToTimestep, trainingSigmas } from './sigma-schedule.js';
import { img2imgStartStep, spacedTimesteps } from './timestep-spacing.js';
import type { SchedulerConfig } from './types.js';

const f = Math.fround;

export interface DiscreteSigmaSchedule {
  /** One per user step, descending. */
  timesteps: Float64Array;
  /** steps + 1 values, float32, ending in 0. */
  sigmas: Float32Array;
  initNoiseSigma: number;
}

/**
 * @param timestepDtype Euler/Euler a keep float32 timesteps (np.float32 linspace), Heun/LMS float64.
 */
export function discreteSigmaSchedule(
  config: SchedulerConfig,
  alphasCumprod: Float32Array,
  steps: number,
  timestepDtype: 'float32' | 'float64',
): DiscreteSigmaSchedule {
  let timesteps = spacedTimesteps(
    config.timestep_spacing,
    'sigma',
    config.num_train_timesteps,
    steps,
    config.steps_offset,
  );
  if (timestepDtype === 'float32') timesteps = timesteps.map(f);
  const train = trainingSigmas(alphasCumprod);
  let sigmas = interpOnIndex(timesteps, train);
  if (config.use_karras_sigmas) {
    const logSigmas = logOf(train);
    sigmas = karrasFromSigmas(sigmas, steps);
    timesteps = sigmas.map((s) => sigmaToTimestep(s, logSigmas));
    if (timestepDtype === 'float32') timesteps = timesteps.map(f);
  }
  const out = new Float32Array(steps + 1);
  out.set(sigmas);
  let max = 0;
  for (const s of out) max = Math.max(max, s);
  const initNoiseSigma = config.timestep_spacing === 'leading' ? f(Math.sqrt(f(f(max * max) + 1))) : max;
  return { timesteps, sigmas: out, initNoiseSigma };
}

/** `sample / ((sigma**2 + 1) ** 0.5)` in float32. */
export function scaleBySigma(sample: Float32Array, sigma: number): Float32Array {
  const denom = f(Math.sqrt(f(f(sigma * sigma) + 1)));
  const out = new Float32Array(sample.length);
  for (let i = 0; i < sample.length; i++) out[i] = sample[i] / denom;
  return out;
}

/** Noise `original + noise * sigma` (diffusers sigma-space `add_noise`). */
export function addNoiseAtSigma(original: Float32Array, noise: Float32Array, sigma: number): Float32Array {
  if (original.length !== noise.length) {
    throw new Error(`noise must have the sample's ${original.length} elements, got ${noise.length}`);
  }
  const out = new Float32Array(original.length);
  for (let i = 0; i < out.length; i++) out[i] = original[i] + f(noise[i] * sigma);
  return out;
}

/** diffusers `pred_original_sample` for sigma-space schedulers (Euler/Heun/LMS `step`, step 1). */
export function predictOriginal(
  predictionType: SchedulerConfig['prediction_type'],
  modelOutput: Float32Array,
  sample: Float32Array,
  sigma: number,
): Float32Array {
  const out = new Float32Array(sample.length);
  if (predictionType === 'epsilon') {
    for (let i = 0; i < out.length; i++) out[i] = sample[i] - f(sigma * modelOutput[i]);
  } else if (predictionType === 'v_prediction') {
    const s2p1 = f(f(sigma * sigma) + 1);
    const cOut = f(-sigma / f(Math.sqrt(s2p1)));
    for (let i = 0; i < out.length; i++) out[i] = f(modelOutput[i] * cOut) + f(sample[i] / s2p1);
  } else {
    out.set(modelOutput);
  }
  return out;
}

/** img2img: the first user step kept, validated. */
export function startStep(steps: number, strength: number | undefined): number {
  return strength === undefined ? 0 : img2imgStartStep(steps, strength);
}
