import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { buildDictionary, translateChinesePrompt } from '../../../shared/prompt/translate/translate-chinese';

describe('Chinese → English keyword translation', () => {
  test('a Chinese keyword prompt becomes an English keyword prompt', () => {
    const result = translateChinesePrompt('一个女孩，长发，蓝眼睛，日落，杰作，最佳质量');
    assert.equal(result.text, '1girl, long hair, blue eyes, sunset, masterpiece, best quality');
    assert.equal(result.complete, true);
  });

  test('segmentation takes the longest dictionary match', () => {
    assert.equal(translateChinesePrompt('赛博朋克城市').text, 'cyberpunk city');
    assert.equal(translateChinesePrompt('赛博朋克').text, 'cyberpunk');
  });

  test('particles are dropped and place words move before their noun', () => {
    assert.equal(translateChinesePrompt('红色的花').text, 'red flowers');
    assert.equal(translateChinesePrompt('猫在桌子上').text, 'cat on table');
  });

  test('untranslatable text is kept in place and reported, not dropped', () => {
    const result = translateChinesePrompt('猫，曌犇，日落');
    assert.equal(result.text, 'cat, 曌犇, sunset');
    assert.equal(result.complete, false);
    assert.deepEqual(result.untranslated, [{ text: '曌犇', start: 2, end: 4 }]);
  });

  test('English, weights and full-width punctuation survive', () => {
    assert.equal(translateChinesePrompt('（猫：1.2）和狗，8k').text, '(cat:1.2) and dog, 8k');
    assert.equal(translateChinesePrompt('a cat, (dog:1.2)').text, 'a cat, (dog:1.2)');
  });

  test('a custom dictionary can be supplied', () => {
    const dictionary = buildDictionary([['喵', 'meow']]);
    assert.equal(translateChinesePrompt('喵喵', dictionary).text, 'meow meow');
  });

  test('an empty prompt and a 20,000-character Chinese prompt are handled', () => {
    assert.deepEqual(translateChinesePrompt(''), { text: '', untranslated: [], complete: true });
    const long = '一个女孩，长发，'.repeat(2_500);
    const result = translateChinesePrompt(long);
    assert.ok(result.text.startsWith('1girl, long hair, 1girl'));
    assert.equal(result.complete, true);
  });
});
