// TAESD previews: box-downscaled to at most 256 px, and decoded beside the loop one at a time.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  previewFromImage,
  TINY_PREVIEW_MAX_SIDE,
  TinyPreviews,
} from '../../../companion/pipeline/vae/tiny-decoder';

test('previewFromImage packs RGB and box-averages large images down to 256 px', () => {
  const H = 4;
  const W = 2;
  const img = new Float32Array(3 * H * W);
  for (let i = 0; i < H * W; i++) {
    img[i] = 1; // R
    img[H * W + i] = i / (H * W - 1); // G ramp
    img[2 * H * W + i] = -3; // B clamped to 0
  }
  const small = previewFromImage(img, H, W);
  assert.deepEqual([small.width, small.height], [2, 4]);
  assert.deepEqual([...small.rgb.slice(0, 6)], [255, 0, 0, 255, Math.round((1 / 7) * 255), 0]);

  const big = previewFromImage(new Float32Array(3 * 1024 * 768).fill(0.5), 1024, 768);
  assert.equal(Math.max(big.width, big.height), TINY_PREVIEW_MAX_SIDE);
  assert.deepEqual([big.width, big.height], [192, 256]);
  assert.ok(big.rgb.every((v) => v === 128));
});

test('TinyPreviews runs one decode at a time, hands each result out once, and stops after a failure', async () => {
  let calls = 0;
  let release!: () => void;
  const decode = (l: Float32Array, h: number, w: number) => {
    calls++;
    return new Promise<Float32Array>((r) => {
      release = () => r(new Float32Array(3 * h * 2 * w * 2).fill(l[0]));
    });
  };
  const errors: string[] = [];
  const p = new TinyPreviews(2, 2, 2, (e) => errors.push(e.message));
  const latents = new Float32Array(16).fill(1);
  p.start(latents, decode);
  latents.fill(0); // the loop reuses its buffer: the decode must have its own copy
  p.start(latents, decode); // busy: not queued
  assert.equal(calls, 1);
  assert.equal(p.take(), undefined);
  release();
  await new Promise((r) => setImmediate(r));
  const got = p.take();
  assert.deepEqual([got?.width, got?.height], [4, 4]);
  assert.ok(
    got?.rgb.every((v) => v === 255),
    'decoded from the copy taken at start',
  );
  assert.equal(p.take(), undefined, 'handed out once');

  p.start(latents, () => Promise.reject(new Error('boom')));
  await new Promise((r) => setImmediate(r));
  p.start(latents, decode);
  assert.equal(calls, 1, 'no more decodes after a failure');
  assert.deepEqual(errors, ['boom']);
});
