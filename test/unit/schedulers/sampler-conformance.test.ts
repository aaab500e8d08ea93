// Behaviour every sampler must share, run for all ids: schedule shape, progress mapping, img2img
// truncation as diffusers' get_timesteps, determinism under a seed, and convergence to the data when
// the model is a perfect denoiser for a single point (every consistent sampler must land on it).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TorchGenerator } from '../../../companion/pipeline/rng/torch-generator.js';
import { createScheduler } from '../../../companion/pipeline/schedulers/create-scheduler.js';
import { SAMPLERS, samplerIdFromLabel } from '../../../companion/pipeline/schedulers/sampler-catalog.js';
import type { PredictionType, SamplerId, Scheduler } from '../../../companion/pipeline/schedulers/types.js';
import { maxAbsDiff } from '../../helpers/fixtures.js';

const SD15 = {
  beta_start: 0.00085,
  beta_end: 0.012,
  beta_schedule: 'scaled_linear' as const,
  steps_offset: 1,
  set_alpha_to_one: false,
  clip_sample: false,
};
const SHAPE = [1, 4, 8, 8];
const IDS = SAMPLERS.map((s) => s.id);

/** Training sigmas of the SD 1.5 schedule, log-linearly interpolated at a fractional timestep. */
function sigmaAt(t: number): number {
  const sigmaOfIndex = (i: number) => {
    let ac = 1;
    const a = Math.sqrt(0.00085);
    const b = Math.sqrt(0.012);
    for (let k = 0; k <= i; k++) {
      const r = a + ((b - a) * k) / 999;
      ac *= 1 - r * r;
    }
    return Math.sqrt((1 - ac) / ac);
  };
  const lo = Math.floor(t);
  const w = t - lo;
  return Math.exp((1 - w) * Math.log(sigmaOfIndex(lo)) + w * Math.log(sigmaOfIndex(Math.min(lo + 1, 999))));
}

interface PointMassModel {
  (xIn: Float32Array, t: number): Float32Array;
  /** The noise direction eps at the last evaluation. */
  lastEps: Float32Array;
}

/** A perfect model for data that is the single point x0: returns eps or v for the DDPM x_t it is given. */
function pointMassModel(x0: Float32Array, prediction: PredictionType): PointMassModel {
  const model = ((xIn: Float32Array, t: number): Float32Array => {
    const sigma = sigmaAt(t);
    const ac = 1 / (1 + sigma * sigma);
    const sa = Math.sqrt(ac);
    const sb = Math.sqrt(1 - ac);
    const eps = xIn.map((x, i) => (x - sa * x0[i]) / sb);
    model.lastEps = eps;
    return prediction === 'v_prediction' ? eps.map((e, i) => sa * e - sb * x0[i]) : eps;
  }) as PointMassModel;
  model.lastEps = new Float32Array(x0.length);
  return model;
}

/**
 * Where a sampler's ODE ends for point-mass data: x0 for samplers that step to sigma 0; the
 * samplers that stop at the t=0 training noise level (DDIM/PLMS with set_alpha_to_one false,
 * DPM-Solver++ and UniPC in diffusers 0.25) end at sqrt(ac0) x0 + sqrt(1 - ac0) eps.
 */
function expectedEnd(id: SamplerId, x0: Float32Array, lastEps: Float32Array): Float32Array {
  if (!['ddim', 'pndm', 'dpmpp_2m', 'dpmpp_2m_karras', 'unipc'].includes(id)) return x0;
  const ac0 = 1 - 0.00085;
  return x0.map((v, i) => Math.sqrt(ac0) * v + Math.sqrt(1 - ac0) * lastEps[i]);
}

/** The denoising loop the pipeline runs (minus CFG), from beginIndex, txt2img or img2img. */
function run(
  sched: Scheduler,
  model: (x: Float32Array, t: number) => Float32Array,
  seed: number,
  image?: Float32Array,
) {
  const gen = new TorchGenerator(seed);
  const noise = gen.randn(SHAPE);
  let x = image
    ? sched.addNoise(image, noise, sched.beginIndex)
    : noise.map((v) => Math.fround(v * sched.initNoiseSigma));
  const steps: number[] = [];
  for (let i = sched.beginIndex; i < sched.timesteps.length; i++) {
    const eps = model(sched.scaleModelInput(x, i), sched.timesteps[i]);
    x = sched.step(eps, i, x, gen, SHAPE).prevSample;
    steps.push(sched.stepOf(i));
  }
  return { x, steps };
}

