import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ZH_EN_KEYWORDS } from '../../../shared/prompt/data/zh-en-keywords';
import { skipNoFixtures } from '../../helpers/fixtures';
import { fixtureTokenizer } from './fixture-tokenizer';

describe('the bundled Chinese → English keyword dictionary', () => {
  test('has at least 1,500 entries with unique Chinese keys', () => {
    assert.ok(ZH_EN_KEYWORDS.length >= 1500, `${ZH_EN_KEYWORDS.length} entries`);
    const keys = ZH_EN_KEYWORDS.map(([zh]) => zh);
    assert.equal(new Set(keys).size, keys.length);
  });

  test('covers subjects, styles, lighting, camera, composition, quality and negative terms', () => {
    const categories = new Set(ZH_EN_KEYWORDS.map(([, , category]) => category));
    for (const c of [
      'people',
      'animals',
      'styles-mediums',
      'lighting',
      'camera-composition',
      'quality',
      'negative',
      'colors',
    ]) {
      assert.ok(categories.has(c as never), c);
    }
  });

  test('every Chinese side is Chinese and every English side is plain lower-case ASCII', () => {
    for (const [zh, en] of ZH_EN_KEYWORDS) {
      assert.match(zh, /\p{Script=Han}/u, zh);
      assert.match(en, /^[a-z0-9][a-z0-9 '&./-]*[a-z0-9]$|^[a-z]$/, `${zh} → ${en}`);
      assert.doesNotMatch(en, / {2}/, en);
    }
  });

  test('every English side tokenizes to 1–8 real CLIP tokens that spell it back', {
    skip: skipNoFixtures,
  }, () => {
    const tok = fixtureTokenizer();
    for (const [zh, en] of ZH_EN_KEYWORDS) {
      const ids = tok.encode(en);
      assert.ok(ids.length >= 1 && ids.length <= 8, `${zh} → "${en}" is ${ids.length} tokens`);
      // No byte-fallback garbage: the BPE tokens, joined, spell exactly the words.
      const spelled = ids.map((id) => tok.idToToken(id)!.replace('</w>', '')).join('');
      assert.equal(spelled, en.replace(/\s+/g, ''), `${zh} → "${en}"`);
    }
  });
});
