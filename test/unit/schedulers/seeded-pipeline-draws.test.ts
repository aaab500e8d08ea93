// Scheduler- and RNG-side checks against the seed-driven diffusers pipeline goldens
// (fixtures/tiny-sd/goldens_seeded): the schedule diffusers built, and every randn draw the pipeline
// made from its one generator (initial latents, posterior noise, img2img noise, ancestral noise).
// The UNet/VAE parts of these goldens belong to the pipeline's integration tests.
// Only the draws made before the loop (loop_index -1) are compared. The recorded in-loop scheduler draws
// do not come from the job's generator: in turbo_euler_a_1step_g0_seed7 the step's draw equals torch's
// *global* generator (manual_seed(0)) after 3,535,769 words, i.e. the recording harness's step hook
// dropped `generator=` (real diffusers passes it; fixtures/schedulers confirms our in-step draws).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TorchGenerator } from '../../../companion/pipeline/rng/torch-generator.js';
import { createScheduler } from '../../../companion/pipeline/schedulers/create-scheduler.js';
import type { SamplerId, SchedulerConfig } from '../../../companion/pipeline/schedulers/types.js';
import { maxAbsDiff, readFixtureJson, readFixtureTensor, skipNoFixtures } from '../../helpers/fixtures.js';

const SD15: Partial<SchedulerConfig> = {
  beta_start: 0.00085,
  beta_end: 0.012,
  beta_schedule: 'scaled_linear',
  steps_offset: 1,
  set_alpha_to_one: false,
  clip_sample: false,
};

interface Meta {
  scheduler: SamplerId;
  steps: number;
  seed: number;
  strength?: number;
  sched_kwargs?: Partial<SchedulerConfig>;
  scheduler_timesteps?: number[];
  scheduler_sigmas?: number[];
  init_noise_sigma?: number;
  timesteps: number[];
}

interface Draws {
  draws: { shape: number[]; loop_index: number }[];
}

const CASES = [
  'euler_a_10steps_seed42',
  'euler_a_10steps_seed42_batch2',
  'turbo_euler_a_1step_g0_seed7',
  'i2i_euler_a_10steps_s0.5_seed42',
  'inpaint_ddim_10steps_seed42',
];

describe('seeded diffusers pipelines', { skip: skipNoFixtures }, () => {
  for (const name of CASES) {
    it(`${name}: same schedule and the same pre-loop generator draws, in order`, () => {
      const meta = readFixtureJson<Meta>('tiny-sd', 'goldens_seeded', name, 'meta.json');
      const sched = createScheduler(meta.scheduler, { ...SD15, ...meta.sched_kwargs }, meta.steps, {
        strength: meta.strength,
      });
      assert.deepEqual([...sched.timesteps.subarray(sched.beginIndex)], meta.timesteps);
      if (meta.scheduler_timesteps) assert.ok(maxAbsDiff(sched.timesteps, meta.scheduler_timesteps) <= 1e-4);
      if (meta.scheduler_sigmas) {
        const sigmas = (sched as unknown as { sigmas: Float32Array }).sigmas;
        assert.ok(maxAbsDiff(sigmas, meta.scheduler_sigmas) <= 1e-6);
      }
      if (meta.init_noise_sigma !== undefined)
        assert.ok(Math.abs(sched.initNoiseSigma - meta.init_noise_sigma) <= 1e-6);

      const recorded = readFixtureTensor('tiny-sd', 'goldens_seeded', name, 'noise_draws')
        .data as Float32Array;
      const { draws } = readFixtureJson<Draws>('tiny-sd', 'goldens_seeded', name, 'noise_draws.json');
      const gen = new TorchGenerator(meta.seed);
      let offset = 0;
      for (const [k, d] of draws.entries()) {
        if (d.loop_index >= 0) break;
        const mine = gen.randn(d.shape);
        const theirs = recorded.subarray(offset, offset + mine.length);
        offset += mine.length;
        assert.ok(maxAbsDiff(mine, theirs) <= 1e-6, `draw ${k}`);
      }
      assert.ok(offset > 0);
    });
  }

  it('img2img re-noises the encoded image at timesteps[t_start * order] (strength 0.5)', () => {
    const dir = ['tiny-sd', 'goldens_seeded', 'i2i_euler_a_10steps_s0.5_seed42'];
    const sched = createScheduler('euler_a', SD15, 10, { strength: 0.5 });
    assert.equal(sched.beginIndex, 5);
    assert.equal(sched.steps, 5);
    const init = readFixtureTensor(...dir, 'init_latents').data as Float32Array;
    const all = readFixtureTensor(...dir, 'noise_draws').data as Float32Array;
    const draw1 = all.subarray(init.length, 2 * init.length);
    const start = readFixtureTensor(...dir, 'latents_start').data as Float32Array;
    assert.ok(maxAbsDiff(sched.addNoise(init, Float32Array.from(draw1), sched.beginIndex), start) <= 1e-5);
  });
});
