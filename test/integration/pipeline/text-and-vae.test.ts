// The pieces around the denoise loop against diffusers' own tensors: prompt embeddings (SD 1.x and SDXL,
// incl. pooled and zeroed negatives), VAE decode of the final latents, seeded VAE encode.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import pino from 'pino';
import { type LoadedModel, loadModel } from '../../../companion/pipeline/model/loaded-model.js';
import { TorchGenerator } from '../../../companion/pipeline/rng/torch-generator.js';
import { createOrtEngine } from '../../../companion/pipeline/runtime/ort-engine.js';
import { encodePieces } from '../../../companion/pipeline/text/text-encoder.js';
import { decodeLatents, encodeImage } from '../../../companion/pipeline/vae/vae.js';
import {
  fixturePath,
  maxAbsDiff,
  readFixtureJson,
  readFixtureTensor,
  skipNoFixtures,
} from '../../helpers/fixtures.js';

const logger = pino({ level: 'silent' });
const models = new Map<string, LoadedModel>();
async function model(name: string): Promise<LoadedModel> {
  let m = models.get(name);
  if (!m) {
    m = await loadModel(fixturePath('tiny-sd', name), (files) =>
      createOrtEngine({ files, logger, providers: ['cpu'] }),
    );
    models.set(name, m);
  }
  return m;
}
after(async () => {
  for (const m of models.values()) await m.engine.release();
});

const vaeOf = (m: LoadedModel) => ({
  engine: m.engine,
  contract: m.contract.vae,
  scalingFactor: m.layout.scalingFactor,
  scaleFactor: m.layout.vaeScaleFactor,
});

describe('text conditioning and VAE match diffusers', { skip: skipNoFixtures }, () => {
  it('sd15 prompt embeddings equal encode_prompt for a plain prompt', async () => {
    for (const name of ['sd15-tiny', 'sd15-tiny-optimum']) {
      const m = await model(name);
      const meta = readFixtureJson<{ prompt: string; negative_prompt: string }>(
        'tiny-sd',
        'goldens',
        't2i_ddim_4steps_g7.5',
        'meta.json',
      );
      const c = await encodePieces(m.text, [[meta.prompt, 1]]);
      const want = readFixtureTensor('tiny-sd', 'goldens', 't2i_ddim_4steps_g7.5', 'prompt_embeds');
      assert.ok(maxAbsDiff(c.hidden, want.data as Float32Array) < 1e-4, name);
      const u = await encodePieces(m.text, [[meta.negative_prompt, 1]]);
      const wantU = readFixtureTensor('tiny-sd', 'goldens', 't2i_ddim_4steps_g7.5', 'negative_prompt_embeds');
      assert.ok(maxAbsDiff(u.hidden, wantU.data as Float32Array) < 1e-4, `${name} negative`);
    }
  });

  it('sdxl embeddings are both penultimate states side by side, pooled from encoder 2', async () => {
    const m = await model('sdxl-tiny');
    const dir = ['goldens', 'sdxl_euler_4steps_g7.5'] as const;
    const meta = readFixtureJson<{ prompt: string; negative_prompt: string }>('tiny-sd', ...dir, 'meta.json');
    const c = await encodePieces(m.text, [[meta.prompt, 1]]);
    assert.ok(
      maxAbsDiff(c.hidden, readFixtureTensor('tiny-sd', ...dir, 'prompt_embeds').data as Float32Array) < 1e-4,
    );
    assert.ok(
      maxAbsDiff(
        c.pooled!,
        readFixtureTensor('tiny-sd', ...dir, 'pooled_prompt_embeds').data as Float32Array,
      ) < 1e-4,
    );
    const u = await encodePieces(m.text, [[meta.negative_prompt, 1]]);
    assert.ok(
      maxAbsDiff(
        u.hidden,
        readFixtureTensor('tiny-sd', ...dir, 'negative_prompt_embeds').data as Float32Array,
      ) < 1e-4,
    );
  });

  it('decoding the final latents gives the reference image', async () => {
    const m = await model('sd15-tiny');
    const dir = ['goldens', 't2i_ddim_4steps_g7.5'] as const;
    const steps = readFixtureTensor('tiny-sd', ...dir, 'step_latents');
    const per = steps.data.length / steps.shape[0];
    const last = (steps.data as Float32Array).subarray(per * (steps.shape[0] - 1));
    const img = await decodeLatents(vaeOf(m), last, 32, 32);
    const want = readFixtureTensor('tiny-sd', ...dir, 'image').data as Float32Array;
    let worst = 0;
    for (let p = 0; p < 64 * 64; p++)
      for (let c = 0; c < 3; c++) worst = Math.max(worst, Math.abs(img[c * 4096 + p] - want[p * 3 + c]));
    assert.ok(worst < 1e-4, `max diff ${worst}`);
    // Tiled decode runs and stays an image (GroupNorm statistics differ per tile, so not equal here).
    const tiledImg = await decodeLatents({ ...vaeOf(m), tileLatent: 16, tileOverlapLatent: 8 }, last, 32, 32);
    assert.equal(tiledImg.length, img.length);
    assert.ok(tiledImg.every((v) => v >= 0 && v <= 1));
  });

  it('latent_parameters encoding draws the posterior noise from the seeded generator', async () => {
    const m = await model('sd15-tiny-optimum');
    const dir = ['goldens_seeded', 'i2i_euler_a_10steps_s0.5_seed42'] as const;
    const image = readFixtureTensor('tiny-sd', ...dir, 'image_preprocessed').data as Float32Array;
    const r = await encodeImage(vaeOf(m), image, 64, 64, new TorchGenerator(42));
    assert.equal(r.seeded, true);
    assert.ok(
      maxAbsDiff(r.latents, readFixtureTensor('tiny-sd', ...dir, 'init_latents').data as Float32Array) < 1e-4,
    );
  });
});
