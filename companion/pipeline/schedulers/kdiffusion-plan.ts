// The model evaluations a k-diffusion v0.0.16 sampler makes over a sigma schedule, worked out ahead
// of time so that 2-evaluation samplers fit the index-based Scheduler surface (as diffusers does for
// Heun). The second evaluation's sigma depends only on the schedule: Heun evaluates at sigmas[i+1];
// DPM++ 2S a at the log-midpoint towards sigma_down; DPM++ SDE at t + r*h. Scalar maths in float32,
// matching the 0-dim torch tensors of k_diffusion/sampling.py.

const f = Math.fround;

export type KSampler =
  | 'euler'
  | 'euler_ancestral'
  | 'heun'
  | 'lms'
  | 'dpmpp_2s_ancestral'
  | 'dpmpp_sde'
  | 'dpmpp_2m'
  | 'dpmpp_2m_sde';

export interface KEvaluation {
  /** sigma the model is evaluated at. */
  sigma: number;
  /** outer iteration i of the sampler loop (user-visible step). */
  step: number;
  /** 0: first evaluation of the step; 1: the second (Heun / 2S / SDE). */
  stage: 0 | 1;
}

/** `t_fn`: sigma -> t = -log(sigma). */
export const tOf = (sigma: number): number => -f(Math.log(sigma));
/** `sigma_fn`: t -> exp(-t). */
export const sigmaOf = (t: number): number => f(Math.exp(-t));

/** `get_ancestral_step(sigma_from, sigma_to, eta)`: [sigma_down, sigma_up]. */
export function ancestralStep(from: number, to: number, eta = 1): [number, number] {
  if (!eta) return [to, 0];
  const to2 = f(to * to);
  const from2 = f(from * from);
  const up = Math.min(to, f(eta * f(Math.sqrt(f(f(to2 * f(from2 - to2)) / from2)))));
  const down = f(Math.sqrt(f(to2 - f(up * up))));
  return [down, up];
}

/** DPM++ 2S a: sigma of the midpoint evaluation towards sigma_down, or null for the Euler fallback. */
export function twoSMidSigma(sigma: number, sigmaNext: number): number | null {
  const [down] = ancestralStep(sigma, sigmaNext);
  if (down === 0) return null;
  const t = tOf(sigma);
  const h = f(tOf(down) - t);
  return sigmaOf(f(t + f(0.5 * h)));
}

/** DPM++ SDE (r = 1/2): sigma of the intermediate evaluation, or null on the final step to 0. */
export function sdeMidSigma(sigma: number, sigmaNext: number, r = 0.5): number | null {
  if (sigmaNext === 0) return null;
  const t = tOf(sigma);
  const h = f(tOf(sigmaNext) - t);
  return sigmaOf(f(t + f(h * r)));
}

export function evaluationPlan(sampler: KSampler, sigmas: Float32Array): KEvaluation[] {
  const plan: KEvaluation[] = [];
  for (let i = 0; i + 1 < sigmas.length; i++) {
    plan.push({ sigma: sigmas[i], step: i, stage: 0 });
    let second: number | null = null;
    if (sampler === 'heun') second = sigmas[i + 1] === 0 ? null : sigmas[i + 1];
    else if (sampler === 'dpmpp_2s_ancestral') second = twoSMidSigma(sigmas[i], sigmas[i + 1]);
    else if (sampler === 'dpmpp_sde') second = sdeMidSigma(sigmas[i], sigmas[i + 1]);
    if (second !== null) plan.push({ sigma: second, step: i, stage: 1 });
  }
  return plan;
}
