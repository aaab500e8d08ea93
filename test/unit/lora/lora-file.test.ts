import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseEmbedding } from '../../../companion/pipeline/embeddings/embedding-file.js';
import {
  assignTokenIds,
  withAddedTokens,
} from '../../../companion/pipeline/embeddings/embedding-tokenizer.js';
import { AdapterError } from '../../../companion/pipeline/lora/adapter-errors.js';
import { detectLoraFamily, loraTriggerWords } from '../../../companion/pipeline/lora/lora-family.js';
import { loraFactor, parseLoraFile } from '../../../companion/pipeline/lora/lora-file.js';
import { readSafetensors } from '../../../companion/pipeline/lora/safetensors.js';
import { skipNoFixtures } from '../../helpers/fixtures.js';
import { fixtureTokenizer } from '../prompt/fixture-tokenizer.js';
import { type BuildTensor, buildSafetensors } from './safetensors-builder.js';

const zeros = (shape: number[]): BuildTensor => ({
  shape,
  values: new Float32Array(shape.reduce((a, b) => a * b, 1)),
});

function lora(tensors: Record<string, BuildTensor>, metadata?: Record<string, string>) {
  const bytes = buildSafetensors(tensors, metadata ? { metadata } : {});
  return parseLoraFile(readSafetensors(bytes, 'x.safetensors', 'loras'), 'x.safetensors', 'x');
}

describe('LoRA key formats', () => {
  it('groups kohya down/up/alpha per module and scales by alpha/rank', () => {
    const l = lora({
      'lora_unet_down_blocks_0_attentions_0_proj_in.lora_down.weight': zeros([4, 8]),
      'lora_unet_down_blocks_0_attentions_0_proj_in.lora_up.weight': zeros([8, 4]),
      'lora_unet_down_blocks_0_attentions_0_proj_in.alpha': { shape: [], values: [2] },
      'lora_te_text_model_encoder_layers_0_mlp_fc1.lora_down.weight': zeros([4, 8]),
      'lora_te_text_model_encoder_layers_0_mlp_fc1.lora_up.weight': zeros([8, 4]),
    });
    assert.equal(l.format, 'kohya');
    const unet = l.modules.find((m) => m.component === 'unet')!;
    assert.equal(unet.path, 'down_blocks_0_attentions_0_proj_in');
    assert.ok(unet.flat);
    assert.equal(loraFactor(unet), 0.5);
    const te = l.modules.find((m) => m.component === 'text_encoder')!;
    assert.equal(loraFactor(te), 1, 'no alpha: factor 1');
  });

  it('reads diffusers legacy, attention-processor and PEFT keys as dotted paths', () => {
    const d = lora({
      'unet.mid_block.attentions.0.transformer_blocks.0.attn1.to_q.lora.down.weight': zeros([2, 8]),
      'unet.mid_block.attentions.0.transformer_blocks.0.attn1.to_q.lora.up.weight': zeros([8, 2]),
      'unet.mid_block.attentions.0.transformer_blocks.0.attn2.processor.to_out_lora.down.weight': zeros([
        2, 8,
      ]),
      'unet.mid_block.attentions.0.transformer_blocks.0.attn2.processor.to_out_lora.up.weight': zeros([8, 2]),
      'text_encoder.text_model.encoder.layers.0.self_attn.q_proj.lora_linear_layer.down.weight': zeros([
        2, 8,
      ]),
      'text_encoder.text_model.encoder.layers.0.self_attn.q_proj.lora_linear_layer.up.weight': zeros([8, 2]),
    });
    assert.equal(d.format, 'diffusers');
    assert.deepEqual(d.modules.map((m) => m.path).sort(), [
      'mid_block.attentions.0.transformer_blocks.0.attn1.to_q',
      'mid_block.attentions.0.transformer_blocks.0.attn2.to_out.0',
      'text_model.encoder.layers.0.self_attn.q_proj',
    ]);
    const p = lora({
      'unet.conv_in.lora_A.weight': zeros([2, 4, 3, 3]),
      'unet.conv_in.lora_B.weight': zeros([8, 2, 1, 1]),
    });
    assert.equal(p.format, 'peft');
    assert.deepEqual(p.modules[0].downShape, [2, 4, 3, 3]);
  });

  it('refuses LyCORIS LoHa/LoKr with the algorithm named, and files without LoRA keys', () => {
    assert.throws(
      () => lora({ 'lora_unet_x.hada_w1_a': zeros([2, 2]) }),
      (e: unknown) =>
        e instanceof AdapterError && e.reason === 'unsupported_format' && /LoHa/.test(e.message),
    );
    assert.throws(
      () => lora({ 'model.diffusion_model.input_blocks.0.0.weight': zeros([2, 2]) }),
      (e: unknown) => e instanceof AdapterError && e.reason === 'unsupported_format',
    );
  });

  it('detects the base family from key names and widths', () => {
    const xl = lora({
      'lora_te2_text_model_encoder_layers_0_self_attn_q_proj.lora_down.weight': zeros([1, 1280]),
      'lora_te2_text_model_encoder_layers_0_self_attn_q_proj.lora_up.weight': zeros([1280, 1]),
    });
    assert.equal(detectLoraFamily(xl), 'sdxl');
    const sd1 = lora({
      'lora_unet_mid_block_attentions_0_transformer_blocks_0_attn2_to_k.lora_down.weight': zeros([1, 768]),
      'lora_unet_mid_block_attentions_0_transformer_blocks_0_attn2_to_k.lora_up.weight': zeros([4, 1]),
    });
    assert.equal(detectLoraFamily(sd1), 'sd1');
    const sd2 = lora({
      'lora_te_text_model_encoder_layers_0_self_attn_k_proj.lora_down.weight': zeros([1, 1024]),
      'lora_te_text_model_encoder_layers_0_self_attn_k_proj.lora_up.weight': zeros([4, 1]),
    });
    assert.equal(detectLoraFamily(sd2), 'sd2');
  });

  it('lists trigger words from modelspec and kohya tag frequencies', () => {
    const words = loraTriggerWords({
      'modelspec.trigger_phrase': 'zxc style',
      ss_tag_frequency: JSON.stringify({ '10_set': { 'zxc style': 9, lighthouse: 12, sea: 3 } }),
    });
    assert.deepEqual(words, ['zxc style', 'lighthouse', 'sea']);
    assert.deepEqual(loraTriggerWords({ ss_tag_frequency: '{broken' }), []);
  });
});