describe('every sampler', () => {
  const x0 = new TorchGenerator(3).randn(SHAPE).map((v) => v * 0.5);

  for (const id of IDS) {
    for (const n of [4, 20]) {
      it(`${id} lands on the data point with a perfect epsilon model in ${n} steps`, () => {
        const sched = createScheduler(id, SD15, n);
        const model = pointMassModel(x0, 'epsilon');
        const { x, steps } = run(sched, model, 0);
        const want = expectedEnd(id, x0, model.lastEps);
        assert.ok(maxAbsDiff(x, want) < 2e-2, `final differs by ${maxAbsDiff(x, want)}`);
        assert.equal(sched.steps, n);
        assert.equal(steps[0], 0);
        assert.equal(steps[steps.length - 1], n - 1);
        for (let k = 1; k < steps.length; k++)
          assert.ok(steps[k] - steps[k - 1] === 0 || steps[k] - steps[k - 1] === 1);
      });
    }

    it(`${id} lands on the data point with a perfect v-prediction model`, () => {
      const sched = createScheduler(id, { ...SD15, prediction_type: 'v_prediction' }, 12);
      const model = pointMassModel(x0, 'v_prediction');
      const { x } = run(sched, model, 0);
      const want = expectedEnd(id, x0, model.lastEps);
      assert.ok(maxAbsDiff(x, want) < 2e-2, `final differs by ${maxAbsDiff(x, want)}`);
    });

    it(`${id} is deterministic for a seed and keeps to its timestep count`, () => {
      const a = run(createScheduler(id, SD15, 8), pointMassModel(x0, 'epsilon'), 42).x;
      const b = run(createScheduler(id, SD15, 8), pointMassModel(x0, 'epsilon'), 42).x;
      assert.deepEqual(a, b);
      const sched = createScheduler(id, SD15, 8);
      const evals = sched.timesteps.length;
      if (id === 'pndm') assert.equal(evals, 9);
      else if (sched.order === 2) assert.equal(evals, 15);
      else assert.equal(evals, 8);
      for (const t of sched.timesteps) assert.ok(t >= 0 && t <= 999, `timestep ${t} out of range`);
      for (let k = 1; k < evals; k++)
        assert.ok(sched.timesteps[k] <= sched.timesteps[k - 1] + 1e-9 || sched.order === 2);
    });

    it(`${id} truncates img2img like diffusers' get_timesteps (20 steps, strength 0.6)`, () => {
      const sched = createScheduler(id, SD15, 20, { strength: 0.6 });
      // init_timestep = min(int(20 * 0.6), 20) = 12; t_start = 8
      assert.equal(sched.steps, 12);
      const full = createScheduler(id, SD15, 20);
      assert.equal(sched.timesteps[sched.beginIndex], full.timesteps[sched.beginIndex]);
      const model = pointMassModel(x0, 'epsilon');
      const { x, steps } = run(sched, model, 5, x0);
      assert.equal(steps[0], 0);
      assert.equal(steps[steps.length - 1], 11);
      assert.ok(maxAbsDiff(x, expectedEnd(id, x0, model.lastEps)) < 2e-2);
    });
  }
});

describe('schedules', () => {
  it('strength 0 keeps no step and begins at or past the last evaluation', () => {
    for (const id of IDS) {
      const sched = createScheduler(id, SD15, 10, { strength: 0 });
      assert.equal(sched.steps, 0, id);
      assert.ok(sched.beginIndex >= sched.timesteps.length - (id === 'pndm' ? 1 : 0), id);
    }
  });

  it('trailing spacing with one step starts at t=999 (SD-Turbo)', () => {
    for (const id of ['euler_a', 'euler', 'ddim', 'lcm'] as SamplerId[]) {
      const sched = createScheduler(id, { ...SD15, timestep_spacing: 'trailing' }, 1);
      assert.deepEqual([...sched.timesteps], [999], id);
    }
  });

  it('leading spacing with steps_offset 1 gives 951..1 for DDIM at 20 steps', () => {
    const t = createScheduler('ddim', SD15, 20).timesteps;
    assert.equal(t[0], 951);
    assert.equal(t[19], 1);
  });

  it('Karras and discrete sigmas decrease monotonically to 0', () => {
    for (const id of ['euler', 'heun', 'lms', 'dpmpp_2s_a_karras', 'dpmpp_sde_karras'] as SamplerId[]) {
      const sched = createScheduler(id, SD15, 10) as unknown as { sigmas: Float32Array };
      const s = sched.sigmas;
      for (let k = 1; k < s.length; k++) assert.ok(s[k] <= s[k - 1], `${id} sigma ${k}`);
      assert.equal(s[s.length - 1], 0);
    }
  });

  it('DPM++ 2M Karras uses rounded Karras timesteps from 999 down', () => {
    const t = createScheduler('dpmpp_2m_karras', SD15, 20).timesteps;
    assert.equal(t[0], 999);
    for (const v of t) assert.equal(v, Math.round(v));
  });

  it('LCM picks evenly spaced distillation timesteps', () => {
    assert.deepEqual([...createScheduler('lcm', SD15, 4).timesteps], [999, 759, 499, 259]);
  });

  it('bad input names the field and the rule', () => {
    assert.throws(() => createScheduler('euler', SD15, 0), /steps must be an integer/);
    assert.throws(
      () => createScheduler('euler', { ...SD15, prediction_type: 'x' as PredictionType }, 4),
      /prediction_type/,
    );
    assert.throws(() => createScheduler('ddim', SD15, 4, { strength: 1.5 }), /strength must be in \[0, 1\]/);
  });
});

describe('sampler catalog', () => {
  it('every id has an A1111 label that reads back to the id', () => {
    for (const s of SAMPLERS) assert.equal(samplerIdFromLabel(s.a1111Label), s.id);
    assert.equal(new Set(SAMPLERS.map((s) => s.a1111Label)).size, SAMPLERS.length);
  });
});
