import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  cropRegion,
  maskBounds,
  outpaintMask,
  pasteWithMask,
} from '../../../companion/pipeline/modes/mask-geometry.js';
import { readNpyFloat32 } from '../../../companion/pipeline/npy-reader.js';
import { fromHalfBits, toHalfBits } from '../../../companion/pipeline/runtime/float16.js';

describe('mask geometry', () => {
  it('the crop around a mask is padded, grown to the target aspect and kept inside the image', () => {
    const mask = new Uint8Array(100 * 80);
    for (let y = 30; y < 40; y++) for (let x = 50; x < 70; x++) mask[y * 100 + x] = 255;
    const box = maskBounds(mask, 100, 80)!;
    assert.deepEqual(box, { x: 50, y: 30, w: 20, h: 10 });
    const crop = cropRegion(box, 8, 100, 80, 64, 64);
    assert.equal(crop.w, crop.h);
    assert.ok(crop.x >= 0 && crop.y >= 0 && crop.x + crop.w <= 100 && crop.y + crop.h <= 80);
    assert.ok(crop.x <= 42 && crop.x + crop.w >= 78);
  });

  it('pasting through a zero mask leaves the base untouched; a full mask takes the patch', () => {
    const base = new Uint8Array(4 * 4 * 3).fill(10);
    const patch = new Uint8Array(2 * 2 * 3).fill(200);
    const box = { x: 1, y: 1, w: 2, h: 2 };
    assert.deepEqual(pasteWithMask(base, 4, patch, new Uint8Array(4), box), base);
    const full = pasteWithMask(base, 4, patch, new Uint8Array(4).fill(255), box);
    assert.equal(full[(1 * 4 + 1) * 3], 200);
    assert.equal(full[0], 10);
  });

  it('the outpaint mask covers exactly the new margins', () => {
    const m = outpaintMask(6, 4, { left: 2, right: 0, top: 1, bottom: 0 });
    assert.deepEqual(Array.from(m.subarray(6, 12)), [255, 255, 0, 0, 0, 0]);
    assert.ok(m.subarray(0, 6).every((v) => v === 255));
  });
});

describe('formats', () => {
  it('float16 round-trips representable values and rounds to nearest even', () => {
    for (const v of [0, 1, -2.5, 65504, 0.000061035156, 1 / 3]) {
      assert.ok(Math.abs(fromHalfBits(toHalfBits(v)) - v) <= Math.abs(v) * 2 ** -11);
    }
    assert.equal(toHalfBits(1 + 2 ** -11), toHalfBits(1));
  });

  it('reads a float32 .npy array and rejects other dtypes', () => {
    const header = "{'descr': '<f4', 'fortran_order': False, 'shape': (1, 2), }".padEnd(117, ' ') + '\n';
    const bytes = new Uint8Array(10 + header.length + 8);
    bytes.set([0x93, ...Buffer.from('NUMPY'), 1, 0, header.length, 0]);
    bytes.set(Buffer.from(header, 'latin1'), 10);
    new DataView(bytes.buffer).setFloat32(10 + header.length, 1.5, true);
    new DataView(bytes.buffer).setFloat32(14 + header.length, -2, true);
    const { data, shape } = readNpyFloat32(bytes);
    assert.deepEqual(shape, [1, 2]);
    assert.deepEqual(Array.from(data), [1.5, -2]);
    const f8 = bytes.slice();
    f8.set(Buffer.from("'<f8'"), 10 + header.indexOf("'<f4'"));
    assert.throws(() => readNpyFloat32(f8), { code: 'E_BAD_REQUEST' });
  });
});
