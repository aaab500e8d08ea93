// The denoise loop against a small fake UNet (eps = 0.1 * sample + conditioning mean) and a fake scheduler:
// CFG as one batch-2 call equals two calls, cfg <= 1 skips the unconditional pass, cancellation stops
// between steps with E_CANCELLED, progress comes once per step.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { denoise } from '../../../companion/pipeline/denoise/denoise-loop.js';
import type { UnetContract } from '../../../companion/pipeline/model/model-contract.js';
import { CancelledError } from '../../../companion/pipeline/pipeline-errors.js';
import type { Engine, HostTensor } from '../../../companion/pipeline/runtime/engine.js';
import type { Scheduler } from '../../../companion/pipeline/schedulers/types.js';

function fakeEngine(calls: number[]): Engine {
  return {
    executionProvider: 'fake',
    has: () => true,
    info: () => ({ inputs: [], outputs: [] }),
    async run(_name, feeds: Record<string, HostTensor>) {
      const sample = feeds.sample.data as Float32Array;
      const hidden = feeds.encoder_hidden_states.data as Float32Array;
      const batch = feeds.sample.dims[0];
      calls.push(batch);
      const per = sample.length / batch;
      const hPer = hidden.length / batch;
      const out = new Float32Array(sample.length);
      for (let b = 0; b < batch; b++) {
        let mean = 0;
        for (let k = 0; k < hPer; k++) mean += hidden[b * hPer + k] / hPer;
        for (let k = 0; k < per; k++) out[b * per + k] = 0.1 * sample[b * per + k] + mean;
      }
      return { out_sample: { type: 'float32', data: out, dims: feeds.sample.dims } };
    },
    stats: () => ({ runs: 0, runMs: 0 }),
    release: async () => undefined,
  };
}

function fakeScheduler(steps: number): Scheduler {
  return {
    id: 'euler',
    timesteps: Float64Array.from({ length: steps }, (_, i) => 999 - i * 100),
    steps,
    initNoiseSigma: 1,
    order: 1,
    beginIndex: 0,
    scaleModelInput: (s) => s,
    step: (eps, _i, sample) => ({ prevSample: sample.map((v, k) => v - 0.5 * eps[k]) }),
    addNoise: (o) => o,
    stepOf: (i) => i,
  };
}

const unet = (batchDynamic: boolean): UnetContract => ({
  sample: { name: 'sample', type: 'float32', shape: [batchDynamic ? 'batch' : 1, 4, 2, 2] },
  timestep: { name: 'timestep', type: 'float32', shape: ['batch'] },
  hiddenStates: { name: 'encoder_hidden_states', type: 'float32', shape: ['batch', 2, 3] },
  output: 'out_sample',
  inChannels: 4,
  batchDynamic,
});

const cond = { hidden: Float32Array.from([1, 2, 3, 4, 5, 6]), seqLen: 2, dim: 3 };
const uncond = { hidden: new Float32Array(6), seqLen: 2, dim: 3 };

async function run(opts: {
  dynamic: boolean;
  guidance: number;
  cancelAt?: number;
  calls?: number[];
  steps?: number[];
}) {
  const calls = opts.calls ?? [];
  let n = 0;
  return denoise({
    engine: fakeEngine(calls),
    unet: unet(opts.dynamic),
    scheduler: fakeScheduler(4),
    noise: { randn: (shape) => new Float32Array(shape.reduce((a, b) => a * b, 1)) },
    latents: Float32Array.from({ length: 16 }, (_, i) => i / 16),
    shape: [1, 4, 2, 2],
    conditioning: () => ({ cond, uncond }),
    guidance: opts.guidance,
    onStep: (e) => opts.steps?.push(e.step),
    isCancelled: () => opts.cancelAt !== undefined && n++ >= opts.cancelAt,
  });
}

describe('denoise loop', () => {
  it('CFG in one batch-2 call gives the same latents as two calls', async () => {
    const batchedCalls: number[] = [];
    const separateCalls: number[] = [];
    const a = await run({ dynamic: true, guidance: 7, calls: batchedCalls });
    const b = await run({ dynamic: false, guidance: 7, calls: separateCalls });
    assert.deepEqual(Array.from(a), Array.from(b));
    assert.deepEqual(batchedCalls, [2, 2, 2, 2]);
    assert.deepEqual(separateCalls, [1, 1, 1, 1, 1, 1, 1, 1]);
  });

  it('guidance <= 1 runs only the conditional pass', async () => {
    const calls: number[] = [];
    await run({ dynamic: true, guidance: 1, calls });
    assert.deepEqual(calls, [1, 1, 1, 1]);
  });

  it('reports each step once and stops with E_CANCELLED when cancelled between steps', async () => {
    const steps: number[] = [];
    await run({ dynamic: true, guidance: 7, steps });
    assert.deepEqual(steps, [0, 1, 2, 3]);
    await assert.rejects(
      run({ dynamic: true, guidance: 7, cancelAt: 2 }),
      (e: unknown) => e instanceof CancelledError && e.code === 'E_CANCELLED',
    );
  });
});
