// For Gaussian data N(mu, s^2) the exact denoiser is known, D(x, sigma) = mu + s^2/(s^2+sigma^2) (x - mu),
// and the probability-flow ODE has the closed form x(sigma) = mu + (x(sigma0) - mu) sqrt((s^2+sigma^2)/(s^2+sigma0^2))
// (Karras et al. 2022, eq. 1). Deterministic samplers must approach it as steps grow, and the
// higher-order ones faster than Euler: this exercises the multistep/corrector terms that vanish for
// the point-mass model of the conformance suite.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TorchGenerator } from '../../../companion/pipeline/rng/torch-generator.js';
import { createScheduler } from '../../../companion/pipeline/schedulers/create-scheduler.js';
import type { KSampler } from '../../../companion/pipeline/schedulers/kdiffusion-plan.js';
import { KDiffusionScheduler } from '../../../companion/pipeline/schedulers/kdiffusion-sampler.js';
import type { SamplerId, Scheduler } from '../../../companion/pipeline/schedulers/types.js';

const SD15 = {
  beta_start: 0.00085,
  beta_end: 0.012,
  beta_schedule: 'scaled_linear' as const,
  steps_offset: 1,
  set_alpha_to_one: false,
  clip_sample: false,
};
const SHAPE = [1, 4, 8, 8];
const MU = 0.3;
const S = 0.5;
/** Samplers whose sample lives in alpha space (x_t = alpha x_sigma) and that stop at the t=0 sigma. */
const ALPHA_SPACE = new Set<string>(['ddim', 'pndm', 'dpmpp_2m', 'dpmpp_2m_karras', 'unipc']);

const TRAIN_SIGMAS: number[] = [];
{
  let ac = 1;
  const a = Math.sqrt(0.00085);
  const b = Math.sqrt(0.012);
  for (let k = 0; k < 1000; k++) {
    const r = a + ((b - a) * k) / 999;
    ac *= 1 - r * r;
    TRAIN_SIGMAS.push(Math.sqrt((1 - ac) / ac));
  }
}

function sigmaAt(t: number): number {
  const lo = Math.floor(t);
  const w = t - lo;
  const hi = Math.min(lo + 1, 999);
  return Math.exp((1 - w) * Math.log(TRAIN_SIGMAS[lo]) + w * Math.log(TRAIN_SIGMAS[hi]));
}

/** eps-prediction UNet for Gaussian data, given the DDPM-scaled input. */
function gaussianEps(xIn: Float32Array, t: number): Float32Array {
  const sigma = sigmaAt(t);
  const c = Math.sqrt(1 + sigma * sigma);
  return xIn.map((v) => {
    const x = v * c;
    const denoised = MU + ((S * S) / (S * S + sigma * sigma)) * (x - MU);
    return (x - denoised) / sigma;
  });
}

function odeError(sched: Scheduler, alphaSpace: boolean, sigma0: number): number {
  const gen = new TorchGenerator(0);
  let x: Float32Array = gen.randn(SHAPE).map((v) => Math.fround(v * sched.initNoiseSigma));
  const start = alphaSpace ? x.map((v) => v * Math.sqrt(1 + sigma0 * sigma0)) : x;
  for (let i = 0; i < sched.timesteps.length; i++) {
    x = sched.step(gaussianEps(sched.scaleModelInput(x, i), sched.timesteps[i]), i, x, gen, SHAPE).prevSample;
  }
  const sigmaEnd = alphaSpace ? TRAIN_SIGMAS[0] : 0;
  const scale = Math.sqrt((S * S + sigmaEnd * sigmaEnd) / (S * S + sigma0 * sigma0));
  let worst = 0;
  for (let i = 0; i < x.length; i++) {
    const got = alphaSpace ? x[i] * Math.sqrt(1 + sigmaEnd * sigmaEnd) : x[i];
    worst = Math.max(worst, Math.abs(got - (MU + (start[i] - MU) * scale)));
  }
  return worst;
}

function diffusersError(id: SamplerId, steps: number): number {
  const sched = createScheduler(id, SD15, steps);
  const alpha = ALPHA_SPACE.has(id);
  const sigma0 = alpha
    ? sigmaAt(sched.timesteps[0])
    : (sched as unknown as { sigmas: Float32Array }).sigmas[0];
  return odeError(sched, alpha, sigma0);
}

function kError(sampler: KSampler, schedule: 'discrete' | 'karras', steps: number): number {
  const sched = new KDiffusionScheduler(sampler, SD15, steps, schedule);
  return odeError(sched, false, sched.sigmas[0]);
}

describe('probability-flow ODE for Gaussian data', () => {
  const DETERMINISTIC: SamplerId[] = [
    'euler',
    'heun',
    'lms',
    'ddim',
    'pndm',
    'dpmpp_2m',
    'dpmpp_2m_karras',
    'unipc',
  ];
  for (const id of DETERMINISTIC) {
    it(`${id} approaches the exact solution as steps grow`, (t) => {
      const coarse = diffusersError(id, 10);
      const fine = diffusersError(id, 40);
      t.diagnostic(`max error: 10 steps ${coarse.toExponential(1)}, 40 steps ${fine.toExponential(1)}`);
      assert.ok(fine < 0.6 * coarse && fine < 0.15);
    });
  }

  it('higher-order samplers beat Euler at 40 steps', () => {
    const euler = diffusersError('euler', 40);
    for (const id of ['heun', 'lms', 'pndm', 'unipc', 'dpmpp_2m_karras'] as SamplerId[]) {
      assert.ok(diffusersError(id, 40) < 0.5 * euler, id);
    }
  });

  for (const sampler of ['euler', 'heun', 'lms', 'dpmpp_2m'] as KSampler[]) {
    for (const schedule of ['discrete', 'karras'] as const) {
      it(`k-diffusion ${sampler} (${schedule}) approaches the exact solution as steps grow`, () => {
        const fine = kError(sampler, schedule, 40);
        assert.ok(fine < 0.6 * kError(sampler, schedule, 10) && fine < 0.15);
        if (sampler === 'heun' || sampler === 'lms') assert.ok(fine < 0.5 * kError('euler', schedule, 40));
      });
    }
  }
});
