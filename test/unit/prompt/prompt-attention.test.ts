import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  PromptAttentionError,
  parsePromptAttention,
  splitOnBreak,
} from '../../../shared/prompt/prompt-attention';
import { readFixtureJson, skipNoFixtures } from '../../helpers/fixtures';

interface AttentionCase {
  id: number;
  input: string;
  output: [string, number][] | null;
}

describe('parsePromptAttention matches A1111 parse_prompt_attention', () => {
  test('every public golden case is identical, errors included', { skip: skipNoFixtures }, () => {
    const { cases } = readFixtureJson<{ cases: AttentionCase[] }>('prompt-attention', 'public.json');
    for (const c of cases) {
      if (c.output === null) {
        assert.throws(() => parsePromptAttention(c.input), PromptAttentionError, `case ${c.id}`);
      } else {
        assert.deepEqual(parsePromptAttention(c.input), c.output, `case ${c.id}: ${c.input}`);
      }
    }
  });

  test('nested weights multiply in A1111 order without rounding', () => {
    assert.deepEqual(parsePromptAttention('(((a:1.3)))'), [['a', 1.5730000000000004]]);
    assert.deepEqual(parsePromptAttention('(((a)))'), [['a', 1.3310000000000004]]);
  });

  test('an invalid explicit weight raises like Python float()', () => {
    assert.throws(() => parsePromptAttention('(x:1.2.3)'), PromptAttentionError);
    assert.throws(() => parsePromptAttention('(x:.)'), PromptAttentionError);
  });

  test('escaped brackets are literal text', () => {
    assert.deepEqual(parsePromptAttention('\\(a\\) \\[b\\]'), [['(a) [b]', 1]]);
  });

  test('BREAK needs word boundaries, Unicode-aware as in Python', () => {
    assert.deepEqual(parsePromptAttention('a BREAK b'), [
      ['a', 1],
      ['BREAK', -1],
      ['b', 1],
    ]);
    assert.deepEqual(parsePromptAttention('éBREAK b'), [['éBREAK b', 1]]);
    assert.deepEqual(splitOnBreak('x BREAK\ny'), ['x', 'y']);
  });

  test('Unicode digits in a weight are read as Python reads them', () => {
    assert.deepEqual(parsePromptAttention('(a:١.٥)'), [['a', 1.5]]);
  });

  test('an empty prompt is one empty piece of weight 1', () => {
    assert.deepEqual(parsePromptAttention(''), [['', 1]]);
  });

  test('a 20,000-character prompt of brackets parses', () => {
    const res = parsePromptAttention(`${'('.repeat(10_000)}${'x:'.repeat(5_000)}`);
    assert.equal(res.length, 1);
    const unclosed = parsePromptAttention(`${'(['.repeat(5_000)}${'a:'.repeat(5_000)}`);
    assert.equal(unclosed.length, 1);
  });
});
