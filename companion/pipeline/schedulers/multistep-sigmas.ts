// Schedule and parameterisation shared by diffusers' multistep solvers (scheduling_dpmsolver_multistep.py
// and scheduling_unipc_multistep.py, v0.25.1): integer timesteps from n+1 spaced points, sigmas
// interpolated at them plus a final sigma at t=0 (or Karras sigmas with rounded timesteps), the
// (alpha_t, sigma_t, lambda_t) of a VP model at a given sigma, and the x0 ("data") prediction.

import { interpOnIndex, karrasFromSigmas, logOf, sigmaToTimestep, trainingSigmas } from './sigma-schedule.js';
import { roundHalfEven, spacedTimesteps } from './timestep-spacing.js';
import type { PredictionType, SchedulerConfig } from './types.js';

const f = Math.fround;

export interface MultistepSigmas {
  timesteps: Float64Array;
  /** steps + 1 float32 values; the last is the t=0 sigma (not 0). */
  sigmas: Float32Array;
}

export function multistepSigmas(
  config: SchedulerConfig,
  alphasCumprod: Float32Array,
  steps: number,
): MultistepSigmas {
  const train = trainingSigmas(alphasCumprod);
  let timesteps = spacedTimesteps(
    config.timestep_spacing,
    'multistep',
    config.num_train_timesteps,
    steps,
    config.steps_offset,
  );
  const sigmas = new Float32Array(steps + 1);
  if (config.use_karras_sigmas) {
    const descending = train.slice().reverse();
    const karras = karrasFromSigmas(descending, steps);
    const logSigmas = logOf(train);
    timesteps = karras.map((s) => roundHalfEven(sigmaToTimestep(s, logSigmas)));
    sigmas.set(karras);
    sigmas[steps] = sigmas[steps - 1];
  } else {
    sigmas.set(interpOnIndex(timesteps, train));
    sigmas[steps] = train[0];
  }
  return { timesteps, sigmas };
}

export interface AlphaSigma {
  alpha: number;
  sigma: number;
  /** log(alpha) - log(sigma), the half-log-SNR. */
  lambda: number;
}

/** `_sigma_to_alpha_sigma_t` plus lambda, in float32. */
export function alphaSigmaOf(sigma: number): AlphaSigma {
  const alpha = f(1 / f(Math.sqrt(f(f(sigma * sigma) + 1))));
  const s = f(sigma * alpha);
  return { alpha, sigma: s, lambda: f(f(Math.log(alpha)) - f(Math.log(s))) };
}

/** `convert_model_output` for data-prediction solvers: x0 from the model output at `sigma`. */
export function convertToX0(
  predictionType: PredictionType,
  modelOutput: Float32Array,
  sample: Float32Array,
  sigma: number,
): Float32Array {
  const { alpha, sigma: sigmaT } = alphaSigmaOf(sigma);
  const out = new Float32Array(sample.length);
  for (let i = 0; i < out.length; i++) {
    if (predictionType === 'epsilon') out[i] = f(sample[i] - f(sigmaT * modelOutput[i])) / alpha;
    else if (predictionType === 'v_prediction') out[i] = f(alpha * sample[i]) - f(sigmaT * modelOutput[i]);
    else out[i] = modelOutput[i];
  }
  return out;
}
