import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { overlayOver, placeResult } from '../../../plugins/figma/src/sandbox/result-insertion';
import { asScene, createFakeFigma, type FakeNode, fakePng, placed } from './fake-figma';

function assertSameTransform(a: FakeNode, b: FakeNode): void {
  const p = a.absoluteTransform;
  const q = b.absoluteTransform;
  for (let r = 0; r < 2; r++)
    for (let c = 0; c < 3; c++) assert.ok(Math.abs(p[r][c] - q[r][c]) < 1e-9, `${p} vs ${q}`);
  assert.equal(a.width, b.width);
  assert.equal(a.height, b.height);
}

const result = { png: fakePng(512, 512), name: 'a lighthouse', params: '{"version":1}' };

describe('results land exactly over the source', () => {
  test('rotated image nested in rotated frames and a group', () => {
    const fig = createFakeFigma();
    const outer = fig.frame({ width: 800, height: 800, transform: placed(50, 70, 30) });
    const inner = fig.frame({ parent: outer, width: 600, height: 600, transform: placed(20, 10, -12) });
    const group = fig.group(inner);
    const img = fig.image({ parent: group, width: 300, height: 200, transform: placed(40, 30, 45) });
    const rect = overlayOver(fig.api, asScene(img)) as unknown as FakeNode;
    assert.equal(rect.parent, group);
    assert.equal(group.children.indexOf(rect), group.children.indexOf(img) + 1, 'directly above the source');
    assertSameTransform(rect, img);
  });

  test('inside an auto-layout frame the overlay is absolutely positioned', () => {
    const fig = createFakeFigma();
    const auto = fig.frame({ width: 500, height: 500, transform: placed(10, 10) });
    auto.layoutMode = 'VERTICAL';
    const img = fig.image({ parent: auto, width: 200, height: 100, transform: placed(0, 40) });
    const rect = overlayOver(fig.api, asScene(img)) as unknown as { layoutPositioning: string } & FakeNode;
    assert.equal(rect.layoutPositioning, 'ABSOLUTE');
    assertSameTransform(rect, img);
  });

  test('inside an instance (no new children allowed) it goes on the page at the same absolute transform', () => {
    const fig = createFakeFigma();
    const frame = fig.frame({ width: 500, height: 500, transform: placed(100, 100, 10) });
    const instance = fig.frame({ parent: frame, width: 300, height: 300, transform: placed(10, 10) });
    Object.defineProperty(instance, 'type', { value: 'INSTANCE' });
    const img = fig.image({ parent: instance, width: 100, height: 80, transform: placed(5, 5, 20) });
    const rect = overlayOver(fig.api, asScene(img)) as unknown as FakeNode;
    assert.equal(rect.parent, fig.page);
    assertSameTransform(rect, img);
  });

  test('txt2img with nothing selected is centred in the viewport at the requested size', async () => {
    const fig = createFakeFigma();
    const node = (await placeResult(
      fig.api,
      { kind: 'viewport', centerX: 1000, centerY: 500, width: 512, height: 768 },
      result,
      { commit: true },
    )) as unknown as FakeNode;
    assert.deepEqual([node.x, node.y, node.width, node.height], [744, 116, 512, 768]);
    assert.equal(node.name, 'a lighthouse');
  });

  test('an empty frame gets the image as its fill, keeping its name', async () => {
    const fig = createFakeFigma();
    const frame = fig.frame({ name: 'Hero', width: 300, height: 200 });
    await placeResult(fig.api, { kind: 'fill', nodeId: frame.id }, result, { commit: true });
    assert.equal(frame.name, 'Hero');
    const fills = frame.fills as unknown as { type: string; scaleMode: string }[];
    assert.equal(fills[0].type, 'IMAGE');
    assert.equal(fills[0].scaleMode, 'FILL');
  });

  test('outpaint results cover the frame rectangle they were prepared for', async () => {
    const fig = createFakeFigma();
    const frame = fig.frame({ width: 600, height: 300, transform: placed(0, 0, 15) });
    const node = (await placeResult(
      fig.api,
      { kind: 'frame-rect', frameId: frame.id, x: -2, y: 0, width: 604, height: 300 },
      result,
      { commit: true },
    )) as unknown as FakeNode;
    assert.equal(node.parent, frame);
    assert.deepEqual([node.x, node.y, node.width, node.height], [-2, 0, 604, 300]);
  });

  test('a deleted target is reported, not ignored', async () => {
    const fig = createFakeFigma();
    const img = fig.image({ width: 10, height: 10 });
    img.remove();
    await assert.rejects(
      placeResult(fig.api, { kind: 'overlay', nodeId: img.id }, result, { commit: true }),
      /has been deleted/,
    );
  });
});
