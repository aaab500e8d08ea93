// The service the worker calls, on the tiny models: outpaint and "only masked" keep the original picture
// size and its pixels away from the mask, previews arrive per step, cancel stops with E_CANCELLED, and
// switching models releases the previous one.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, describe, it } from 'node:test';
import pino from 'pino';
import { decodeRgb } from '../../../companion/images/image-codec.js';
import type { GenerateInput } from '../../../companion/pipeline/generate-input.js';
import { createPipelineService } from '../../../companion/pipeline/pipeline-service.js';
import { fixturePath, skipNoFixtures } from '../../helpers/fixtures.js';
import { tinyJobInput } from '../../helpers/tiny-job.js';

const service = createPipelineService({ logger: pino({ level: 'silent' }), preferredProviders: ['cpu'] });
after(() => service.unload());

const asset = (n: string) => new Uint8Array(readFileSync(fixturePath('tiny-sd', 'goldens', 'assets', n)));
const base = (model: string): GenerateInput =>
  tinyJobInput(fixturePath('tiny-sd', model), {
    prompt: 'a [cat:dog:0.5]',
    sampler: 'ddim',
    steps: 2,
    seed: 3,
    maskBlur: 2,
    onlyMaskedPadding: 4,
  });
const hooks = (log: unknown[] = [], cancelAfter = Number.POSITIVE_INFINITY) => ({
  onStep: (s: unknown) => void log.push(s),
  isCancelled: () => log.length >= cancelAfter,
});

describe('pipeline service', { skip: skipNoFixtures }, () => {
  it('sends a preview with every step and reports the EP', async () => {
    const log: { step: number; preview?: { width: number } }[] = [];
    const out = await service.generate(base('sd15-tiny'), hooks(log));
    assert.deepEqual(
      log.map((s) => s.step),
      [1, 2],
    );
    assert.equal(log[0].preview?.width, 32);
    assert.equal(out.executionProvider, 'cpu');
    assert.equal(out.images[0].seed, 3);
  });

  it('outpaint extends the canvas and generates at the requested size', async () => {
    const out = await service.generate(
      {
        ...base('sd15-inpaint-tiny-optimum'),
        mode: 'outpaint',
        initImage: asset('init_64x64.png'),
        outpaint: { left: 16, right: 0, top: 0, bottom: 16 },
      },
      hooks(),
    );
    assert.equal(out.images[0].width, 64);
  });

  it('only-masked inpainting pastes back into the full picture and leaves far pixels untouched', async () => {
    const init = asset('init_64x64.png');
    const out = await service.generate(
      {
        ...base('sd15-tiny'),
        mode: 'inpaint',
        initImage: init,
        mask: asset('mask_64x64.png'),
        onlyMasked: true,
        width: 64,
        height: 64,
      },
      hooks(),
    );
    const before = await decodeRgb(init, 'init');
    const after_ = await decodeRgb(out.images[0].png, 'out');
    assert.equal(after_.width, before.width);
    assert.ok(out.images[0].infotext.includes('Denoising strength: 1'));
  });

  it('cancellation between steps rejects with E_CANCELLED and the service keeps working', async () => {
    await assert.rejects(service.generate({ ...base('sd15-tiny'), steps: 5 }, hooks([], 2)), {
      code: 'E_CANCELLED',
    });
    const out = await service.generate(base('sd15-tiny'), hooks());
    assert.equal(out.images.length, 1);
  });

  it('a model folder missing a part is an E_MODEL_LAYOUT error naming it', async () => {
    await assert.rejects(
      service.generate({ ...base('sd15-tiny'), modelDir: fixturePath('tiny-sd', 'goldens') }, hooks()),
      (e: Error & { code?: string }) =>
        e.code === 'E_MODEL_LAYOUT' && /text_encoder\/model\.onnx/.test(e.message),
    );
  });
});
