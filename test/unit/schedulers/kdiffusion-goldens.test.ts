// Replays fixtures/kdiffusion (k-diffusion v0.0.16 samplers over a CompVisDenoiser-wrapped fake
// model, SD 1.5 schedule, seeded noise sampler) through KDiffusionScheduler.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TorchGenerator } from '../../../companion/pipeline/rng/torch-generator.js';
import { CompVisDenoiser } from '../../../companion/pipeline/schedulers/compvis-denoiser.js';
import type { KSampler } from '../../../companion/pipeline/schedulers/kdiffusion-plan.js';
import { KDiffusionScheduler } from '../../../companion/pipeline/schedulers/kdiffusion-sampler.js';
import { resolveConfig } from '../../../companion/pipeline/schedulers/scheduler-config.js';
import { maxAbsDiff, readFixtureJson, readFixtureTensor, skipNoFixtures } from '../../helpers/fixtures.js';
import { fakeEps, RecordingNoise, row } from './fake-eps-model.js';

const TOL = 1e-4;
const SHAPE = [1, 4, 8, 8];
const SIZE = 256;
const SD15 = {
  beta_start: 0.00085,
  beta_end: 0.012,
  beta_schedule: 'scaled_linear' as const,
  steps_offset: 1,
};

const RUNS: { dir: string; sampler: KSampler; schedule: 'discrete' | 'karras'; n: number }[] = [
  { dir: 'euler_ancestral_discrete_20', sampler: 'euler_ancestral', schedule: 'discrete', n: 20 },
  { dir: 'dpmpp_2s_ancestral_karras_20', sampler: 'dpmpp_2s_ancestral', schedule: 'karras', n: 20 },
];

function tensor(dir: string, name: string): Float32Array {
  return Float32Array.from(readFixtureTensor('kdiffusion', dir, name).data as Float32Array | Float64Array);
}

describe('k-diffusion sampler goldens', { skip: skipNoFixtures }, () => {
  it('sigma_to_t and t_to_sigma match the CompVisDenoiser probes', () => {
    const probes = readFixtureJson<{
      sigma_to_t: [number, number][];
      t_to_sigma: [number, number][];
      sigma_min: number;
      sigma_max: number;
    }>('kdiffusion', 'sigma_t_mapping.json');
    const d = CompVisDenoiser.fromConfig(resolveConfig(SD15));
    for (const [sigma, t] of probes.sigma_to_t)
      assert.ok(Math.abs(d.sigmaToT(sigma) - t) <= TOL, `sigma_to_t(${sigma})`);
    for (const [t, sigma] of probes.t_to_sigma)
      assert.ok(Math.abs(d.tToSigma(t) - sigma) <= 1e-6, `t_to_sigma(${t})`);
    assert.ok(Math.abs(d.sigmaMin - probes.sigma_min) <= 1e-7);
    assert.ok(Math.abs(d.sigmaMax - probes.sigma_max) <= 1e-5);
  });

  for (const { dir, sampler, schedule, n } of RUNS) {
    it(`${sampler} with ${schedule} sigmas reproduces k-diffusion's ${n}-step trajectory`, (t) => {
      const sched = new KDiffusionScheduler(sampler, SD15, n, schedule);
      assert.ok(maxAbsDiff(sched.sigmas, tensor(dir, 'sigmas')) <= TOL, 'sigmas');
      const modelT = tensor(dir, 'model_t');
      assert.equal(sched.timesteps.length, modelT.length, 'number of model calls');
      assert.ok(maxAbsDiff(sched.timesteps, modelT) <= TOL, 'model_t');

      let x: Float32Array = new TorchGenerator(0)
        .randn(SHAPE)
        .map((v) => Math.fround(v * sched.initNoiseSigma));
      assert.ok(maxAbsDiff(x, tensor(dir, 'x_init')) <= TOL, 'x_init');
      const trajectory = tensor(dir, 'trajectory');
      const denoised = tensor(dir, 'denoised');
      const modelEps = tensor(dir, 'model_eps');
      const noise = new RecordingNoise(new TorchGenerator(7));
      let worst = 0;
      for (let k = 0; k < sched.timesteps.length; k++) {
        const { step, stage } = sched.plan[k];
        if (stage === 0) worst = Math.max(worst, maxAbsDiff(x, row(trajectory, step, SIZE)));
        const eps = fakeEps(sched.scaleModelInput(x, k), sched.timesteps[k]);
        worst = Math.max(worst, maxAbsDiff(eps, row(modelEps, k, SIZE)));
        const out = sched.step(eps, k, x, noise, SHAPE);
        if (stage === 0)
          worst = Math.max(worst, maxAbsDiff(out.predOriginal as Float32Array, row(denoised, step, SIZE)));
        x = out.prevSample;
      }
      const finalDiff = maxAbsDiff(x, tensor(dir, 'final'));
      t.diagnostic(
        `max trajectory/denoised/eps diff ${worst.toExponential(2)}, final ${finalDiff.toExponential(2)}`,
      );
      assert.ok(worst <= TOL, `trajectory differs by ${worst}`);
      assert.ok(finalDiff <= TOL, `final differs by ${finalDiff}`);
      const draws = tensor(dir, 'noise_draws');
      assert.equal(noise.draws.length * SIZE, draws.length, 'number of noise draws');
      for (const [k, d] of noise.draws.entries()) {
        assert.ok(maxAbsDiff(d, row(draws, k, SIZE)) <= 1e-6, `noise draw ${k}`);
      }
    });
  }
});

describe('k-diffusion samplers without public goldens', () => {
  const SAMPLERS: KSampler[] = [
    'euler',
    'euler_ancestral',
    'heun',
    'lms',
    'dpmpp_2s_ancestral',
    'dpmpp_sde',
    'dpmpp_2m',
    'dpmpp_2m_sde',
  ];
  const TWO_EVALS = new Set<KSampler>(['heun', 'dpmpp_2s_ancestral', 'dpmpp_sde']);
  const DRAWS_PER_STEP: Partial<Record<KSampler, number>> = {
    euler_ancestral: 1,
    dpmpp_2s_ancestral: 1,
    dpmpp_sde: 2,
    dpmpp_2m_sde: 1,
  };
  for (const sampler of SAMPLERS) {
    for (const schedule of ['discrete', 'karras'] as const) {
      for (const n of [4, 20]) {
        it(`${sampler} (${schedule}, ${n} steps) makes the reference's model calls and noise draws`, () => {
          const sched = new KDiffusionScheduler(sampler, SD15, n, schedule);
          // two evaluations per step except the last, which steps to sigma 0
          assert.equal(sched.timesteps.length, TWO_EVALS.has(sampler) ? 2 * n - 1 : n);
          let x: Float32Array = new TorchGenerator(0)
            .randn(SHAPE)
            .map((v) => Math.fround(v * sched.initNoiseSigma));
          const noise = new RecordingNoise(new TorchGenerator(7));
          for (let k = 0; k < sched.timesteps.length; k++) {
            const eps = fakeEps(sched.scaleModelInput(x, k), sched.timesteps[k]);
            x = sched.step(eps, k, x, noise, SHAPE).prevSample;
          }
          // no draw on the final step to sigma 0
          assert.equal(noise.draws.length, (DRAWS_PER_STEP[sampler] ?? 0) * (n - 1));
          assert.ok(x.every(Number.isFinite));
        });
      }
    }
  }
});
