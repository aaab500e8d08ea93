import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  analyzePrompt,
  clampWeights,
  dedupeKeywords,
  fixAll,
} from '../../../plugins/vscode/src/common/prompt-findings';

describe('side panel prompt findings', () => {
  it('flags weights outside 0.7–1.4 and the fix clamps them', () => {
    const f = analyzePrompt('(red fox:2.5), snow', 'blurry');
    assert.deepEqual(
      f.map((x) => x.code),
      ['weight_out_of_range'],
    );
    assert.equal(f[0]?.fixed, '(red fox:1.4), snow');
    assert.equal(clampWeights('(a:0.2), (b:1.1)'), '(a:0.7), (b:1.1)');
  });
  it('flags duplicated keywords, ignoring case and weights', () => {
    const f = analyzePrompt('fox, Snow, (fox:1.2), forest', 'x');
    assert.deepEqual(
      f.map((x) => x.code),
      ['duplicate_keyword'],
    );
    assert.equal(dedupeKeywords('fox, Snow, (fox:1.2), forest'), 'fox, Snow, forest');
  });
  it('an empty negative prompt is a finding without an automatic fix', () => {
    const f = analyzePrompt('fox', '');
    assert.equal(f[0]?.code, 'empty_negative');
    assert.equal(f[0]?.fixed, undefined);
  });
  it('commas inside brackets do not split keywords', () => {
    assert.deepEqual(analyzePrompt('(fox, snow:1.1), fox', 'x'), []);
  });
  it('fix all clamps and dedupes at once', () => {
    assert.equal(fixAll('(fox:3), fox, , snow, snow'), '(fox:1.4), snow');
  });
});
