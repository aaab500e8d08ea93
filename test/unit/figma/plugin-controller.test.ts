import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { SandboxToUi } from '../../../plugins/figma/src/contract/plugin-messages';
import { PARAMS_KEY } from '../../../plugins/figma/src/sandbox/generation-params';
import { HISTORY_KEY, startPlugin, TOKEN_KEY } from '../../../plugins/figma/src/sandbox/plugin-controller';
import { createFakeFigma, type FakeFigma, type FakeNode, fakePng, placed, pngSize } from './fake-figma';

const sizing = { width: 512, height: 512, maxSide: 1024 };

async function started(): Promise<FakeFigma> {
  const fig = createFakeFigma();
  startPlugin(fig.api, '<html></html>');
  return fig;
}

async function ask(fig: FakeFigma, message: Record<string, unknown>): Promise<SandboxToUi> {
  const before = fig.posted.length;
  fig.fromUi(message);
  for (let i = 0; i < 20 && fig.posted.length === before; i++) await fig.flush();
  return fig.posted[fig.posted.length - 1] as SandboxToUi;
}

async function prepare(fig: FakeFigma) {
  const reply = await ask(fig, { type: 'prepare-job', requestId: 'p1', sizing });
  assert.equal(reply.type, 'job-input', JSON.stringify(reply));
  return reply.type === 'job-input' ? reply.input : assert.fail();
}

