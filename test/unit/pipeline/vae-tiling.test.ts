import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { planTiles, tiled, tileStarts } from '../../../companion/pipeline/vae/vae.js';

describe('VAE tiling', () => {
  it('tiles cover the whole side and the last one is flush with the edge', () => {
    assert.deepEqual(tileStarts(100, 40, 10), [0, 30, 60]);
    assert.deepEqual(tileStarts(32, 64, 16), [0]);
    assert.equal(planTiles(100, 70, 40, 10).length, 3 * 2);
  });

  it('blending overlapping tiles of a pointwise map leaves no seams (equals the untiled map)', async () => {
    const h = 37;
    const w = 53;
    const input = Float32Array.from({ length: 2 * h * w }, (_, i) => Math.sin(i * 0.37));
    // A 2x nearest upsample that doubles the value: pointwise, so any seam would show as a difference.
    const up = async (data: Float32Array, shape: [number, number, number, number]) => {
      const [, c, th, tw] = shape;
      const out = new Float32Array(c * th * 2 * tw * 2);
      for (let ch = 0; ch < c; ch++)
        for (let y = 0; y < th * 2; y++)
          for (let x = 0; x < tw * 2; x++)
            out[(ch * th * 2 + y) * tw * 2 + x] = 2 * data[(ch * th + (y >> 1)) * tw + (x >> 1)];
      return out;
    };
    const whole = await up(input, [1, 2, h, w]);
    const tiledOut = await tiled(input, [1, 2, h, w], 2, 2, 16, 6, up);
    let worst = 0;
    for (let i = 0; i < whole.length; i++) worst = Math.max(worst, Math.abs(whole[i] - tiledOut[i]));
    assert.ok(worst < 1e-5, `max diff ${worst}`);
  });
});
