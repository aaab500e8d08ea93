// kohya SDXL LoRAs name UNet modules after the original SGM code (input_blocks_4_1_…) and carry both
// text encoders (lora_te1_, lora_te2_): on sdxl-tiny every module must land on a weight and the three
// components must be patched; the same LoRA on an SD 1.5 model is refused.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import pino from 'pino';
import { createAdapterRuntime } from '../../../companion/pipeline/adapters/adapter-runtime.js';
import { AdapterError } from '../../../companion/pipeline/lora/adapter-errors.js';
import { ldmToDiffusersFlat } from '../../../companion/pipeline/lora/ldm-unet-names.js';
import { encodeSafetensors } from '../../../companion/pipeline/lora/safetensors-writer.js';
import { loadModel } from '../../../companion/pipeline/model/loaded-model.js';
import { createOrtEngine } from '../../../companion/pipeline/runtime/ort-engine.js';
import { encodePieces } from '../../../companion/pipeline/text/text-encoder.js';
import { fixturePath, maxAbsDiff, skipNoFixtures } from '../../helpers/fixtures.js';
import { tempSourceEngineFactory } from './source-engine.js';

const logger = pino({ level: 'silent' });
const dir = mkdtempSync(path.join(os.tmpdir(), 'stipple-sdxl-lora-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** module (flattened, kohya prefix included) -> [out, in, k] of sdxl-tiny. */
const MODULES: [string, number, number, number][] = [
  ['lora_unet_input_blocks_4_1_transformer_blocks_0_attn1_to_q', 64, 64, 1],
  ['lora_unet_input_blocks_4_1_transformer_blocks_0_attn2_to_k', 64, 64, 1],
  ['lora_unet_input_blocks_1_0_in_layers_2', 32, 32, 3],
  ['lora_unet_input_blocks_3_0_op', 32, 32, 3],
  ['lora_unet_middle_block_1_proj_in', 64, 64, 1],
  ['lora_unet_output_blocks_2_2_conv', 64, 64, 3],
  ['lora_unet_output_blocks_5_0_skip_connection', 32, 64, 1],
  ['lora_te1_text_model_encoder_layers_0_self_attn_q_proj', 32, 32, 1],
  ['lora_te2_text_model_encoder_layers_1_mlp_fc1', 37, 32, 1],
];

describe('kohya SDXL LoRA with SGM names', { skip: skipNoFixtures }, () => {
  it('maps SGM block names to diffusers paths', () => {
    assert.deepEqual(ldmToDiffusersFlat('input_blocks_4_1_proj_in'), ['down_blocks_1_attentions_0_proj_in']);
    assert.deepEqual(ldmToDiffusersFlat('input_blocks_6_0_op'), ['down_blocks_1_downsamplers_0_conv']);
    assert.deepEqual(ldmToDiffusersFlat('middle_block_2_emb_layers_1'), [
      'mid_block_resnets_1_time_emb_proj',
    ]);
    assert.deepEqual(ldmToDiffusersFlat('output_blocks_5_0_out_layers_3'), ['up_blocks_1_resnets_2_conv2']);
    assert.deepEqual(ldmToDiffusersFlat('label_emb_0_2'), ['add_embedding_linear_2']);
  });

  it('patches the UNet and both text encoders of sdxl-tiny, and is refused on sd15-tiny', async () => {
    const tensors = new Map<string, { shape: number[]; data: Float32Array }>();
    let seed = 1;
    const rand = (n: number) => Float32Array.from({ length: n }, () => Math.sin(seed++) * 0.2);
    for (const [key, out, inCh, k] of MODULES) {
      const conv = key.startsWith('lora_unet') && (k === 3 || /skip|op$|conv$|layers_2$/.test(key));
      tensors.set(`${key}.lora_down.weight`, {
        shape: conv ? [2, inCh, k, k] : [2, inCh],
        data: rand(2 * inCh * k * k),
      });
      tensors.set(`${key}.lora_up.weight`, { shape: conv ? [out, 2, 1, 1] : [out, 2], data: rand(out * 2) });
      tensors.set(`${key}.alpha`, { shape: [], data: Float32Array.of(2) });
    }
    const file = path.join(dir, 'xl-style.safetensors');
    writeFileSync(file, encodeSafetensors(tensors));
    const temp = tempSourceEngineFactory();
    const xl = await loadModel(fixturePath('tiny-sd', 'sdxl-tiny'), (files) =>
      createOrtEngine({ files, logger, providers: ['cpu'] }),
    );
    const sd15 = await loadModel(fixturePath('tiny-sd', 'sd15-tiny'), (files) =>
      createOrtEngine({ files, logger, providers: ['cpu'] }),
    );
    try {
      const rt = createAdapterRuntime(xl, { createEngine: temp.factory });
      const active = await rt.prepare({ loras: [{ file, weight: 1 }] });
      assert.deepEqual(active.notes, [], 'every module matched');
      assert.deepEqual(active.built.sort(), ['text_encoder', 'text_encoder_2', 'unet']);
      const ids = { type: 'int64' as const, data: new BigInt64Array(77).fill(49407n), dims: [1, 77] };
      ids.data[0] = 49406n;
      const te2Base = await xl.engine.run('text_encoder_2', { input_ids: ids });
      const te2Lora = await active.model.engine.run('text_encoder_2', { input_ids: ids });
      const name = 'last_hidden_state';
      assert.ok(maxAbsDiff(te2Base[name].data as Float32Array, te2Lora[name].data as Float32Array) > 1e-4);
      await rt.release();
      const rt15 = createAdapterRuntime(sd15, { createEngine: temp.factory });
      await assert.rejects(
        rt15.prepare({ loras: [{ file, weight: 1 }] }),
        (e: unknown) => e instanceof AdapterError && e.reason === 'family_mismatch' && /SDXL/.test(e.message),
      );
    } finally {
      await xl.engine.release();
      await sd15.engine.release();
      temp.cleanup();
    }
  });

  it('an SDXL embedding (clip_l + clip_g) extends both text encoders', async () => {
    const file = path.join(dir, 'xl-emb.safetensors');
    const vec = (n: number) => ({
      shape: [2, 32],
      data: Float32Array.from({ length: 64 }, (_, i) => Math.cos(i * n)),
    });
    writeFileSync(
      file,
      encodeSafetensors(
        new Map([
          ['clip_l', vec(1)],
          ['clip_g', vec(2)],
        ]),
      ),
    );
    const temp = tempSourceEngineFactory();
    const xl = await loadModel(fixturePath('tiny-sd', 'sdxl-tiny'), (files) =>
      createOrtEngine({ files, logger, providers: ['cpu'] }),
    );
    try {
      const rt = createAdapterRuntime(xl, { createEngine: temp.factory });
      const active = await rt.prepare({ embeddings: [file] });
      assert.deepEqual(active.built.sort(), ['text_encoder', 'text_encoder_2']);
      assert.deepEqual(active.tokens, ['xl-emb']);
      const withToken = await encodePieces(active.model.text, [['a boat, xl-emb', 1]]);
      const plain = await encodePieces(xl.text, [['a boat, xl-emb', 1]]);
      assert.equal(withToken.dim, 64);
      assert.ok(maxAbsDiff(withToken.hidden, plain.hidden) > 1e-3, 'the token changes the conditioning');
      await rt.release();
    } finally {
      await xl.engine.release();
      temp.cleanup();
    }
  });
});
