// quality 'fast': the final decode runs a tiny autoencoder (TAESD contract: the denoise loop's latents as they
// are, no division by the VAE scaling factor; output [0,1], or [-1,1] for diffusers/optimum exports) found as
// <model>/vae_decoder_tiny/model.onnx or an installed TAESD folder (vae_decoder/model.onnx). The decoder here
// is a one-op ConvTranspose with seeded weights, so the expected pixels are computed in JS from the final
// latents of the same job. Without a tiny decoder the full VAE decodes and a note says so.
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import pino from 'pino';
import { decodeRgb } from '../../../companion/images/image-codec.js';
import { generateImages } from '../../../companion/pipeline/generate-images.js';
import type { GenerateInput } from '../../../companion/pipeline/generate-input.js';
import { type LoadedModel, loadModel } from '../../../companion/pipeline/model/loaded-model.js';
import { createPipelineService } from '../../../companion/pipeline/pipeline-service.js';
import { createOrtEngine } from '../../../companion/pipeline/runtime/ort-engine.js';
import { promptSource } from '../../../companion/pipeline/text/prompt-source.js';
import {
  decodeTiny,
  findTinyDecoder,
  TINY_COMPONENT,
  tinyDecoderContract,
} from '../../../companion/pipeline/vae/tiny-decoder.js';
import { fixturePath, skipNoFixtures } from '../../helpers/fixtures.js';
import { seededFloats } from '../../helpers/onnx-builder.js';
import { tinyJobInput } from '../../helpers/tiny-job.js';
import { type TinyTaesd, tinyTaesd, tinyTaesdRaw, toImage, writeTinyTaesd } from './tiny-taesd.js';

const logger = pino({ level: 'silent' });
const service = createPipelineService({ logger, preferredProviders: ['cpu'] });

const job = (modelDir: string, over: Partial<GenerateInput> = {}): GenerateInput =>
  tinyJobInput(modelDir, {
    prompt: 'a lighthouse',
    negativePrompt: 'blurry',
    seed: 11,
    quality: 'fast',
    modelName: 'tiny',
    previewEvery: 0,
    ...over,
  });
const hooks = { onStep: () => {}, isCancelled: () => false };

describe('tiny decoder contract', { skip: skipNoFixtures }, () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'stipple-taesd-unit-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  const cases: { name: string; t: TinyTaesd; config?: object; range: '0..1' | '-1..1'; scale: number }[] = [
    { name: 'original export: [0,1]', t: tinyTaesd(2, 'image'), range: '0..1', scale: 1 },
    { name: 'output `sample`: [-1,1]', t: tinyTaesd(2, 'sample', 7, 0), range: '-1..1', scale: 1 },
    {
      name: 'diffusers AutoencoderTiny config: [-1,1], its scaling_factor',
      t: tinyTaesd(2, 'out', 9, 0),
      config: { _class_name: 'AutoencoderTiny', scaling_factor: 2 },
      range: '-1..1',
      scale: 2,
    },
    {
      name: 'declared range wins over the output name',
      t: tinyTaesd(2, 'sample', 13),
      config: { stipple_output_range: '0..1' },
      range: '0..1',
      scale: 1,
    },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const sub = path.join(dir, c.name.replace(/\W+/g, '-'));
      const file = writeTinyTaesd(sub, TINY_COMPONENT, c.t, c.config);
      const found = findTinyDecoder(sub);
      assert.equal(found?.source, 'model');
      const engine = await createOrtEngine({ files: { [TINY_COMPONENT]: file }, logger, providers: ['cpu'] });
      try {
        const contract = tinyDecoderContract(engine, found!.config);
        assert.equal(contract.range, c.range);
        assert.equal(contract.latentScale, c.scale);
        const [h, w] = [6, 5];
        const lat = seededFloats(4 * h * w, 3).map((v) => v * 2.5);
        const img = await decodeTiny({ engine, contract, scaleFactor: 2 }, lat, h, w);
        const expected = toImage(
          tinyTaesdRaw(
            c.t,
            lat.map((v) => v / c.scale),
            h,
            w,
          ),
          c.range,
        );
        assert.equal(img.length, expected.length);
        let worst = 0;
        for (let i = 0; i < img.length; i++) worst = Math.max(worst, Math.abs(img[i] - expected[i]));
        assert.ok(worst < 1e-5, `max diff ${worst}`);
        // A decoder for another spatial scale is refused (it would produce the wrong image size).
        await assert.rejects(
          decodeTiny({ engine, contract, scaleFactor: 8 }, lat, h, w),
          /must upsample by 8/,
        );
      } finally {
        await engine.release();
      }
    });
  }
});

