import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
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

  test('unclosed brackets give bit-identical weights to the quadratic A1111 loop', () => {
    // A1111's own algorithm on a bracket alphabet: multiply every later piece, one bracket at a time.
    const reference = (text: string): [string, number][] => {
      const res: [string, number][] = [];
      const round: number[] = [];
      const square: number[] = [];
      const mul = (from: number, m: number) => {
        for (let p = from; p < res.length; p++) res[p][1] *= m;
      };
      for (const ch of text) {
        if (ch === '(') round.push(res.length);
        else if (ch === '[') square.push(res.length);
        else if (ch === ')' && round.length) mul(round.pop()!, 1.1);
        else if (ch === ']' && square.length) mul(square.pop()!, 1 / 1.1);
        else res.push([ch, 1]);
      }
      for (const p of round) mul(p, 1.1);
      for (const p of square) mul(p, 1 / 1.1);
      if (res.length === 0) res.push(['', 1]);
      for (let i = 0; i + 1 < res.length; ) {
        if (res[i][1] === res[i + 1][1]) {
          res[i][0] += res[i + 1][0];
          res.splice(i + 1, 1);
        } else i++;
      }
      return res;
    };
    const bracketText = fc
      .array(fc.constantFrom('(', ')', '[', ']', 'a', 'b'), { maxLength: 40 })
      .map((a) => a.join(''));
    fc.assert(
      fc.property(bracketText, (text) => {
        assert.deepEqual(parsePromptAttention(text), reference(text));
      }),
      { numRuns: 2000, seed: 42 },
    );
  });
});
