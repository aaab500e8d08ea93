// The side panel prompt editor's pure logic: highlight spans per box, stale findings, and what a
// gallery entry restores (from a real infotext, as the daemon writes it).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseHostToWebview } from '../../../plugins/vscode/src/common/panel-messages';
import { galleryRestore, isStale, spansFor } from '../../../plugins/vscode/src/common/prompt-panel-logic';
import { galleryFields } from '../../../plugins/vscode/src/host/gallery';
import { parseParameters } from '../../../plugins/vscode/src/host/png-parameters';
import { analyzeForPanel, TokenCountCache } from '../../../plugins/vscode/src/host/prompt-analysis';
import { highlightSegments } from '../../../shared/prompt/highlight-segments';

describe('side panel: finding highlights', () => {
  test('each box gets the spans of its own findings, at the analysed text', () => {
    const prompt = '(fox:2.5), fox, snow';
    const negative = 'blurry, blurry';
    const a = analyzeForPanel(prompt, negative, new TokenCountCache().counter());
    const p = spansFor(a.findings, 'prompt');
    const n = spansFor(a.findings, 'negative');
    assert.ok(p.length >= 2, `prompt findings: ${JSON.stringify(a.findings)}`);
    assert.ok(n.length >= 1, `negative findings: ${JSON.stringify(a.findings)}`);
    for (const s of p) assert.ok(s.end <= prompt.length && s.start < s.end);
    for (const s of n) assert.ok(s.end <= negative.length && s.start < s.end);
    // The overweight keyword is one of the highlighted pieces.
    const marked = highlightSegments(prompt, p)
      .filter((seg) => seg.spans.length > 0)
      .map((seg) => seg.text);
    assert.ok(
      marked.some((t) => t.includes('fox:2.5') || t.includes('2.5')),
      `marked: ${marked}`,
    );
    // The negative box's duplicate is marked in the negative text, not the prompt's.
    assert.ok(
      n.some((s) => negative.slice(s.start, s.end).includes('blurry')),
      `negative spans: ${JSON.stringify(n)}`,
    );
  });

  test('findings are stale once either box differs from the analysed text', () => {
    const analysed = { prompt: 'a fox', negative: 'blurry' };
    assert.equal(isStale(analysed, { prompt: 'a fox', negative: 'blurry' }), false);
    assert.equal(isStale(analysed, { prompt: 'a fox, snow', negative: 'blurry' }), true);
    assert.equal(isStale(analysed, { prompt: 'a fox', negative: '' }), true);
    assert.equal(isStale(null, { prompt: '', negative: '' }), true, 'no analysis yet');
  });
});

describe('side panel: gallery entry restores the editor', () => {
  const infotext =
    'a red fox, snow <lora:tiny:0.8> <lora:detail:9>\nNegative prompt: blurry, lowres\nSteps: 4, Sampler: Euler a, CFG scale: 7, Seed: 42, Size: 512x768, Model: tiny';

  test('prompt without the LoRA tags, negative, size, checkpoint; LoRA weights clamped', () => {
    const fields = galleryFields(parseParameters(infotext));
    assert.deepEqual(fields, {
      prompt: 'a red fox, snow <lora:tiny:0.8> <lora:detail:9>',
      negativePrompt: 'blurry, lowres',
      seed: 42,
      size: '512x768',
      model: 'tiny',
    });
    const item = { path: 'file:///w/out/fox.png', name: 'fox.png', src: 'x', ...fields };
    assert.ok(parseHostToWebview({ type: 'gallery', items: [item] }).ok);
    assert.deepEqual(galleryRestore(item), {
      prompt: 'a red fox, snow',
      negativePrompt: 'blurry, lowres',
      size: '512x768',
      model: 'tiny',
      loras: [
        { name: 'tiny', weight: 0.8 },
        { name: 'detail', weight: 4 },
      ],
    });
  });

  test('a tag inside the prompt leaves one comma; other tag types stay; no weight means 1', () => {
    const r = galleryRestore({
      path: 'p',
      name: 'n',
      src: 's',
      prompt: 'a cabin, <lora:wood>, snowy woods <hypernet:x:1>',
    });
    assert.equal(r.prompt, 'a cabin, snowy woods <hypernet:x:1>');
    assert.deepEqual(r.loras, [{ name: 'wood', weight: 1 }]);
    assert.equal(r.negativePrompt, '');
    assert.equal(r.size, undefined);
  });

  test('a PNG with no parameters restores nothing; odd fields are left out', () => {
    assert.deepEqual(galleryFields(undefined), { prompt: '' });
    assert.deepEqual(galleryFields(parseParameters('a cat\nSteps: 4, Seed: -1, Size: big, Sampler: Euler')), {
      prompt: 'a cat',
    });
    assert.equal(
      parseHostToWebview({
        type: 'gallery',
        items: [{ path: 'p', name: 'n', prompt: '', src: 's', size: '5x' }],
      }).ok,
      false,
      'size must be WxH',
    );
  });
});
