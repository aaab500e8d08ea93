import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { fitGenerationSize } from '../../../plugins/figma/src/sandbox/generation-size';
import { classifySelection } from '../../../plugins/figma/src/sandbox/selection-mode';
import { asScene, createFakeFigma, placed } from './fake-figma';

describe('selection → mode', () => {
  test('nothing selected is txt2img into the viewport', () => {
    const c = classifySelection([]);
    assert.equal(c.mode, 'txt2img');
    assert.ok(c.mode === 'txt2img' && c.target.kind === 'viewport');
  });

  test('an empty frame or shape is txt2img that fills it', () => {
    const fig = createFakeFigma();
    for (const node of [fig.frame({ width: 300, height: 200 }), fig.rect({ type: 'ELLIPSE' })]) {
      const c = classifySelection([asScene(node)]);
      assert.ok(c.mode === 'txt2img' && c.target.kind === 'fill' && c.target.node.id === node.id);
    }
  });

  test('a node with an image fill is img2img', () => {
    const fig = createFakeFigma();
    const img = fig.image({ width: 400, height: 300 });
    assert.equal(classifySelection([asScene(img)]).mode, 'img2img');
  });

  test('an image plus overlapping shapes is inpaint with those shapes as the mask', () => {
    const fig = createFakeFigma();
    const img = fig.image({ width: 400, height: 300 });
    const a = fig.rect({ width: 50, height: 50, transform: placed(10, 10) });
    const far = fig.rect({ width: 50, height: 50, transform: placed(1000, 1000) });
    const c = classifySelection([asScene(a), asScene(img), asScene(far)]);
    assert.equal(c.mode, 'inpaint');
    assert.ok(c.mode === 'inpaint' && c.maskShapes.length === 1 && c.maskShapes[0].id === a.id);
  });

  test('shapes that miss the image say so', () => {
    const fig = createFakeFigma();
    const img = fig.image({ width: 100, height: 100 });
    const far = fig.rect({ transform: placed(500, 500) });
    const c = classifySelection([asScene(img), asScene(far)]);
    assert.equal(c.mode, null);
    assert.match(c.mode === null ? c.reason : '', /do not overlap/);
  });

  test('a frame larger than its one image is outpaint', () => {
    const fig = createFakeFigma();
    const frame = fig.frame({ width: 600, height: 300 });
    fig.image({ parent: frame, width: 400, height: 300, transform: placed(100, 0) });
    assert.equal(classifySelection([asScene(frame)]).mode, 'outpaint');
  });

  test('a frame the image fills exactly is not outpaint, and says what to do', () => {
    const fig = createFakeFigma();
    const frame = fig.frame({ width: 400, height: 300 });
    fig.image({ parent: frame, width: 400, height: 300 });
    const c = classifySelection([asScene(frame)]);
    assert.equal(c.mode, null);
    assert.match(c.mode === null ? c.reason : '', /not larger than the image/);
  });

  test('unusable selections explain why', () => {
    const fig = createFakeFigma();
    const text = fig.rect({ type: 'TEXT' });
    const two = [fig.image({ width: 10, height: 10 }), fig.image({ width: 10, height: 10 })];
    const full = fig.frame();
    fig.rect({ parent: full });
    const cases: [unknown[], RegExp][] = [
      [[text], /cannot hold an image/],
      [two, /More than one image/],
      [[full], /frame has content/],
      [[fig.rect(), fig.rect()], /Several layers and no image/],
    ];
    for (const [sel, reason] of cases) {
      const c = classifySelection(sel.map((n) => asScene(n as never)));
      assert.equal(c.mode, null);
      assert.match(c.mode === null ? c.reason : '', reason);
    }
  });
});

describe('generation size', () => {
  test('sizes are rounded to multiples of 8 with the aspect kept', () => {
    assert.deepEqual(fitGenerationSize(300, 200, { maxSide: 2048 }), {
      width: 304,
      height: 200,
      scaled: null,
    });
    const r = fitGenerationSize(1001, 563, { maxSide: 2048 });
    assert.equal(r.width % 8, 0);
    assert.equal(r.height % 8, 0);
    assert.ok(Math.abs(r.width / r.height - 1001 / 563) < 0.02);
  });

  test('too large is scaled down to the largest side, keeping the aspect', () => {
    const r = fitGenerationSize(4000, 3000, { maxSide: 1024 });
    assert.deepEqual(r, { width: 1024, height: 768, scaled: 'down' });
  });

  test('too small is scaled up to the minimum side', () => {
    const r = fitGenerationSize(20, 40, { maxSide: 1024 });
    assert.equal(r.scaled, 'up');
    assert.deepEqual([r.width, r.height], [64, 128]);
  });
});
