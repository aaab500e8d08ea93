import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parsePromptAttention } from '../../../shared/prompt/prompt-attention';
import { type ChunkTokenizer, splitPromptChunks } from '../../../shared/prompt/prompt-chunks';
import { skipNoFixtures } from '../../helpers/fixtures';
import { fixtureTokenizer } from './fixture-tokenizer';

// A word-per-token tokenizer makes the A1111 chunk arithmetic visible: "," is its own token (id 1).
const words: ChunkTokenizer = {
  bosId: 100,
  eosId: 101,
  padId: 102,
  commaId: 1,
  encode: (text) =>
    text
      .replace(/,/g, ' , ')
      .split(/\s+/)
      .filter(Boolean)
      .map((w) => (w === ',' ? 1 : 2)),
};

describe('A1111 prompt chunking (tokenize_line)', () => {
  test('the empty prompt is one chunk of BOS, EOS and padding', () => {
    const [chunk, ...rest] = splitPromptChunks('', words);
    assert.equal(rest.length, 0);
    assert.equal(chunk.ids.length, 77);
    assert.deepEqual(chunk.ids.slice(0, 3), [100, 101, 102]);
    assert.equal(chunk.ids[76], 102);
  });

  test('where pad and end ids differ (SDXL tokenizer_2), everything after the first EOS is pad', () => {
    const [chunk] = splitPromptChunks('a b', words);
    assert.deepEqual(chunk.ids.slice(0, 5), [100, 2, 2, 101, 102]);
    assert.ok(chunk.ids.slice(4).every((id) => id === 102));
    const [sd1] = splitPromptChunks('a b', { ...words, padId: 101 });
    assert.deepEqual(sd1.ids.slice(0, 5), [100, 2, 2, 101, 101]);
    assert.equal(sd1.ids[76], 101);
  });

  test('76 tokens spill the last one into a second chunk', () => {
    const chunks = splitPromptChunks('w '.repeat(76), words);
    assert.equal(chunks.length, 2);
    assert.equal(chunks[1].ids[1], 2);
    assert.equal(chunks[1].ids[2], 101);
    assert.equal(chunks[1].ids[3], 102);
  });

  test('a full chunk moves the text after its last comma (within 20 tokens) to the next chunk', () => {
    // 70 words, a comma at position 70, then 10 words: the 4 words that fit after the comma move on.
    const prompt = `${'w '.repeat(70)}, ${'v '.repeat(10)}`;
    const chunks = splitPromptChunks(prompt, words);
    assert.equal(chunks.length, 2);
    assert.equal(chunks[0].ids[71], 1, 'the comma ends the first chunk');
    assert.equal(chunks[0].ids[72], 101, 'EOS follows the comma');
    assert.equal(chunks[0].ids[73], 102, 'then padding');
    assert.deepEqual(chunks[1].ids.slice(1, 11), new Array(10).fill(2));
  });

  test('a comma further back than 20 tokens does not move anything', () => {
    const chunks = splitPromptChunks(`${'w '.repeat(50)}, ${'v '.repeat(40)}`, words);
    assert.equal(chunks[0].ids[75], 2);
  });

  test('backtracking can be disabled like A1111 setting 0', () => {
    const chunks = splitPromptChunks(`${'w '.repeat(70)}, ${'v '.repeat(10)}`, words, {
      commaPaddingBacktrack: 0,
    });
    assert.equal(chunks[0].ids[75], 2);
  });

  test('BREAK starts a new chunk even when the current one has room', () => {
    const chunks = splitPromptChunks('a b BREAK c', words);
    assert.equal(chunks.length, 2);
    assert.deepEqual(chunks[0].ids.slice(0, 5), [100, 2, 2, 101, 102]);
    assert.deepEqual(chunks[1].ids.slice(0, 4), [100, 2, 101, 102]);
  });

  test('multipliers carry each piece weight; BOS, EOS and padding stay 1', () => {
    const [chunk] = splitPromptChunks(parsePromptAttention('a (b:1.5) [c]'), words);
    assert.deepEqual(chunk.multipliers.slice(0, 5), [1, 1, 1.5, 1 / 1.1, 1]);
    assert.equal(chunk.multipliers[76], 1);
  });

  test('a 361-token prompt with real CLIP ids becomes 5 chunks of 77', { skip: skipNoFixtures }, () => {
    const tok = fixtureTokenizer();
    const prompt = Array.from({ length: 90 }, (_, i) => `keyword${i} style`).join(', ');
    const chunks = tok.tokenizeChunks(prompt);
    const total = tok.encode(prompt).length;
    assert.ok(chunks.length >= Math.ceil(total / 75));
    for (const chunk of chunks) {
      assert.equal(chunk.ids.length, 77);
      assert.equal(chunk.ids[0], 49406);
      assert.equal(chunk.ids[76], 49407);
    }
    // Every chunk but the last ends at a comma: keywords are never cut in half.
    for (const chunk of chunks.slice(0, -1)) {
      const lastReal = chunk.ids
        .slice(1, 76)
        .filter((id) => id !== 49407)
        .at(-1);
      assert.equal(lastReal, tok.commaId);
    }
  });
});
