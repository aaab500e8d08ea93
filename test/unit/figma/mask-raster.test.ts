import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { maskPolygons } from '../../../plugins/figma/src/sandbox/mask-geometry';
import { maskCoverage, rasterizePolygons } from '../../../plugins/figma/src/sandbox/mask-raster';
import { flattenPath } from '../../../plugins/figma/src/sandbox/vector-path';
import { asScene, createFakeFigma, placed } from './fake-figma';

const at = (mask: Uint8Array, width: number, x: number, y: number) => mask[y * width + x];

describe('mask rasterization from shapes', () => {
  test('a rectangle over an image maps to the same pixels at the export resolution', () => {
    const fig = createFakeFigma();
    const img = fig.image({ width: 200, height: 100, transform: placed(1000, 1000) });
    const hole = fig.rect({ width: 50, height: 25, transform: placed(1050, 1025) });
    // Exported at 2× the canvas size: the mask must be too.
    const polys = maskPolygons(asScene(img), [asScene(hole)], 400, 200);
    const mask = rasterizePolygons(polys, 400, 200);
    assert.equal(at(mask, 400, 100, 50), 255);
    assert.equal(at(mask, 400, 199, 99), 255);
    assert.equal(at(mask, 400, 99, 50), 0);
    assert.equal(at(mask, 400, 200, 50), 0);
    assert.ok(Math.abs(maskCoverage(mask) - (100 * 50) / (400 * 200)) < 1e-9);
  });

  test('a rotated image inside a rotated frame: the mask is in the image’s own upright pixels', () => {
    const fig = createFakeFigma();
    const frame = fig.frame({ width: 1000, height: 1000, transform: placed(300, 200, 25) });
    const img = fig.image({ parent: frame, width: 100, height: 100, transform: placed(100, 100, 40) });
    // A square covering the image's left half, drawn in the image's own space (as a child
    // of the same frame with the same rotation).
    const half = fig.rect({ parent: frame, width: 50, height: 100, transform: placed(100, 100, 40) });
    const mask = rasterizePolygons(maskPolygons(asScene(img), [asScene(half)], 100, 100), 100, 100);
    assert.equal(at(mask, 100, 10, 50), 255);
    assert.equal(at(mask, 100, 48, 90), 255);
    assert.equal(at(mask, 100, 52, 10), 0);
    assert.ok(Math.abs(maskCoverage(mask) - 0.5) < 0.01);
  });

  test('an ellipse covers about π/4 of its box', () => {
    const fig = createFakeFigma();
    const img = fig.image({ width: 256, height: 256 });
    const dot = fig.rect({ type: 'ELLIPSE', width: 256, height: 256 });
    const mask = rasterizePolygons(maskPolygons(asScene(img), [asScene(dot)], 256, 256), 256, 256);
    assert.ok(Math.abs(maskCoverage(mask) - Math.PI / 4) < 0.005);
    assert.equal(at(mask, 256, 0, 0), 0);
    assert.equal(at(mask, 256, 128, 128), 255);
  });

  test('vector paths, curves included, are flattened and filled', () => {
    const tri = flattenPath('M 0 0 L 100 0 L 0 100 Z');
    assert.equal(tri.length, 1);
    const mask = rasterizePolygons(tri, 100, 100);
    assert.ok(Math.abs(maskCoverage(mask) - 0.5) < 0.01);
    const curved = flattenPath('M 0 0 C 50 0 100 50 100 100 L 0 100 Z');
    assert.ok(curved[0].length > 10);
  });

  test('overlapping shapes do not cancel out (non-zero winding)', () => {
    const square = (x: number) => [
      { x, y: 0 },
      { x: x + 60, y: 0 },
      { x: x + 60, y: 60 },
      { x, y: 60 },
    ];
    const mask = rasterizePolygons([square(0), square(30)], 100, 60);
    assert.equal(at(mask, 100, 45, 30), 255);
    assert.ok(Math.abs(maskCoverage(mask) - (90 * 60) / (100 * 60)) < 1e-9);
  });
});
