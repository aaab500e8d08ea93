// Family and I/O contract detection from session metadata + configs, with a fake engine (no ORT).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readContract } from '../../../companion/pipeline/model/model-contract.js';
import type { ModelLayout } from '../../../companion/pipeline/model/model-layout.js';
import type { ComponentInfo, Engine, IoInfo } from '../../../companion/pipeline/runtime/engine.js';

const io = (name: string, type: string, shape: (number | string)[]): IoInfo => ({ name, type, shape });

function engine(parts: Record<string, ComponentInfo>): Engine {
  return {
    executionProvider: 'cpu',
    has: (n) => n in parts,
    info: (n) => parts[n],
    run: async () => ({}),
    stats: () => ({ runs: 0, runMs: 0 }),
    release: async () => undefined,
  };
}

const layout = (over: Partial<ModelLayout> = {}): ModelLayout => ({
  dir: '/m/model',
  name: 'model',
  files: {},
  tokenizerDirs: [],
  modelIndex: {},
  schedulerConfig: {},
  unetConfig: {},
  vaeConfig: {},
  vaeScaleFactor: 8,
  scalingFactor: 0.18215,
  forceZerosForEmptyPrompt: false,
  ...over,
});

const text = (ids: string, hidden = false): ComponentInfo => ({
  inputs: [io('input_ids', ids, ['batch', 'sequence'])],
  outputs: [
    io('last_hidden_state', 'float32', ['batch', 77, 768]),
    ...(hidden ? [0, 1, 2, 3, 4, 5].map((i) => io(`hidden_states.${i}`, 'float32', ['b', 77, 32])) : []),
    io(hidden ? 'text_embeds' : 'pooler_output', 'float32', ['batch', 768]),
  ],
});
const vae: Record<string, ComponentInfo> = {
  vae_decoder: {
    inputs: [io('latent_sample', 'float32', ['b', 4, 'h', 'w'])],
    outputs: [io('sample', 'float32', [])],
  },
  vae_encoder: {
    inputs: [io('sample', 'float32', ['b', 3, 'h', 'w'])],
    outputs: [io('latent_parameters', 'float32', [])],
  },
};
const unet = (
  channels: number,
  dim: number,
  extra: IoInfo[] = [],
  timestep = io('timestep', 'float32', []),
): ComponentInfo => ({
  inputs: [
    io('sample', 'float32', ['batch', channels, 'h', 'w']),
    timestep,
    io('encoder_hidden_states', 'float32', ['batch', 'seq', dim]),
    ...extra,
  ],
  outputs: [io('out_sample', 'float32', [])],
});

describe('model contract detection', () => {
  it('SD 1.x optimum: int64 ids, rank-0 timestep, seeded encoder, dynamic batch', () => {
    const c = readContract(engine({ text_encoder: text('int64'), unet: unet(4, 768), ...vae }), layout());
    assert.equal(c.family, 'sd1');
    assert.equal(c.textEncoders[0].ids.type, 'int64');
    assert.equal(c.unet.timestep.shape.length, 0);
    assert.equal(c.vae.encoderDeterministic, true);
    assert.equal(c.unet.batchDynamic, true);
  });

  it('9 input channels is an inpainting UNet; 1024-wide cross attention is SD 2; v_prediction is SD 2-v', () => {
    assert.equal(
      readContract(engine({ text_encoder: text('int32'), unet: unet(9, 768), ...vae }), layout()).inpainting,
      true,
    );
    assert.equal(
      readContract(engine({ text_encoder: text('int32'), unet: unet(4, 1024), ...vae }), layout()).family,
      'sd2',
    );
    const v = readContract(
      engine({ text_encoder: text('int32'), unet: unet(4, 1024), ...vae }),
      layout({ schedulerConfig: { prediction_type: 'v_prediction' } }),
    );
    assert.equal(v.family, 'sd2-v');
    assert.equal(
      readContract(
        engine({ text_encoder: text('int32'), unet: unet(4, 1024), ...vae }),
        layout({ name: 'sd-turbo' }),
      ).family,
      'sd-turbo',
    );
  });

  it('SDXL: two encoders, penultimate hidden states, text_embeds/time_ids inputs', () => {
    const extra = [io('text_embeds', 'float32', ['b', 1280]), io('time_ids', 'float32', ['b', 6])];
    const c = readContract(
      engine({
        text_encoder: text('int32', true),
        text_encoder_2: text('int64', true),
        unet: unet(4, 2048, extra, io('timestep', 'int64', ['steps'])),
        ...vae,
      }),
      layout({ name: 'sdxl-turbo-1.0' }),
    );
    assert.equal(c.family, 'sdxl-turbo');
    assert.deepEqual(
      c.textEncoders.map((t) => t.hiddenOutput),
      ['hidden_states.4', 'hidden_states.4'],
    );
    assert.equal(c.textEncoders[1].pooledOutput, 'text_embeds');
    assert.equal(c.unet.timestep.type, 'int64');
  });

  it('a UNet without encoder_hidden_states is an E_MODEL_LAYOUT error naming the input', () => {
    const bad: ComponentInfo = {
      inputs: [io('sample', 'float32', ['b', 4, 'h', 'w']), io('timestep', 'float32', [])],
      outputs: [io('o', 'float32', [])],
    };
    assert.throws(() => readContract(engine({ text_encoder: text('int32'), unet: bad, ...vae }), layout()), {
      code: 'E_MODEL_LAYOUT',
      message: /encoder_hidden_states/,
    });
  });
});
