// The end of the download story: a model pulled from the (local) hub is what the pipeline
// loads, and it generates exactly what the fixture folder it was served from generates.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { pino } from 'pino';
import { ModelManager } from '../../../companion/models/model-manager.js';
import { createPipelineService, type GenerateInput } from '../../../companion/pipeline/pipeline-service.js';
import { startFakeHub } from '../../helpers/fake-hub.js';
import { fixturePath, skipNoFixtures } from '../../helpers/fixtures.js';
import { tinyJobInput } from '../../helpers/tiny-job.js';

function request(modelDir: string): GenerateInput {
  return tinyJobInput(modelDir, {
    prompt: 'a lighthouse at dusk, (oil painting:1.2)',
    negativePrompt: 'blurry',
    sampler: 'euler_a',
    cfg: 5,
    seed: 1234,
    modelName: 'sd15-tiny',
    previewEvery: 0,
  });
}

test('a pulled model generates the same image as the folder it was served from', {
  skip: skipNoFixtures,
  timeout: 120_000,
}, async (t) => {
  const source = fixturePath('tiny-sd', 'sd15-tiny');
  const hub = await startFakeHub({ repo: 'stipple-test/sd15-tiny', dir: source });
  t.after(() => hub.close());
  const home = await mkdtemp(path.join(os.tmpdir(), 'stipple-gen-'));
  t.after(() => rm(home, { recursive: true, force: true }));
  const logger = pino({ level: 'silent' });
  const models = new ModelManager({ home, logger, hub: { endpoint: hub.endpoint } });
  const manifest = await models.pull('stipple-test/sd15-tiny');
  const { dir } = await models.resolve(manifest.id, { check: 'full' });

  const service = createPipelineService({ logger, preferredProviders: ['cpu'] });
  t.after(() => service.unload());
  const hooks = { onStep: () => {}, isCancelled: () => false };
  const pulled = await service.generate(request(dir), hooks);
  const original = await service.generate(request(source), hooks);
  assert.equal(pulled.images.length, 1);
  assert.equal(pulled.images[0].width, 64);
  assert.ok(Buffer.from(pulled.images[0].png).equals(Buffer.from(original.images[0].png)));
});