describe('textual-inversion files and tokens', () => {
  it('takes the stored token from a diffusers file and the file name from an A1111 emb_params file', () => {
    const diffusers = buildSafetensors({ '<cat-toy>': zeros([2, 4]) });
    assert.equal(parseEmbedding(diffusers, '/x/learned_embeds.safetensors').token, '<cat-toy>');
    const a1111 = buildSafetensors({ emb_params: zeros([3, 4]) });
    const e = parseEmbedding(a1111, '/x/bad-hands-5.safetensors');
    assert.equal(e.token, 'bad-hands-5');
    assert.equal(e.vectors[0].count, 3);
    const xl = parseEmbedding(
      buildSafetensors({ clip_l: zeros([1, 768]), clip_g: zeros([1, 1280]) }),
      '/x/xl.safetensors',
    );
    assert.deepEqual(
      xl.vectors.map((v) => v.dim),
      [768, 1280],
    );
  });

  it('refuses a .pt embedding because pickles can run code', () => {
    assert.throws(
      () => parseEmbedding(new Uint8Array(16), '/x/style.pt'),
      (e: unknown) => e instanceof AdapterError && e.reason === 'unsafe_pickle',
    );
  });

  it('expands an embedding token into one new id per vector, as diffusers does', {
    skip: skipNoFixtures,
  }, () => {
    const tok = withAddedTokens(
      fixtureTokenizer(),
      assignTokenIds([{ token: '<tiny-style>', count: 2 }], 49408),
    );
    const ids = tok.encodePadded('a watercolor painting of a lighthouse in the style of <tiny-style>');
    assert.deepEqual(
      ids.slice(0, 14),
      [49406, 320, 14211, 3086, 539, 320, 13717, 530, 518, 1844, 539, 49408, 49409, 49407],
    );
    assert.deepEqual(tok.tokenize('x <tiny-style>'), ['x</w>', '<tiny-style>', '<tiny-style>_1']);
    assert.deepEqual(tok.encode('<Tiny-Style>'), [49408, 49409], 'case is ignored, as in A1111');
    const chunks = tok.tokenizeChunks([['(<tiny-style>', 1.2]]);
    assert.equal(chunks[0].ids.filter((i) => i >= 49408).length, 2);
  });
});
