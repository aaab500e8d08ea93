// Replays the fake-model loop of fixtures/schedulers (diffusers v0.25.1, SD 1.5 config, 20 steps)
// through our schedulers and compares every recorded tensor.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { TorchGenerator } from '../../../companion/pipeline/rng/torch-generator.js';
import { createScheduler } from '../../../companion/pipeline/schedulers/create-scheduler.js';
import type { SamplerId, SchedulerConfig } from '../../../companion/pipeline/schedulers/types.js';
import { fixturePath, maxAbsDiff, readFixtureTensor, skipNoFixtures } from '../../helpers/fixtures.js';
import { fakeEps, RecordingNoise, row } from './fake-eps-model.js';

const TOL = 1e-4;
const SHAPE = [1, 4, 8, 8];
const SIZE = 256;

interface Meta {
  config: Partial<SchedulerConfig>;
  timesteps: number[];
  sigmas: number[] | null;
  init_noise_sigma: number;
  timesteps_passed_to_model: number[];
  num_noise_draws: number;
}

/** meta.json holds Python's `-Infinity` (DPM's lambda_min_clipped), which JSON.parse rejects. */
function readMeta(dir: string): Meta {
  const text = readFileSync(fixturePath('schedulers', dir, 'meta.json'), 'utf8');
  return JSON.parse(text.replace(/-Infinity/g, 'null')) as Meta;
}

const RUNS: { dir: string; id: SamplerId }[] = [
  { dir: 'euler_20steps', id: 'euler' },
  { dir: 'ddim_20steps', id: 'ddim' },
  { dir: 'dpmpp_2m_20steps', id: 'dpmpp_2m' },
];

describe('diffusers scheduler goldens', { skip: skipNoFixtures }, () => {
  for (const { dir, id } of RUNS) {
    it(`${id} reproduces diffusers' 20-step fake-model trajectory (${dir})`, (t) => {
      const meta = readMeta(dir);
      const sched = createScheduler(id, meta.config, 20);
      assert.ok(maxAbsDiff(sched.timesteps, meta.timesteps) <= TOL, `timesteps ${sched.timesteps}`);
      assert.ok(
        Math.abs(sched.initNoiseSigma - meta.init_noise_sigma) <= TOL,
        `init_noise_sigma ${sched.initNoiseSigma}`,
      );
      if (meta.sigmas && 'sigmas' in sched) {
        assert.ok(
          maxAbsDiff((sched as unknown as { sigmas: Float32Array }).sigmas, meta.sigmas) <= TOL,
          `sigmas ${maxAbsDiff((sched as unknown as { sigmas: Float32Array }).sigmas, meta.sigmas)}`,
        );
      }

      const initial = new TorchGenerator(0).randn(SHAPE);
      assert.ok(
        maxAbsDiff(initial, readFixtureTensor('schedulers', dir, 'initial_noise').data as Float32Array) <=
          1e-6,
      );
      const trajectory = readFixtureTensor('schedulers', dir, 'trajectory').data as Float32Array;
      const modelInputs = readFixtureTensor('schedulers', dir, 'model_inputs').data as Float32Array;
      const eps = readFixtureTensor('schedulers', dir, 'eps').data as Float32Array;

      let latents: Float32Array = initial.map((v) => Math.fround(v * sched.initNoiseSigma));
      assert.ok(maxAbsDiff(latents, row(trajectory, 0, SIZE)) <= TOL, 'trajectory[0]');
      const noise = new RecordingNoise(new TorchGenerator(7));
      let worst = 0;
      for (let i = 0; i < sched.timesteps.length; i++) {
        const xIn = sched.scaleModelInput(latents, i);
        worst = Math.max(worst, maxAbsDiff(xIn, row(modelInputs, i, SIZE)));
        const e = fakeEps(xIn, sched.timesteps[i]);
        worst = Math.max(worst, maxAbsDiff(e, row(eps, i, SIZE)));
        latents = sched.step(e, i, latents, noise, SHAPE).prevSample;
        worst = Math.max(worst, maxAbsDiff(latents, row(trajectory, i + 1, SIZE)));
      }
      t.diagnostic(`max model-input/eps/trajectory diff ${worst.toExponential(2)}`);
      assert.ok(worst <= TOL, `trajectory/model inputs differ by ${worst}`);
      const final = readFixtureTensor('schedulers', dir, 'final').data as Float32Array;
      assert.ok(maxAbsDiff(latents, final) <= TOL, `final ${maxAbsDiff(latents, final)}`);
      assert.equal(noise.draws.length, meta.num_noise_draws);
      if (meta.num_noise_draws > 0) {
        const recorded = readFixtureTensor('schedulers', dir, 'noise').data as Float32Array;
        noise.draws.forEach((d, k) => {
          assert.ok(maxAbsDiff(d, row(recorded, k, SIZE)) <= 1e-6, `noise draw ${k}`);
        });
      }
    });
  }
});
