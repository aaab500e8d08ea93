// Runs the built dist/code.js as Figma would: a script with `figma` and `__html__` globals,
// here in a node:vm context with the fake API. Builds it first so the test checks what ships.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { before, describe, test } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import vm from 'node:vm';
import { createFakeFigma, fakePng } from './fake-figma';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
let code = '';

before(async () => {
  const { build } = await import(pathToFileURL(path.join(root, 'plugins/figma/esbuild.mjs')).href);
  await build();
  code = await readFile(path.join(root, 'plugins/figma/dist/code.js'), 'utf8');
});

describe('built sandbox bundle (dist/code.js) in node:vm', () => {
  test('starts the UI with theme colours and answers the UI through the contract', async () => {
    const fig = createFakeFigma();
    let shown: unknown[] = [];
    fig.api.showUI = (...args: unknown[]) => {
      shown = args;
    };
    fig.storage.set('stipple.token', 'abc');
    vm.runInNewContext(code, { figma: fig.api, __html__: '<p>ui</p>' }, { filename: 'code.js' });
    assert.equal(shown[0], '<p>ui</p>');
    assert.equal((shown[1] as { themeColors: boolean }).themeColors, true);

    fig.fromUi({ type: 'ui-ready' });
    await fig.flush();
    await fig.flush();
    assert.deepEqual(JSON.parse(JSON.stringify(fig.posted[0])), {
      type: 'init',
      token: 'abc',
      prefs: null,
      editorType: 'figma',
      history: null,
    });

    fig.page.selection = [];
    fig.fromUi({ type: 'prepare-job', requestId: 'r1', sizing: { width: 512, height: 768, maxSide: 1024 } });
    for (let i = 0; i < 5; i++) await fig.flush();
    const input = fig.posted.at(-1) as {
      type: string;
      input: { targetId: string; width: number; height: number };
    };
    assert.equal(input.type, 'job-input');
    assert.deepEqual([input.input.width, input.input.height], [512, 768]);

    // Bytes made in this realm cross into the vm's realm, as structured clone would.
    fig.fromUi({
      type: 'insert-result',
      requestId: 'r2',
      targetId: input.input.targetId,
      png: fakePng(512, 768),
      width: 512,
      height: 768,
      name: 'a cat',
      params: '{}',
      live: false,
    });
    for (let i = 0; i < 5; i++) await fig.flush();
    assert.equal((fig.posted.at(-1) as { type: string }).type, 'inserted');
    assert.equal(fig.undoCommits(), 1);
    assert.equal(fig.page.children.at(-1)?.name, 'a cat');
  });

  test('the bundle is small and plain ES2017 (no optional chaining or ?? left)', () => {
    assert.ok(code.length < 150_000, `code.js is ${code.length} bytes`);
    assert.ok(!/\?\.[a-zA-Z_$(]/.test(code.replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'/g, '')));
  });
});
