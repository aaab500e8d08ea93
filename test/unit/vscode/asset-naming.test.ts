import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  firstFreeName,
  formatAssetName,
  sanitizeFileName,
  slugify,
} from '../../../plugins/vscode/src/host/asset-naming';

describe('asset names', () => {
  it('the slug keeps the prompt words and drops weights, brackets and BREAK', () => {
    assert.equal(slugify('(red fox:1.3), [snow], BREAK Forest at dawn'), 'red-fox-snow-forest-at-dawn');
  });
  it('the slug folds accents and falls back to "image" for prompts with no ASCII words', () => {
    assert.equal(slugify('Crème brûlée'), 'creme-brulee');
    assert.equal(slugify('一只猫'), 'image');
  });
  it('the slug stops at a word boundary within the length limit', () => {
    const s = slugify('one two three four five six seven eight nine ten eleven twelve', 20);
    assert.ok(s.length <= 20);
    assert.equal(s, 'one-two-three-four');
  });
  it('the default pattern is slug and seed', () => {
    assert.equal(formatAssetName('{slug}-{seed}', { slug: 'red-fox', seed: 42 }), 'red-fox-42');
  });
  it('patterns can use date, preset and index; unknown placeholders stay visible', () => {
    const date = new Date(2026, 0, 2, 3, 4, 5);
    assert.equal(
      formatAssetName('{date}_{preset}_{slug}_{index}_{oops}', {
        slug: 'x',
        seed: 1,
        preset: 'anime',
        index: 2,
        date,
      }),
      '2026-01-02_anime_x_2_{oops}',
    );
  });
  it('unsafe characters never reach the file name', () => {
    assert.equal(sanitizeFileName('../a/b:c*?'), 'a-b-c');
    assert.equal(formatAssetName('{model}', { slug: 'x', seed: 1, model: '' }), 'image');
  });
  it('never overwrites: the first free of name, name-2, name-3', async () => {
    const taken = new Set(['fox-1.png', 'fox-1-2.png']);
    assert.equal(await firstFreeName('fox-1', 'png', async (n) => taken.has(n)), 'fox-1-3.png');
    assert.equal(await firstFreeName('cat', 'png', async (n) => taken.has(n)), 'cat.png');
  });
});
