// Bad LoRAs, embeddings and VAEs are refused with a reason and a message naming the file and the rule,
// and a refused request leaves the runtime as it was (the previous set still serves, nothing half-patched).
import assert from 'node:assert/strict';
import { copyFileSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import pino from 'pino';
import {
  type AdapterRuntime,
  createAdapterRuntime,
} from '../../../companion/pipeline/adapters/adapter-runtime.js';
import { AdapterError, type AdapterErrorReason } from '../../../companion/pipeline/lora/adapter-errors.js';
import {
  extractPromptLoras,
  listAdapterFiles,
  resolveLoraName,
} from '../../../companion/pipeline/lora/lora-library.js';
import { type LoadedModel, loadModel } from '../../../companion/pipeline/model/loaded-model.js';
import { createOrtEngine } from '../../../companion/pipeline/runtime/ort-engine.js';
import { fixturePath, skipNoFixtures } from '../../helpers/fixtures.js';
import { buildSafetensors } from '../../unit/lora/safetensors-builder.js';
import { tempSourceEngineFactory } from './source-engine.js';

const logger = pino({ level: 'silent' });
const kohya = fixturePath('tiny-sd', 'lora', 'tiny_lora_kohya.safetensors');

async function refused(p: Promise<unknown>, reason: AdapterErrorReason, text: RegExp): Promise<void> {
  await assert.rejects(p, (err: unknown) => {
    assert.ok(err instanceof AdapterError, `expected AdapterError, got ${err}`);
    assert.equal(err.reason, reason, err.message);
    assert.match(err.message, text);
    return true;
  });
}

describe('refused LoRAs, embeddings and VAEs', { skip: skipNoFixtures }, () => {
  let base: LoadedModel;
  let rt: AdapterRuntime;
  let dir: string;
  const temp = tempSourceEngineFactory();

  before(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'stipple-bad-'));
    base = await loadModel(fixturePath('tiny-sd', 'sd15-tiny'), (files) =>
      createOrtEngine({ files, logger, providers: ['cpu'] }),
    );
    rt = createAdapterRuntime(base, { createEngine: temp.factory });
  });
  after(async () => {
    await rt?.release();
    await base?.engine.release();
    temp.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  it('an SDXL LoRA on an SD 1.5 model, naming both', async () => {
    const xl = path.join(dir, 'xl-style.safetensors');
    const z = (shape: number[]) => ({ shape, values: new Float32Array(shape.reduce((a, b) => a * b, 1)) });
    writeFileSync(
      xl,
      buildSafetensors({
        'lora_te2_text_model_encoder_layers_0_self_attn_q_proj.lora_down.weight': z([1, 1280]),
        'lora_te2_text_model_encoder_layers_0_self_attn_q_proj.lora_up.weight': z([1280, 1]),
        'lora_unet_mid_block_attentions_0_transformer_blocks_0_attn2_to_k.lora_down.weight': z([1, 2048]),
        'lora_unet_mid_block_attentions_0_transformer_blocks_0_attn2_to_k.lora_up.weight': z([640, 1]),
      }),
    );
    await refused(
      rt.prepare({ loras: [{ file: xl, weight: 1 }] }),
      'family_mismatch',
      /xl-style is for SDXL.*sd15-tiny is SD 1\.x/,
    );
  });

  it('a LoRA whose shapes do not fit the model', async () => {
    const f = path.join(dir, 'wide.safetensors');
    const z = (shape: number[]) => ({ shape, values: new Float32Array(shape.reduce((a, b) => a * b, 1)) });
    writeFileSync(
      f,
      buildSafetensors({
        'lora_unet_mid_block_attentions_0_transformer_blocks_0_attn1_to_q.lora_down.weight': z([2, 40]),
        'lora_unet_mid_block_attentions_0_transformer_blocks_0_attn1_to_q.lora_up.weight': z([64, 2]),
      }),
    );
    await refused(
      rt.prepare({ loras: [{ file: f, weight: 1 }] }),
      'shape_mismatch',
      /attn1\.to_q has weight \[64,64\]/,
    );
  });

  it('a file that is not safetensors, a truncated one and one with overlapping offsets', async () => {
    const text = path.join(dir, 'notes.safetensors');
    writeFileSync(text, 'this is a text file, not a tensor file at all');
    await refused(rt.prepare({ loras: [{ file: text, weight: 1 }] }), 'bad_header', /notes\.safetensors/);
    const cut = path.join(dir, 'cut.safetensors');
    writeFileSync(cut, readFileSync(kohya).subarray(0, 300_000));
    await refused(rt.prepare({ loras: [{ file: cut, weight: 1 }] }), 'bad_header', /truncated/);
    const overlap = path.join(dir, 'overlap.safetensors');
    writeFileSync(
      overlap,
      buildSafetensors(
        {
          'lora_unet_x.lora_down.weight': { shape: [2], values: [1, 2] },
          'lora_unet_x.lora_up.weight': { shape: [2], values: [3, 4] },
        },
        {
          mutateHeader: (h) =>
            ((h['lora_unet_x.lora_up.weight'] as { data_offsets: number[] }).data_offsets = [4, 12]),
        },
      ),
    );
    await refused(rt.prepare({ loras: [{ file: overlap, weight: 1 }] }), 'bad_header', /overlaps/);
  });

  it('an embedding whose vectors do not match the text encoder width', async () => {
    const f = path.join(dir, 'wide-emb.safetensors');
    writeFileSync(f, buildSafetensors({ emb_params: { shape: [1, 768], values: new Float32Array(768) } }));
    await refused(rt.prepare({ embeddings: [f] }), 'shape_mismatch', /width 768.*takes 32/);
  });

  it('a .pt embedding and a .ckpt LoRA, explaining that pickles can run code', async () => {
    await refused(
      rt.prepare({ embeddings: [fixturePath('tiny-sd', 'embeddings', 'tiny-style.pt')] }),
      'unsafe_pickle',
      /pickle.*run any code/,
    );
    const ckpt = path.join(dir, 'old.ckpt');
    copyFileSync(fixturePath('tiny-sd', 'embeddings', 'tiny-style.pt'), ckpt);
    await refused(rt.prepare({ loras: [{ file: ckpt, weight: 1 }] }), 'unsafe_pickle', /old\.ckpt/);
  });

  it('an unknown <lora:name> lists what is installed', () => {
    const loras = path.join(dir, 'loras');
    mkdirSync(loras, { recursive: true });
    copyFileSync(kohya, path.join(loras, 'tiny.safetensors'));
    const tags = extractPromptLoras('a lighthouse <lora:tiny:0.5> <lora:missing:1> <hypernet:x:1>');
    assert.equal(tags.prompt, 'a lighthouse   ');
    assert.deepEqual(tags.loras, [
      { name: 'tiny', weight: 0.5 },
      { name: 'missing', weight: 1 },
    ]);
    assert.deepEqual(tags.ignored, ['<hypernet:x:1>']);
    const available = listAdapterFiles([loras]);
    assert.equal(resolveLoraName('tiny', available), path.join(loras, 'tiny.safetensors'));
    assert.throws(
      () => resolveLoraName('missing', available),
      (e: unknown) =>
        e instanceof AdapterError && e.reason === 'unknown_name' && /"missing".*tiny/.test(e.message),
    );
  });

  it('a VAE folder with other latent channels or scale', async () => {
    const vae = path.join(dir, 'vae8');
    cpSync(fixturePath('tiny-sd', 'sd15-tiny', 'vae_decoder'), path.join(vae, 'vae_decoder'), {
      recursive: true,
    });
    const cfg = JSON.parse(readFileSync(path.join(vae, 'vae_decoder', 'config.json'), 'utf8'));
    writeFileSync(
      path.join(vae, 'vae_decoder', 'config.json'),
      JSON.stringify({ ...cfg, latent_channels: 16 }),
    );
    await refused(rt.prepare({ vaeDir: vae }), 'vae_incompatible', /16 latent channels.*needs 4/);
    await refused(rt.prepare({ vaeDir: path.join(dir, 'nope') }), 'not_found', /does not exist/);
  });

  it('after refusals the runtime still serves the last good set without patching again', async () => {
    const good = await rt.prepare({ loras: [{ file: kohya, weight: 0.5 }] });
    assert.ok(good.built.length > 0);
    const patches = rt.stats().patches;
    await refused(
      rt.prepare({
        loras: [{ file: kohya, weight: 0.5 }],
        embeddings: [path.join(dir, 'wide-emb.safetensors')],
      }),
      'shape_mismatch',
      /width/,
    );
    assert.equal(rt.stats().patches, patches, 'the refused request patched nothing');
    assert.deepEqual((await rt.prepare({ loras: [{ file: kohya, weight: 0.5 }] })).built, []);
  });
});