describe('quality fast in the pipeline service', { skip: skipNoFixtures }, () => {
  let work: string;
  let model: string;
  let reference: LoadedModel;
  const taesd = tinyTaesd(2, 'image', 21, 0.5, 0.02);

  before(async () => {
    work = mkdtempSync(path.join(os.tmpdir(), 'stipple-fast-'));
    model = path.join(work, 'sd15-tiny-with-taesd');
    cpSync(fixturePath('tiny-sd', 'sd15-tiny'), model, { recursive: true });
    writeTinyTaesd(model, 'vae_decoder_tiny', taesd);
    writeTinyTaesd(path.join(work, 'taesd'), 'vae_decoder', taesd);
    reference = await loadModel(fixturePath('tiny-sd', 'sd15-tiny'), (files) =>
      createOrtEngine({ files, logger, providers: ['cpu'] }),
    );
  });
  after(async () => {
    await service.unload();
    await reference?.engine.release();
    rmSync(work, { recursive: true, force: true });
  });

  /** The job's final latents (same model weights, same seed), taken from the decode hook. */
  async function finalLatents(input: GenerateInput): Promise<Float32Array> {
    let captured: Float32Array | undefined;
    await generateImages(reference, {
      mode: 'txt2img',
      prompt: promptSource(input.prompt, input.negativePrompt),
      sampler: input.sampler,
      steps: input.steps,
      cfg: input.cfg,
      width: input.width,
      height: input.height,
      strength: 1,
      seed: input.seed,
      batchSize: 1,
      decode: async (lat, h, w) => {
        captured = Float32Array.from(lat);
        return new Float32Array(3 * h * w * 4);
      },
    });
    return captured!;
  }

  async function assertTinyImage(png: Uint8Array, input: GenerateInput): Promise<void> {
    const lat = await finalLatents(input);
    const expected = toImage(tinyTaesdRaw(taesd, lat, 32, 32), '0..1');
    const img = await decodeRgb(png, 'png');
    const plane = 64 * 64;
    let worst = 0;
    for (let p = 0; p < plane; p++)
      for (let c = 0; c < 3; c++)
        worst = Math.max(worst, Math.abs(img.data[p * 3 + c] - Math.round(expected[c * plane + p] * 255)));
    assert.ok(worst <= 1, `pixels differ from the TAESD formula by up to ${worst}/255`);
    // Most pixels are inside (0,1): the comparison is not between two saturated images.
    const inside = expected.filter((v) => v > 0.02 && v < 0.98).length;
    assert.ok(inside > expected.length * 0.5, `only ${inside} of ${expected.length} values unclamped`);
  }

  it("uses the model folder's vae_decoder_tiny on the unscaled latents, range [0,1]", async () => {
    const input = job(model);
    const out = await service.generate(input, hooks);
    assert.ok(
      out.notes.some((n) => /tiny autoencoder \(the model folder’s vae_decoder_tiny.*range \[0,1\]/.test(n)),
      out.notes.join('\n'),
    );
    assert.match(out.images[0].infotext, /VAE Decoder: TAESD/);
    await assertTinyImage(out.images[0].png, input);
    const full = await service.generate({ ...input, quality: 'full' }, hooks);
    assert.notDeepEqual(full.images[0].png, out.images[0].png, 'the full VAE gives another image');
    assert.doesNotMatch(full.images[0].infotext, /VAE Decoder/);
  });

  it('previews come from the tiny autoencoder at image resolution (cheap approximation only until the first is ready)', async () => {
    const input = job(model, { steps: 8, previewEvery: 1 });
    const previews: { step: number; width: number; height: number; rgb: Uint8Array }[] = [];
    await service.generate(input, {
      isCancelled: () => false,
      onStep: (s) => {
        if (s.preview) previews.push({ step: s.step, ...s.preview });
      },
    });
    assert.equal(previews.length, 8, 'a preview every step');
    // 64x64 image, latents 32x32: the linear approximation is 32 px, a TAESD decode 64 px.
    const tiny = previews.filter((p) => p.width === 64 && p.height === 64);
    assert.ok(tiny.length >= 3, `TAESD previews: ${previews.map((p) => `${p.step}:${p.width}`).join(' ')}`);
    assert.ok(previews.every((p) => p.width === 64 || p.width === 32));
    // The last TAESD preview is a TAESD decode of some step's latents: not blank, not saturated.
    const last = tiny.at(-1)!.rgb;
    const mid = last.filter((v) => v > 5 && v < 250).length;
    assert.ok(mid > last.length / 2, `${mid} of ${last.length} preview bytes inside (5,250)`);
    // quality full keeps the cheap previews.
    const cheap: number[] = [];
    await service.generate(
      { ...input, quality: 'full' },
      {
        isCancelled: () => false,
        onStep: (s) => {
          if (s.preview) cheap.push(s.preview.width);
        },
      },
    );
    assert.deepEqual(new Set(cheap), new Set([32]));
  });

  it('uses an installed TAESD folder when the model has none', async () => {
    const input = job(fixturePath('tiny-sd', 'sd15-tiny'), { tinyDecoderDir: path.join(work, 'taesd') });
    const out = await service.generate(input, hooks);
    assert.ok(
      out.notes.some((n) => /tiny autoencoder \(the installed TAESD/.test(n)),
      out.notes.join('\n'),
    );
    await assertTinyImage(out.images[0].png, input);
  });

  it('a tiny decoder for another latent scale is not used: full VAE, with a note naming the problem', async () => {
    const wrong = path.join(work, 'sd15-tiny-wrong-taesd');
    cpSync(fixturePath('tiny-sd', 'sd15-tiny'), wrong, { recursive: true });
    writeTinyTaesd(wrong, 'vae_decoder_tiny', tinyTaesd(8, 'image'));
    const fast = await service.generate(job(wrong), hooks);
    assert.ok(
      fast.notes.some((n) =>
        /tiny autoencoder failed \(.*must upsample by 2.*decoded with the full VAE/.test(n),
      ),
      fast.notes.join('\n'),
    );
    assert.doesNotMatch(fast.images[0].infotext, /VAE Decoder/);
    const full = await service.generate(job(wrong, { quality: 'full' }), hooks);
    assert.deepEqual(fast.images[0].png, full.images[0].png);
  });

  it('without a tiny decoder: the full VAE decodes, bit for bit, and a note says why', async () => {
    const input = job(fixturePath('tiny-sd', 'sd15-tiny'));
    const fast = await service.generate(input, hooks);
    assert.ok(
      fast.notes.some((n) => /no tiny autoencoder.*decoded with the full VAE/.test(n)),
      fast.notes.join('\n'),
    );
    const full = await service.generate({ ...input, quality: 'full' }, hooks);
    assert.deepEqual(fast.images[0].png, full.images[0].png);
  });
});
