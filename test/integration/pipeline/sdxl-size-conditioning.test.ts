// SDXL size conditioning (`sdxl` in the request → the UNet's time_ids): diffusers' order
// [orig_h, orig_w, crop_top, crop_left, target_h, target_w]; defaults (and explicit default values) give
// today's image bit for bit, another crop or original size changes the image and is written to the
// infotext; SD 1.x models ignore it with a note.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import pino from 'pino';
import { sdxlTimeIds } from '../../../companion/pipeline/generate-images.js';
import type { GenerateInput } from '../../../companion/pipeline/generate-input.js';
import { validateGenerateInput } from '../../../companion/pipeline/generate-input.js';
import { createPipelineService } from '../../../companion/pipeline/pipeline-service.js';
import { GenerateRequest } from '../../../shared/protocol/generate-request.js';
import { fixturePath, skipNoFixtures } from '../../helpers/fixtures.js';
import { tinyJobInput } from '../../helpers/tiny-job.js';

const service = createPipelineService({ logger: pino({ level: 'silent' }), preferredProviders: ['cpu'] });
after(() => service.unload());
const hooks = { onStep: () => {}, isCancelled: () => false };

const job = (model: string, over: Partial<GenerateInput> = {}): GenerateInput =>
  tinyJobInput(fixturePath('tiny-sd', model), {
    prompt: 'a red bicycle',
    cfg: 5,
    seed: 7,
    previewEvery: 0,
    ...over,
  });

describe('SDXL size conditioning', () => {
  it('time ids follow diffusers: (original h,w) + (crop top,left) + (target h,w), defaults = output size', () => {
    assert.deepEqual([...sdxlTimeIds(1024, 768)], [768, 1024, 0, 0, 768, 1024]);
    assert.deepEqual(
      [...sdxlTimeIds(1024, 768, { originalWidth: 2048, originalHeight: 1536, cropTop: 5, cropLeft: 7 })],
      [1536, 2048, 5, 7, 768, 1024],
    );
    assert.deepEqual([...sdxlTimeIds(64, 64, { targetWidth: 32, targetHeight: 48 })], [64, 64, 0, 0, 48, 32]);
  });

  it('the protocol and the pipeline refuse out-of-range values naming the field', () => {
    const r = GenerateRequest.safeParse({ prompt: 'x', sdxl: { cropTop: -1 } });
    assert.equal(r.success, false);
    assert.deepEqual(r.error?.issues[0].path, ['sdxl', 'cropTop']);
    assert.match(r.error?.issues[0].message ?? '', /`sdxl.cropTop` must be between 0 and 4096/);
    assert.equal(GenerateRequest.safeParse({ prompt: 'x', sdxl: { originalWidth: 1.5 } }).success, false);
    const errors = validateGenerateInput(job('sdxl-tiny', { sdxl: { originalWidth: 0 } }));
    assert.equal(errors[0]?.field, 'sdxl.originalWidth');
  });

  it('defaults reproduce the unconditioned image; another crop changes it and is in the infotext', {
    skip: skipNoFixtures,
  }, async () => {
    const plain = await service.generate(job('sdxl-tiny'), hooks);
    const empty = await service.generate(job('sdxl-tiny', { sdxl: {} }), hooks);
    const explicit = await service.generate(
      job('sdxl-tiny', {
        sdxl: {
          originalWidth: 64,
          originalHeight: 64,
          cropTop: 0,
          cropLeft: 0,
          targetWidth: 64,
          targetHeight: 64,
        },
      }),
      hooks,
    );
    assert.deepEqual(empty.images[0].png, plain.images[0].png);
    assert.deepEqual(explicit.images[0].png, plain.images[0].png);
    assert.equal(explicit.images[0].infotext, plain.images[0].infotext, 'defaults are not written');

    const cropped = await service.generate(job('sdxl-tiny', { sdxl: { cropTop: 32, cropLeft: 16 } }), hooks);
    assert.notDeepEqual(cropped.images[0].png, plain.images[0].png, 'crop coordinates reach the UNet');
    assert.match(cropped.images[0].infotext, /Crop top: 32, Crop left: 16/);
    const original = await service.generate(
      job('sdxl-tiny', { sdxl: { originalWidth: 512, originalHeight: 256 } }),
      hooks,
    );
    assert.notDeepEqual(original.images[0].png, plain.images[0].png, 'original size reaches the UNet');
    assert.notDeepEqual(original.images[0].png, cropped.images[0].png);
    assert.match(original.images[0].infotext, /Original size: 512x256/);
  });

  it('an SD 1.x model ignores it with a note', { skip: skipNoFixtures }, async () => {
    const plain = await service.generate(job('sd15-tiny'), hooks);
    const out = await service.generate(job('sd15-tiny', { sdxl: { cropTop: 32 } }), hooks);
    assert.deepEqual(out.images[0].png, plain.images[0].png);
    assert.ok(
      out.notes.some((n) => /`sdxl` size conditioning ignored/.test(n)),
      out.notes.join('\n'),
    );
    assert.doesNotMatch(out.images[0].infotext, /Crop top/);
  });
});
