// The I/O contract of a loaded model, read from the sessions' metadata (names, element types, ranks) and the
// configs, plus the family it belongs to. Exports differ (old diffusers script: int32 ids, float32 (B,)
// timestep; optimum >= 1.24: int64 ids, rank-0 float timestep, `latent_parameters` encoder; optimum SDXL
// 1.16: int64 [steps] timestep), so nothing here assumes a name or a dtype.

import { PipelineError } from '../pipeline-errors.js';
import type { ComponentInfo, Engine, IoInfo } from '../runtime/engine.js';
import type { ModelLayout } from './model-layout.js';

export type ModelFamily = 'sd1' | 'sd2' | 'sd2-v' | 'sd-turbo' | 'sdxl' | 'sdxl-turbo';

export interface UnetContract {
  sample: IoInfo;
  timestep: IoInfo;
  hiddenStates: IoInfo;
  textEmbeds?: IoInfo;
  timeIds?: IoInfo;
  output: string;
  inChannels: number;
  /** Whether the batch axis is symbolic, so CFG can run as one call on a batch of 2. */
  batchDynamic: boolean;
}

export interface TextEncoderContract {
  component: 'text_encoder' | 'text_encoder_2';
  ids: IoInfo;
  /** Output used as token embeddings (last_hidden_state, or hidden_states.N-1 for SDXL). */
  hiddenOutput: string;
  pooledOutput?: string;
}

export interface VaeContract {
  decoderInput: IoInfo;
  decoderOutput: string;
  encoderInput?: IoInfo;
  encoderOutput?: string;
  /** true: encoder returns mean+logvar (`latent_parameters`), sampled here with the seeded generator. */
  encoderDeterministic: boolean;
}

export interface ModelContract {
  family: ModelFamily;
  inpainting: boolean;
  prediction: 'epsilon' | 'v_prediction' | 'sample';
  unet: UnetContract;
  textEncoders: TextEncoderContract[];
  vae: VaeContract;
}

function find(
  info: ComponentInfo,
  component: string,
  names: string[],
  where: 'inputs' | 'outputs' = 'inputs',
) {
  const list = info[where];
  for (const n of names) {
    const hit = list.find((i) => i.name === n);
    if (hit) return hit;
  }
  return undefined;
}

function need(
  info: ComponentInfo,
  component: string,
  names: string[],
  where: 'inputs' | 'outputs' = 'inputs',
) {
  const hit = find(info, component, names, where);
  if (!hit) {
    const have = info[where].map((i) => i.name).join(', ');
    throw new PipelineError(
      'E_MODEL_LAYOUT',
      `${component} has no ${where === 'inputs' ? 'input' : 'output'} named ${names.join(' or ')} (it has ${have})`,
    );
  }
  return hit;
}

function unetContract(info: ComponentInfo, layout: ModelLayout): UnetContract {
  const sample = need(info, 'unet', ['sample']);
  const channelsDim = sample.shape[1];
  const inChannels =
    typeof channelsDim === 'number' && channelsDim > 0
      ? channelsDim
      : typeof layout.unetConfig.in_channels === 'number'
        ? layout.unetConfig.in_channels
        : 4;
  const textEmbeds = find(info, 'unet', ['text_embeds']);
  const timeIds = find(info, 'unet', ['time_ids']);
  const output = info.outputs[0]?.name;
  if (!output) throw new PipelineError('E_MODEL_LAYOUT', 'unet has no outputs');
  return {
    sample,
    timestep: need(info, 'unet', ['timestep', 't']),
    hiddenStates: need(info, 'unet', ['encoder_hidden_states']),
    ...(textEmbeds ? { textEmbeds } : {}),
    ...(timeIds ? { timeIds } : {}),
    output,
    inChannels,
    batchDynamic: typeof sample.shape[0] !== 'number' || sample.shape[0] < 0,
  };
}

function textContract(
  info: ComponentInfo,
  component: TextEncoderContract['component'],
  penultimate: boolean,
): TextEncoderContract {
  const ids = need(info, component, ['input_ids']);
  let hiddenOutput = 'last_hidden_state';
  if (penultimate) {
    const hs = info.outputs
      .map((o) => /^hidden_states\.(\d+)$/.exec(o.name))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => Number(m[1]))
      .sort((a, b) => a - b);
    if (hs.length < 2) {
      throw new PipelineError(
        'E_MODEL_LAYOUT',
        `${component} does not expose hidden_states.N outputs (SDXL needs them)`,
      );
    }
    // hidden_states[-2]: the output of the penultimate layer, without the final layer norm.
    hiddenOutput = `hidden_states.${hs[hs.length - 2]}`;
  } else {
    need(info, component, ['last_hidden_state'], 'outputs');
  }
  const pooled = find(info, component, ['text_embeds', 'pooler_output'], 'outputs');
  return { component, ids, hiddenOutput, ...(pooled ? { pooledOutput: pooled.name } : {}) };
}

export function readContract(engine: Engine, layout: ModelLayout): ModelContract {
  const unet = unetContract(engine.info('unet'), layout);
  const xl = engine.has('text_encoder_2') || unet.textEmbeds !== undefined;
  const textEncoders = [textContract(engine.info('text_encoder'), 'text_encoder', xl)];
  if (engine.has('text_encoder_2'))
    textEncoders.push(textContract(engine.info('text_encoder_2'), 'text_encoder_2', true));
  const dec = engine.info('vae_decoder');
  const vae: VaeContract = {
    decoderInput: need(dec, 'vae_decoder', ['latent_sample', 'latent']),
    decoderOutput: dec.outputs[0].name,
    encoderDeterministic: false,
  };
  if (engine.has('vae_encoder')) {
    const enc = engine.info('vae_encoder');
    vae.encoderInput = need(enc, 'vae_encoder', ['sample']);
    const params = find(enc, 'vae_encoder', ['latent_parameters'], 'outputs');
    vae.encoderOutput = params ? params.name : need(enc, 'vae_encoder', ['latent_sample'], 'outputs').name;
    vae.encoderDeterministic = params !== undefined;
  }
  const prediction = (layout.schedulerConfig.prediction_type as ModelContract['prediction']) ?? 'epsilon';
  return {
    family: detectFamily(layout, unet, xl, prediction),
    inpainting: unet.inChannels === 9,
    prediction,
    unet,
    textEncoders,
    vae,
  };
}

function detectFamily(
  layout: ModelLayout,
  unet: UnetContract,
  xl: boolean,
  prediction: ModelContract['prediction'],
): ModelFamily {
  const turbo =
    /turbo/i.test(layout.name) ||
    /turbo/i.test(layout.dir) ||
    (layout.schedulerConfig.timestep_spacing === 'trailing' && !('steps_offset' in layout.schedulerConfig));
  if (xl) return turbo ? 'sdxl-turbo' : 'sdxl';
  if (turbo) return 'sd-turbo';
  const crossDim = unet.hiddenStates.shape[2];
  const cfgDim = layout.unetConfig.cross_attention_dim;
  const dim = typeof crossDim === 'number' ? crossDim : typeof cfgDim === 'number' ? cfgDim : 768;
  if (prediction === 'v_prediction') return 'sd2-v';
  return dim === 1024 ? 'sd2' : 'sd1';
}
