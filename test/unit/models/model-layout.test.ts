import assert from 'node:assert/strict';
import { test } from 'node:test';
import { layoutError, missingParts, requiredPipelineParts } from '../../../companion/models/model-layout.js';

test('a complete SD 1.x list has nothing missing', () => {
  assert.deepEqual(missingParts(requiredPipelineParts(false), { kind: 'pipeline' }), []);
});

test('a second text encoder folder makes the SDXL parts required', () => {
  const paths = [...requiredPipelineParts(false), 'text_encoder_2/model.onnx'];
  assert.deepEqual(missingParts(paths, { kind: 'pipeline' }), [
    'tokenizer_2/vocab.json',
    'tokenizer_2/merges.txt',
  ]);
});

test('non-pipeline kinds check their own required files', () => {
  assert.deepEqual(missingParts(['a.onnx'], { kind: 'vae-approx', requiredFiles: ['a.onnx', 'b.onnx'] }), [
    'b.onnx',
  ]);
});

test('the layout error names the first missing part in field and all of them in the message', () => {
  const err = layoutError('"x"', ['unet/model.onnx', 'tokenizer/vocab.json']);
  assert.equal(err.code, 'E_MODEL_LAYOUT');
  assert.equal(err.field, 'unet/model.onnx');
  assert.match(err.message, /"unet\/model\.onnx", "tokenizer\/vocab\.json"/);
});
