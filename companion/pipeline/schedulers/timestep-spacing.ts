// Which training timesteps an n-step schedule visits, per diffusers v0.25.1 `set_timesteps`
// (scheduling_euler_discrete.py, scheduling_ddim.py, scheduling_dpmsolver_multistep.py) and the
// img2img truncation of pipeline_stable_diffusion_img2img.py `get_timesteps`.
// "Common Diffusion Noise Schedules and Sample Steps are Flawed" (Lin et al. 2023), Table 2, names
// the three spacings. Results are descending, in float64; callers cast the way their class does.

import type { TimestepSpacing } from './types.js';

/** numpy's `round` (half to even). */
export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** `np.linspace(start, stop, num)` (endpoint included), float64. */
export function numpyLinspace(start: number, stop: number, num: number): Float64Array {
  const out = new Float64Array(num);
  if (num === 1) {
    out[0] = start;
    return out;
  }
  const step = (stop - start) / (num - 1);
  for (let i = 0; i < num; i++) out[i] = start + i * step;
  out[num - 1] = stop;
  return out;
}

/** `np.arange(start, stop, step)` for a negative float step. */
function arangeDown(start: number, stop: number, step: number): Float64Array {
  const n = Math.max(0, Math.ceil((stop - start) / step));
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = start + i * step;
  return out;
}

/**
 * How a scheduler class lays out its `linspace`/`leading` grid:
 * - `sigma`: Euler, Euler a, Heun, LMS: `linspace(0, N-1, n)` unrounded; leading `arange(n) * (N // n)`.
 * - `rounded`: DDIM, PNDM: like `sigma` with the linspace rounded to integers.
 * - `multistep`: DPM-Solver++, UniPC: n+1 points, the last (t=0) dropped; leading ratio `N // (n+1)`.
 */
export type SpacingFamily = 'sigma' | 'rounded' | 'multistep';

export function spacedTimesteps(
  spacing: TimestepSpacing,
  family: SpacingFamily,
  numTrain: number,
  steps: number,
  stepsOffset: number,
): Float64Array {
  if (!Number.isInteger(steps) || steps < 1)
    throw new Error(`steps must be a positive integer, got ${steps}`);
  if (steps > numTrain)
    throw new Error(`steps must be at most num_train_timesteps (${numTrain}), got ${steps}`);
  const extra = family === 'multistep' ? 1 : 0;
  const count = steps + extra;
  let ascending: Float64Array;
  switch (spacing) {
    case 'linspace': {
      ascending = numpyLinspace(0, numTrain - 1, count);
      if (family !== 'sigma') ascending = ascending.map(roundHalfEven);
      break;
    }
    case 'leading': {
      const ratio = Math.floor(numTrain / count);
      ascending = new Float64Array(count);
      for (let i = 0; i < count; i++) ascending[i] = i * ratio + stepsOffset;
      break;
    }
    case 'trailing': {
      const ratio = numTrain / steps;
      return arangeDown(numTrain, 0, -ratio).map((t) => roundHalfEven(t) - 1);
    }
    default:
      throw new Error(`timestep_spacing must be leading, linspace or trailing, got ${spacing}`);
  }
  const descending = ascending.reverse();
  return extra ? descending.subarray(0, steps).slice() : descending;
}

/**
 * diffusers StableDiffusionImg2ImgPipeline.get_timesteps: with `strength` s, the first
 * `t_start = n - min(floor(n * s), n)` user steps are skipped; evaluation starts at `t_start * order`.
 */
export function img2imgStartStep(steps: number, strength: number): number {
  if (!(strength >= 0 && strength <= 1)) throw new Error(`strength must be in [0, 1], got ${strength}`);
  const initTimestep = Math.min(Math.floor(steps * strength), steps);
  return Math.max(steps - initTimestep, 0);
}
