import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeRgb, encodePng } from '../../../companion/images/image-codec.js';
import { formatInfotext, parseInfotext } from '../../../companion/images/infotext.js';
import { readTextChunk } from '../../../companion/images/png-chunks.js';
import { type GenerateInput, validateGenerateInput } from '../../../companion/pipeline/generate-input.js';

const params = {
  prompt: 'a cat, (red:1.2)',
  negativePrompt: 'blurry',
  steps: 20,
  sampler: 'Euler a',
  cfg: 7,
  seed: 1,
  width: 512,
  height: 512,
  modelHash: 'abcdef0123',
  model: 'sd15',
};

describe('PNG metadata and input checks', () => {
  it('writes A1111 infotext in a parameters chunk that reads back', async () => {
    const text = formatInfotext(params);
    assert.equal(
      text,
      'a cat, (red:1.2)\nNegative prompt: blurry\nSteps: 20, Sampler: Euler a, CFG scale: 7, Seed: 1, Size: 512x512, Model hash: abcdef0123, Model: sd15',
    );
    const png = await encodePng({ width: 2, height: 2, data: new Uint8Array(12).fill(128) }, text);
    assert.equal(readTextChunk(png, 'parameters'), text);
    const parsed = parseInfotext(text);
    assert.equal(parsed.prompt, 'a cat, (red:1.2)');
    assert.equal(parsed.fields.Seed, '1');
    assert.equal(parsed.fields.Sampler, 'Euler a');
  });

  it('rejects wrong magic, a bad CRC, truncation and oversized declared sizes with E_BAD_IMAGE', async () => {
    const png = await encodePng({ width: 2, height: 2, data: new Uint8Array(12) });
    await assert.rejects(decodeRgb(Uint8Array.of(1, 2, 3, 4), 'initImage'), { code: 'E_BAD_IMAGE' });
    const badCrc = png.slice();
    badCrc[20] ^= 0xff;
    await assert.rejects(decodeRgb(badCrc, 'initImage'), /bad CRC in IHDR/);
    await assert.rejects(decodeRgb(png.subarray(0, png.length - 20), 'initImage'), /truncated/);
    const huge = png.slice();
    new DataView(huge.buffer).setUint32(16, 100000);
    await assert.rejects(decodeRgb(huge, 'initImage'), { code: 'E_BAD_IMAGE' });
  });

  it('names the field and the rule for bad requests', () => {
    const input: GenerateInput = {
      mode: 'txt2img',
      prompt: 'x',
      negativePrompt: '',
      sampler: 'nope' as never,
      steps: 0,
      cfg: 31,
      seed: 1,
      width: 513,
      height: 512,
      strength: 2,
      batch: 1,
      maskBlur: 4,
      onlyMasked: false,
      onlyMaskedPadding: 32,
      resizeMode: 'fill',
      quality: 'full',
      modelDir: '/m',
      modelName: 'm',
    };
    const msgs = validateGenerateInput(input).map((e) => e.message);
    assert.ok(msgs.includes('`width` must be a multiple of 8, got 513'));
    assert.ok(msgs.some((m) => m.startsWith('`sampler` must be one of')));
    assert.ok(msgs.includes('`steps` must be between 1 and 150, got 0'));
    assert.ok(msgs.includes('`cfg` must be between 0 and 30, got 31'));
    assert.ok(msgs.includes('`strength` must be between 0 and 1, got 2'));
  });
});
