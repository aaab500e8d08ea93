// Builds a tiny CLIP interrogator folder (Xenova layout) with seeded weights: a vision model
// (pixel_values → per-channel mean → linear → image_embeds) and a text model (input_ids → token
// embedding → mean over positions → text_embeds), plus the real CLIP tokenizer files.
import { copyFileSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fixturePath } from './fixtures';
import { buildOnnxModel, ElemType, seededFloats } from './onnx-builder';

export const TINY_CLIP_DIM = 16;
const VOCAB = 49408;

export function buildTinyClip(dir = mkdtempSync(path.join(os.tmpdir(), 'tiny-clip-'))): string {
  const D = TINY_CLIP_DIM;
  mkdirSync(path.join(dir, 'onnx'), { recursive: true });
  const vision = buildOnnxModel({
    nodes: [
      { op: 'GlobalAveragePool', inputs: ['pixel_values'], outputs: ['pooled'] },
      { op: 'Flatten', inputs: ['pooled'], outputs: ['flat'], attrs: { axis: 1 } },
      { op: 'MatMul', inputs: ['flat', 'visual_projection'], outputs: ['image_embeds'] },
    ],
    inputs: [{ name: 'pixel_values', elemType: ElemType.float, shape: ['batch_size', 3, 224, 224] }],
    outputs: [{ name: 'image_embeds', elemType: ElemType.float, shape: ['batch_size', D] }],
    initializers: [
      { name: 'visual_projection', dims: [3, D], elemType: ElemType.float, data: seededFloats(3 * D, 11) },
    ],
  });
  const text = buildOnnxModel({
    nodes: [
      { op: 'Gather', inputs: ['token_embedding', 'input_ids'], outputs: ['embedded'], attrs: { axis: 0 } },
      { op: 'ReduceMean', inputs: ['embedded'], outputs: ['text_embeds'], attrs: { axes: [1], keepdims: 0 } },
    ],
    inputs: [{ name: 'input_ids', elemType: ElemType.int64, shape: ['batch_size', 'sequence_length'] }],
    outputs: [{ name: 'text_embeds', elemType: ElemType.float, shape: ['batch_size', D] }],
    initializers: [
      {
        name: 'token_embedding',
        dims: [VOCAB, D],
        elemType: ElemType.float,
        data: seededFloats(VOCAB * D, 23),
      },
    ],
  });
  writeFileSync(path.join(dir, 'onnx', 'vision_model.onnx'), vision);
  writeFileSync(path.join(dir, 'onnx', 'text_model.onnx'), text);
  for (const f of ['vocab.json', 'merges.txt', 'tokenizer_config.json', 'special_tokens_map.json']) {
    copyFileSync(fixturePath('clip-tokenizer', f), path.join(dir, f));
  }
  writeFileSync(
    path.join(dir, 'preprocessor_config.json'),
    JSON.stringify({
      crop_size: 224,
      image_mean: [0.48145466, 0.4578275, 0.40821073],
      image_std: [0.26862954, 0.26130258, 0.27577711],
    }),
  );
  return dir;
}
