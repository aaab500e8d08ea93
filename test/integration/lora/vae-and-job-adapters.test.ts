// A VAE from another folder, and the per-job resolution of `<lora:name:weight>` tags and folder
// embeddings: tags leave the prompt, names resolve in the LoRA folder, an embedding joins only when
// its token is used.
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import pino from 'pino';
import { AdapterFileCache } from '../../../companion/pipeline/adapters/adapter-files.js';
import { createAdapterRuntime } from '../../../companion/pipeline/adapters/adapter-runtime.js';
import { resolveJobAdapters } from '../../../companion/pipeline/adapters/job-adapters.js';
import { generateImages } from '../../../companion/pipeline/generate-images.js';
import { type LoadedModel, loadModel } from '../../../companion/pipeline/model/loaded-model.js';
import { createOrtEngine } from '../../../companion/pipeline/runtime/ort-engine.js';
import { fixturePath, readFixtureTensor, skipNoFixtures } from '../../helpers/fixtures.js';
import { goldenJob } from '../pipeline/golden-cases.js';
import { tempSourceEngineFactory } from './source-engine.js';

const logger = pino({ level: 'silent' });
const LORA_CASE = 'goldens_lora/lora_kohya_euler_10steps_scale0.5_seed42';

describe('VAE swap and per-job adapters', { skip: skipNoFixtures }, () => {
  let base: LoadedModel;
  let home: string;
  const temp = tempSourceEngineFactory();
  before(async () => {
    base = await loadModel(fixturePath('tiny-sd', 'sd15-tiny'), (files) =>
      createOrtEngine({ files, logger, providers: ['cpu'] }),
    );
    home = mkdtempSync(path.join(os.tmpdir(), 'stipple-job-adapters-'));
    mkdirSync(path.join(home, 'loras'));
    mkdirSync(path.join(home, 'embeddings'));
    copyFileSync(
      fixturePath('tiny-sd', 'lora', 'tiny_lora_kohya.safetensors'),
      path.join(home, 'loras', 'tiny.safetensors'),
    );
    copyFileSync(
      fixturePath('tiny-sd', 'embeddings', 'tiny-style.safetensors'),
      path.join(home, 'embeddings', 'tiny-style.safetensors'),
    );
  });
  after(async () => {
    await base?.engine.release();
    temp.cleanup();
    rmSync(home, { recursive: true, force: true });
  });

  it('`<lora:tiny:0.5>` resolves in the LoRA folder and leaves the prompt', () => {
    const files = new AdapterFileCache();
    const dirs = { loras: [path.join(home, 'loras')], embeddings: [path.join(home, 'embeddings')] };
    const r = resolveJobAdapters(
      { prompt: 'a photo of an astronaut riding a horse on mars<lora:tiny:0.5>', negativePrompt: 'blurry' },
      dirs,
      files,
    );
    assert.equal(r.prompt, 'a photo of an astronaut riding a horse on mars');
    assert.deepEqual(r.request.loras, [
      { file: path.join(home, 'loras', 'tiny.safetensors'), weight: 0.5, name: 'tiny' },
    ]);
    assert.deepEqual(r.request.embeddings, [], 'the embedding is unused');
    const ti = resolveJobAdapters(
      { prompt: 'a boat', negativePrompt: 'in the style of <tiny-style>' },
      dirs,
      files,
    );
    assert.deepEqual(ti.request.embeddings, [path.join(home, 'embeddings', 'tiny-style.safetensors')]);
    assert.throws(
      () => resolveJobAdapters({ prompt: 'x <lora:nope:1>', negativePrompt: '' }, dirs, files),
      /no LoRA named "nope".*tiny/,
    );
  });

  it('another VAE folder with the same weights gives the same image, with the LoRA on top', async () => {
    const rt = createAdapterRuntime(base, { createEngine: temp.factory });
    const active = await rt.prepare({
      loras: [{ file: path.join(home, 'loras', 'tiny.safetensors'), weight: 0.5 }],
      vaeDir: fixturePath('tiny-sd', 'sd15-tiny-optimum'),
    });
    assert.ok(active.built.includes('vae_decoder'));
    const meta = JSON.parse(readFileSync(fixturePath('tiny-sd', LORA_CASE, 'meta.json'), 'utf8'));
    const result = await generateImages(
      active.model,
      await goldenJob({ folder: LORA_CASE, meta, model: 'sd15-tiny' }),
    );
    const image = readFixtureTensor('tiny-sd', LORA_CASE, 'image');
    const [, h, w] = image.shape;
    let worst = 0;
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++)
        for (let c = 0; c < 3; c++) {
          const want = Math.round((image.data as Float32Array)[(y * w + x) * 3 + c] * 255);
          worst = Math.max(worst, Math.abs(want - Math.round(result.images[(c * h + y) * w + x] * 255)));
        }
    assert.ok(worst <= 2, `image differs by ${worst}/255`);
    await rt.release();
  });
});
