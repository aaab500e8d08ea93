import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fitSize, outpaintCanvas, readImageInfo } from '../../../plugins/vscode/src/host/image-size';
import { Limits } from '../../../shared/protocol/limits';
import { pngWith } from './png-builder';

function jpegHeader(width: number, height: number): Uint8Array {
  // SOI, an APP0 segment of 16 bytes, then SOF0 with precision, height, width.
  const app0 = [0xff, 0xe0, 0x00, 0x10, ...new Array(14).fill(0)];
  const sof0 = [0xff, 0xc0, 0x00, 0x11, 0x08, height >> 8, height & 255, width >> 8, width & 255, 3, 0, 0, 0];
  return Uint8Array.from([0xff, 0xd8, ...app0, ...sof0, ...new Array(8).fill(0)]);
}

function webpVp8x(width: number, height: number): Uint8Array {
  const b = new Uint8Array(30);
  b.set(new TextEncoder().encode('RIFF'), 0);
  b.set(new TextEncoder().encode('WEBPVP8X'), 8);
  const w = width - 1;
  const h = height - 1;
  b.set([w & 255, (w >> 8) & 255, (w >> 16) & 255, h & 255, (h >> 8) & 255, (h >> 16) & 255], 24);
  return b;
}

describe('image size from headers', () => {
  it('reads PNG, JPEG and WebP (VP8X) sizes', () => {
    assert.deepEqual(readImageInfo(pngWith()), { mime: 'image/png', width: 1, height: 1 });
    assert.deepEqual(readImageInfo(jpegHeader(640, 480)), { mime: 'image/jpeg', width: 640, height: 480 });
    assert.deepEqual(readImageInfo(webpVp8x(5000, 300)), { mime: 'image/webp', width: 5000, height: 300 });
  });
  it('anything else is not an image we edit', () => {
    assert.equal(readImageInfo(new TextEncoder().encode('GIF89a......')), null);
    assert.equal(readImageInfo(new Uint8Array()), null);
  });
  it('a large image is scaled to the side limit keeping its aspect ratio, snapped to multiples of 8', () => {
    assert.deepEqual(fitSize(4000, 3000, Limits), { width: 2048, height: 1536, scaled: true });
  });
  it('a small odd-sized image is only snapped, not scaled', () => {
    assert.deepEqual(fitSize(500, 333, Limits), { width: 504, height: 336, scaled: false });
    assert.deepEqual(fitSize(10, 10, Limits), { width: 64, height: 64, scaled: false });
  });
  it('an outpaint asks for the whole canvas: image plus margins, within the limits', () => {
    const right = { left: 0, right: 256, top: 0, bottom: 0 };
    assert.deepEqual(outpaintCanvas(64, 64, right, Limits), { width: 320, height: 64, scaled: false });
    const all = { left: 128, right: 128, top: 128, bottom: 128 };
    assert.deepEqual(outpaintCanvas(512, 512, all, Limits), { width: 768, height: 768, scaled: false });
    // 1900 + 512 wide is over the limit: scaled with the aspect ratio kept.
    const wide = { left: 256, right: 256, top: 0, bottom: 0 };
    assert.deepEqual(outpaintCanvas(1900, 1000, wide, Limits), { width: 2048, height: 848, scaled: true });
  });
});
