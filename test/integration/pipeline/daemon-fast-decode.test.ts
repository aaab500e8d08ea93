// quality 'fast' through the daemon with the catalog `taesd` model: pulled from a local hub (serving a
// TAESD-shaped test decoder as deinferno/taesd-onnx), the daemon resolves it for an SD 1.x model before
// queueing and the pipeline decodes with it (notes and `VAE Decoder: TAESD` say so); `quality: 'full'`
// still decodes with the model's VAE.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import pino from 'pino';
import { decodeRgb } from '../../../companion/images/image-codec.js';
import { ModelManager } from '../../../companion/models/model-manager.js';
import { startDaemon, type TestDaemon } from '../../helpers/daemon.js';
import { type FakeHub, startFakeHub } from '../../helpers/fake-hub.js';
import { skipNoFixtures } from '../../helpers/fixtures.js';
import { connectClient } from '../../helpers/ws-client.js';
import { tinyTaesd, writeTinyTaesd } from './tiny-taesd.js';

let d: TestDaemon | undefined;
let hub: FakeHub | undefined;
let served: string;

before(async () => {
  if (skipNoFixtures) return;
  served = mkdtempSync(path.join(os.tmpdir(), 'stipple-taesd-repo-'));
  writeTinyTaesd(served, 'vae_decoder', tinyTaesd(2, 'image', 21, 0.5, 0.02));
  hub = await startFakeHub({ repo: 'deinferno/taesd-onnx', dir: served });
  const home = mkdtempSync(path.join(os.tmpdir(), 'stipple-fast-home-'));
  const models = new ModelManager({
    home,
    logger: pino({ level: 'silent' }),
    hub: { endpoint: hub.endpoint },
  });
  await models.pull('taesd');
  d = await startDaemon({ home, models: { 'sd15-tiny': 'sd15-tiny' } });
});
after(async () => {
  await d?.dispose();
  await hub?.close();
  if (served) rmSync(served, { recursive: true, force: true });
});

const request = (quality: 'full' | 'fast') => ({
  prompt: 'a lighthouse',
  sampler: 'euler' as const,
  steps: 2,
  cfg: 7,
  seed: 9,
  width: 64,
  height: 64,
  model: 'sd15-tiny',
  previewEvery: 0,
  quality,
});

test('quality fast decodes with the installed catalog taesd', { skip: skipNoFixtures }, async () => {
  const c = await connectClient(d!.wsUrl, d!.token);
  try {
    const fast = await c.generate(request('fast')).done;
    assert.ok(
      fast.done.notes.some((n) => /decoded with the tiny autoencoder \(the installed TAESD/.test(n)),
      fast.done.notes.join('\n'),
    );
    assert.match(fast.done.infotext, /VAE Decoder: TAESD/);
    assert.equal(fast.done.params.quality, 'fast');
    const full = await c.generate(request('full')).done;
    assert.doesNotMatch(full.done.infotext, /VAE Decoder/);
    assert.ok(!full.done.notes.some((n) => /tiny autoencoder/.test(n)));
    assert.notDeepEqual(
      (await decodeRgb(fast.images[0].png, 'png')).data,
      (await decodeRgb(full.images[0].png, 'png')).data,
    );
  } finally {
    c.close();
  }
});
