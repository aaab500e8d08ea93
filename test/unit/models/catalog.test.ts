import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_MODEL_ID, findCatalogEntry, MODEL_CATALOG } from '../../../companion/models/catalog.js';
import { selectFiles } from '../../../companion/models/file-patterns.js';
import { missingParts } from '../../../companion/models/model-layout.js';
import { assertModelId, parseRepoRef } from '../../../companion/models/model-ref.js';

test('catalog ids are unique, valid, and SD-Turbo is the one default', () => {
  const ids = MODEL_CATALOG.map((e) => e.id);
  assert.equal(new Set(ids).size, ids.length);
  for (const id of ids) assertModelId(id);
  assert.deepEqual(
    MODEL_CATALOG.filter((e) => e.isDefault).map((e) => e.id),
    [DEFAULT_MODEL_ID],
  );
  assert.equal(findCatalogEntry('sd-turbo')?.family, 'sd-turbo');
});

test('the issue’s five pipelines are in the catalog with defaults', () => {
  for (const family of ['sd-turbo', 'sdxl-turbo', 'sd15', 'sd15-inpaint', 'sdxl']) {
    const e = MODEL_CATALOG.find((x) => x.family === family && x.kind === 'pipeline');
    assert.ok(e, family);
    assert.ok(e.defaults && e.defaults.width % 8 === 0 && e.defaults.steps >= 1, family);
    assert.ok(e.approxSizeBytes > 1e9, family);
  }
});

test('revisions marked as commits are 40-hex shas and repos parse', () => {
  for (const e of MODEL_CATALOG) {
    parseRepoRef(`${e.repo}@${e.revision}`);
    if (e.revisionIsCommit) assert.match(e.revision, /^[0-9a-f]{40}$/, e.id);
  }
});

test('each pipeline selection keeps the parts the layout check requires', () => {
  const sd = [
    'model_index.json',
    'scheduler/scheduler_config.json',
    'text_encoder/model.onnx',
    'tokenizer/vocab.json',
    'tokenizer/merges.txt',
    'unet/model.onnx',
    'unet/weights.pb',
    'vae_decoder/model.onnx',
    'unet/diffusion_pytorch_model.safetensors',
  ];
  const xl = [
    ...sd,
    'text_encoder_2/model.onnx',
    'text_encoder_2/model.onnx_data',
    'tokenizer_2/vocab.json',
    'tokenizer_2/merges.txt',
  ];
  for (const e of MODEL_CATALOG.filter((x) => x.kind === 'pipeline')) {
    const listing = (e.family.startsWith('sdxl') ? xl : sd).map((path) => ({ path }));
    const picked = selectFiles(listing, e.files).map((f) => f.path);
    assert.deepEqual(missingParts(picked, { kind: 'pipeline' }), [], e.id);
    assert.ok(!picked.some((p) => p.endsWith('.safetensors')), `${e.id} must not fetch PyTorch weights`);
  }
});