describe('sandbox controller', () => {
  test('ui-ready answers with the stored token and the selection', async () => {
    const fig = await started();
    fig.storage.set(TOKEN_KEY, 'tok-123');
    await ask(fig, { type: 'ui-ready' });
    const init = fig.posted.find((m) => (m as SandboxToUi).type === 'init') as Extract<
      SandboxToUi,
      { type: 'init' }
    >;
    assert.equal(init.token, 'tok-123');
    assert.equal((fig.posted.at(-1) as SandboxToUi).type, 'selection');
  });

  test('the token from pairing is kept in clientStorage and can be forgotten', async () => {
    const fig = await started();
    fig.fromUi({ type: 'save-token', token: 'new-token' });
    await fig.flush();
    assert.equal(fig.storage.get(TOKEN_KEY), 'new-token');
    fig.fromUi({ type: 'save-token', token: null });
    await fig.flush();
    assert.equal(fig.storage.has(TOKEN_KEY), false);
  });

  test('malformed UI messages are rejected with a notice, not acted on', async () => {
    const fig = await started();
    fig.fromUi({ type: 'insert-result', requestId: 'x', png: 'not bytes' });
    fig.fromUi({ type: 'format-disk' });
    assert.equal(fig.notified.length, 2);
    assert.ok(fig.notified.every((n) => n.error && /malformed/.test(n.message)));
  });

  test('img2img exports the image upright at the model resolution, not the zoom', async () => {
    const fig = await started();
    const img = fig.image({ width: 300, height: 200, pixels: [1200, 800], transform: placed(0, 0, 30) });
    fig.page.selection = [img];
    const input = await prepare(fig);
    assert.deepEqual([input.mode, input.width, input.height], ['img2img', 1024, 680]);
    assert.match(input.notices[0], /1200×800 px; it is sent at 1024×680/);
    const exp = fig.world.exports.at(-1)!;
    assert.deepEqual(exp.settings, {
      format: 'PNG',
      constraint: { type: 'WIDTH', value: 1024 },
      colorProfile: 'SRGB',
    });
    assert.ok(exp.upright, 'the rotated image is exported upright');
    assert.deepEqual(pngSize(input.initImage!), { width: 1024, height: 683 });
    assert.equal(img.parent, fig.page);
    assert.equal(fig.page.children.length, 1, 'the temporary upright copy is removed');
  });

  test('inpaint sends the mask at the image resolution with its coverage', async () => {
    const fig = await started();
    const img = fig.image({ width: 256, height: 256, pixels: [512, 512] });
    const shape = fig.rect({ width: 64, height: 64, transform: placed(0, 0) });
    fig.page.selection = [img, shape];
    const input = await prepare(fig);
    assert.equal(input.mode, 'inpaint');
    assert.deepEqual([input.mask!.width, input.mask!.height], [512, 512]);
    assert.equal(input.mask!.alpha.length, 512 * 512);
    assert.ok(Math.abs(input.mask!.coverage - 1 / 16) < 1e-9);
  });

  test('outpaint sends margins that make the result cover the frame', async () => {
    const fig = await started();
    const frame = fig.frame({ width: 600, height: 400 });
    fig.image({ parent: frame, width: 400, height: 300, pixels: [400, 300], transform: placed(100, 40) });
    fig.page.selection = [frame];
    const input = await prepare(fig);
    assert.equal(input.mode, 'outpaint');
    assert.deepEqual([input.width, input.height], [608, 408], 'the whole canvas: image plus margins');
    assert.deepEqual(pngSize(input.initImage!), { width: 400, height: 300 });
    assert.deepEqual(input.outpaint, { left: 104, right: 104, top: 40, bottom: 64 });
  });

  test('an unusable selection is answered with the reason', async () => {
    const fig = await started();
    fig.page.selection = [fig.rect({ type: 'TEXT' })];
    const reply = await ask(fig, { type: 'prepare-job', requestId: 'p2', sizing });
    assert.equal(reply.type, 'job-input-error');
    assert.match(reply.type === 'job-input-error' ? reply.reason : '', /cannot hold an image/);
  });

  test('each insertion is one undo step and carries its parameters', async () => {
    const fig = await started();
    const img = fig.image({ width: 100, height: 100 });
    fig.page.selection = [img];
    const input = await prepare(fig);
    const params = JSON.stringify({ version: 1, params: { prompt: 'x', seed: 42 }, infotext: 'x' });
    for (const requestId of ['i1', 'i2']) {
      const reply = await ask(fig, {
        type: 'insert-result',
        requestId,
        targetId: input.targetId,
        png: fakePng(104, 104),
        width: 104,
        height: 104,
        name: 'x',
        params,
        live: false,
      });
      assert.equal(reply.type, 'inserted');
      const node = fig.world.nodes.get(reply.type === 'inserted' ? reply.nodeId : '')!;
      assert.equal(node.getPluginData(PARAMS_KEY), params);
    }
    assert.equal(fig.undoCommits(), 2);
    // Selecting a generated layer tells the UI its parameters (regenerate / variations / copy).
    fig.page.selection = [img.parent!.children.at(-1)!];
    fig.fire('selectionchange');
    const sel = fig.posted.at(-1) as Extract<SandboxToUi, { type: 'selection' }>;
    assert.equal(sel.info.generatedParams, params);
  });

  test('live previews refresh one layer in place across jobs, without undo steps; keeping commits once', async () => {
    const fig = await started();
    fig.page.selection = [];
    const live = async (requestId: string) => {
      const input = await prepare(fig);
      return ask(fig, {
        type: 'insert-result',
        requestId,
        targetId: input.targetId,
        png: fakePng(512, 512),
        width: 512,
        height: 512,
        name: 'cat',
        params: '{}',
        live: true,
      });
    };
    const a = await live('l1');
    const b = await live('l2');
    assert.ok(a.type === 'inserted' && b.type === 'inserted' && a.nodeId === b.nodeId, 'one preview layer');
    assert.equal(fig.page.children.length, 1);
    assert.equal(fig.undoCommits(), 0);
    const kept = await ask(fig, { type: 'keep-live', requestId: 'k' });
    assert.equal(kept.type, 'inserted');
    assert.equal(fig.undoCommits(), 1);
    assert.equal((fig.world.nodes.get(a.type === 'inserted' ? a.nodeId : '') as FakeNode).name, 'cat');
    const c = await live('l3');
    assert.ok(
      c.type === 'inserted' && c.nodeId !== a.nodeId,
      'after keeping, the next preview is a new layer',
    );
    fig.fromUi({ type: 'discard-live' });
    await fig.flush();
    await fig.flush();
    assert.equal(fig.page.children.length, 1, 'the discarded preview is removed, the kept one stays');
  });

  test('edits to the selected layers tell live mode; edits to the preview layer do not', async () => {
    const fig = await started();
    const img = fig.image({ width: 64, height: 64 });
    fig.page.selection = [img];
    const input = await prepare(fig);
    const preview = await ask(fig, {
      type: 'insert-result',
      requestId: 'l',
      targetId: input.targetId,
      png: fakePng(64, 64),
      width: 64,
      height: 64,
      name: 'x',
      params: '{}',
      live: true,
    });
    const before = fig.posted.length;
    fig.changed(fig.world.nodes.get(preview.type === 'inserted' ? preview.nodeId : '')!);
    assert.equal(fig.posted.length, before);
    fig.changed(img);
    assert.deepEqual(fig.posted.at(-1), { type: 'selection-edited' });
  });

  test('regenerating a txt2img layer makes a new layer over it at the stored size', async () => {
    const fig = await started();
    const layer = fig.image({ width: 300, height: 300, transform: placed(40, 40, 20) });
    fig.page.selection = [layer];
    const reply = await ask(fig, {
      type: 'prepare-job',
      requestId: 'g1',
      sizing: { width: 512, height: 512, maxSide: 1024 },
      regenerate: 'txt2img',
    });
    assert.ok(reply.type === 'job-input');
    assert.deepEqual([reply.input.mode, reply.input.width, reply.input.height], ['txt2img', 512, 512]);
    assert.equal(reply.input.initImage, undefined);
  });

  test('regenerating an img2img layer runs on its stored source image, or says it is gone', async () => {
    const fig = await started();
    const source = fig.image({ width: 200, height: 100 });
    fig.page.selection = [source];
    const input = await prepare(fig);
    const inserted = await ask(fig, {
      type: 'insert-result',
      requestId: 'i',
      targetId: input.targetId,
      png: fakePng(208, 104),
      width: 208,
      height: 104,
      name: 'x',
      params: '{}',
      live: false,
    });
    const layer = fig.world.nodes.get(inserted.type === 'inserted' ? inserted.nodeId : '')!;
    fig.page.selection = [layer];
    const exportsBefore = fig.world.exports.length;
    const again = await ask(fig, { type: 'prepare-job', requestId: 'g2', sizing, regenerate: 'source' });
    assert.ok(again.type === 'job-input' && again.input.mode === 'img2img');
    assert.equal(fig.world.exports.at(-1)!.nodeId, source.id, 'the source is exported, not the layer');
    assert.equal(fig.world.exports.length, exportsBefore + 1);
    source.remove();
    const gone = await ask(fig, { type: 'prepare-job', requestId: 'g3', sizing, regenerate: 'source' });
    assert.ok(gone.type === 'job-input-error');
    assert.match(gone.reason, /made from is gone/);
  });

  test("reverse prompt: the selected image fill's own file bytes go to the UI (metadata kept)", async () => {
    const fig = await started();
    const node = fig.image({ name: 'Photo', width: 200, height: 100, pixels: [64, 32] });
    // The fake keeps the file bytes of each image fill; the last one added is this node's.
    const original = [...fig.world.images.values()].at(-1)!.bytes;
    fig.page.selection = [node];
    const reply = await ask(fig, { type: 'export-image', requestId: 'e1' });
    assert.equal(reply.type, 'image-bytes', JSON.stringify(reply));
    if (reply.type !== 'image-bytes') return;
    assert.equal(reply.requestId, 'e1');
    assert.equal(reply.name, 'Photo');
    assert.equal(reply.png, original, 'the stored file, not a re-encoded export');
    assert.equal(fig.world.exports.length, 0);
    fig.fire('selectionchange');
    const info = fig.posted.at(-1) as SandboxToUi;
    assert.ok(info.type === 'selection' && info.info.hasImage === true);
  });

  test('reverse prompt without an image selected: the reason, for the UI to show', async () => {
    const fig = await started();
    fig.page.selection = [];
    const none = await ask(fig, { type: 'export-image', requestId: 'e2' });
    assert.deepEqual(none, {
      type: 'image-error',
      requestId: 'e2',
      reason: 'Select an image layer to read its prompt.',
    });
    fig.page.selection = [fig.frame({ name: 'Frame 1' })];
    const frame = await ask(fig, { type: 'export-image', requestId: 'e3' });
    assert.deepEqual(frame, { type: 'image-error', requestId: 'e3', reason: '"Frame 1" has no image fill.' });
  });

  test('the prompt history is kept in clientStorage and comes back in init', async () => {
    const fig = await started();
    fig.fromUi({ type: 'save-history', history: '[{"x":1}]' });
    await fig.flush();
    assert.equal(fig.storage.get(HISTORY_KEY), '[{"x":1}]');
    await ask(fig, { type: 'ui-ready' });
    const init = fig.posted.find((m) => (m as SandboxToUi).type === 'init') as Extract<
      SandboxToUi,
      { type: 'init' }
    >;
    assert.equal(init.history, '[{"x":1}]');
  });
});
