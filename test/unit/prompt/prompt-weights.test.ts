import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { applyEmphasis, tokenizeWeightedPrompt } from '../../../shared/prompt/prompt-weights';
import { skipNoFixtures } from '../../helpers/fixtures';
import { fixtureTokenizer } from './fixture-tokenizer';

describe('weighted prompts for the text encoder', () => {
  test('each token carries the weight of its piece', { skip: skipNoFixtures }, () => {
    const tok = fixtureTokenizer();
    const { chunks, tokenCount } = tokenizeWeightedPrompt(tok, 'a (red:1.5) [car]');
    assert.equal(chunks.length, 1);
    assert.equal(tokenCount, 3);
    assert.deepEqual(chunks[0].ids.slice(0, 5), [49406, ...tok.encode('a red car'), 49407]);
    assert.deepEqual(chunks[0].multipliers.slice(0, 5), [1, 1, 1.5, 1 / 1.1, 1]);
  });

  test('with emphasis off brackets are tokenized as text', { skip: skipNoFixtures }, () => {
    const tok = fixtureTokenizer();
    const { chunks } = tokenizeWeightedPrompt(tok, '(red)', { emphasis: 'none' });
    assert.deepEqual(chunks[0].ids.slice(1, 4), tok.encode('(red)'));
    assert.ok(chunks[0].multipliers.every((m) => m === 1));
  });

  test('the token count is 75 per full chunk plus the last chunk', { skip: skipNoFixtures }, () => {
    const tok = fixtureTokenizer();
    const { chunks, tokenCount } = tokenizeWeightedPrompt(tok, 'cat BREAK dog');
    assert.equal(chunks.length, 2);
    assert.equal(tokenCount, 76);
  });

  test('emphasis scales tokens and restores the chunk mean', () => {
    const hidden = new Float32Array([1, 2, 3, 4, 5, 6]);
    const out = applyEmphasis(hidden, [1, 2, 1], 2);
    const mean = (a: Float32Array) => a.reduce((s, v) => s + v, 0) / a.length;
    assert.ok(Math.abs(mean(out) - mean(hidden)) < 1e-6);
    assert.ok(out[2] / out[0] > 2.9, 'the weighted token grew relative to its neighbours');
  });

  test('emphasis rejects hidden states of the wrong shape', () => {
    assert.throws(() => applyEmphasis(new Float32Array(5), [1, 1, 1], 2), /expected 3 tokens x 2/);
  });
});
