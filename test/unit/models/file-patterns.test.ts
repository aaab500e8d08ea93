import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_ONNX_SELECTION, selectFiles } from '../../../companion/models/file-patterns.js';

const files = [
  'model_index.json',
  'README.md',
  'scheduler/scheduler_config.json',
  'text_encoder/model.onnx',
  'text_encoder/model.safetensors',
  'tokenizer/vocab.json',
  'unet/model.onnx',
  'unet/model.onnx_data',
  'unet/diffusion_pytorch_model.fp16.safetensors',
  'safety_checker/model.onnx',
  'vae_decoder/config.json',
  'sd_xl_turbo_1.0.safetensors',
].map((path) => ({ path }));

test('* stays inside a segment and ** spans folders', () => {
  const pick = (include: string[]) => selectFiles(files, { include }).map((f) => f.path);
  assert.deepEqual(pick(['*.json']), ['model_index.json']);
  assert.deepEqual(pick(['unet/*']).length, 3);
  assert.deepEqual(pick(['**/*.onnx']), [
    'text_encoder/model.onnx',
    'unet/model.onnx',
    'safety_checker/model.onnx',
  ]);
  assert.deepEqual(pick(['unet/model.onnx?data']), ['unet/model.onnx_data']);
});

test('the default selection takes ONNX pipeline files and leaves PyTorch weights', () => {
  assert.deepEqual(
    selectFiles(files, DEFAULT_ONNX_SELECTION).map((f) => f.path),
    [
      'model_index.json',
      'scheduler/scheduler_config.json',
      'text_encoder/model.onnx',
      'tokenizer/vocab.json',
      'unet/model.onnx',
      'unet/model.onnx_data',
      'vae_decoder/config.json',
    ],
  );
});
