import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { createClipTokenizer } from '../../../shared/prompt/clip-tokenizer';
import { fixturePath, readFixtureJson, skipNoFixtures } from '../../helpers/fixtures';
import { fixtureTokenizer } from './fixture-tokenizer';

interface TokenizerCase {
  id: number;
  prompt: string;
  ids: number[];
  ids_no_ftfy: number[];
  ids_padded77: number[];
  tokens: string[];
}

describe('CLIP tokenizer matches transformers CLIPTokenizer (with ftfy)', { skip: skipNoFixtures }, () => {
  const cases = () => readFixtureJson<{ cases: TokenizerCase[] }>('clip-tokenizer', 'public.json').cases;

  test('ids with BOS/EOS are identical for every public case', () => {
    const tok = fixtureTokenizer();
    for (const c of cases())
      assert.deepEqual(tok.encodeWithSpecials(c.prompt), c.ids, `case ${c.id}: ${c.prompt}`);
  });

  test('padded-to-77 ids with truncation are identical for every public case', () => {
    const tok = fixtureTokenizer();
    for (const c of cases()) assert.deepEqual(tok.encodePadded(c.prompt), c.ids_padded77, `case ${c.id}`);
  });

  test('token strings are identical for every public case', () => {
    const tok = fixtureTokenizer();
    for (const c of cases()) {
      const tokens = c.ids.map((id) => tok.idToToken(id));
      assert.deepEqual(tokens, c.tokens, `case ${c.id}`);
    }
  });

  test('with basic cleanup, ids match transformers without ftfy for every public case', () => {
    const basic = createClipTokenizer({
      vocab: readFixtureJson<Record<string, number>>('clip-tokenizer', 'vocab.json'),
      merges: readFileSync(fixturePath('clip-tokenizer', 'merges.txt'), 'utf8'),
      textCleanup: 'basic',
    });
    for (const c of cases())
      assert.deepEqual(basic.encodeWithSpecials(c.prompt), c.ids_no_ftfy, `case ${c.id}`);
  });

  test('a space is absorbed into the next token and words end in </w>', () => {
    assert.deepEqual(fixtureTokenizer().tokenize('a  cat'), ['a</w>', 'cat</w>']);
  });

  test('html entities, ligatures and full-width letters are fixed as ftfy does', () => {
    const tok = fixtureTokenizer();
    assert.deepEqual(tok.encode('salt &amp; pepper'), tok.encode('salt & pepper'));
    assert.deepEqual(tok.encode('ligature ﬁle'), tok.encode('ligature file'));
    assert.deepEqual(tok.encode('ＣＡＴ'), tok.encode('cat'));
    assert.deepEqual(tok.encode('“quoted”'), tok.encode('"quoted"'));
  });

  test('a line containing < is not html-unescaped (ftfy auto mode)', () => {
    const tok = fixtureTokenizer();
    assert.notDeepEqual(tok.encode('<b> &amp;'), tok.encode('<b> &'));
  });

  test('special tokens in the text become their ids', () => {
    const tok = fixtureTokenizer();
    assert.deepEqual(tok.encode('a<|endoftext|>b'), [...tok.encode('a'), 49407, ...tok.encode('b')]);
  });

  test('the empty prompt is BOS, EOS and 75 pads', () => {
    const ids = fixtureTokenizer().encodePadded('');
    assert.equal(ids.length, 77);
    assert.equal(ids[0], 49406);
    assert.ok(ids.slice(1).every((id) => id === 49407));
  });

  test('a 20,000-character prompt tokenizes without blowing up', () => {
    const tok = fixtureTokenizer();
    const prompt = 'masterpiece, ((a castle)) on a hill, '.repeat(541).slice(0, 20_000);
    const ids = tok.encode(prompt);
    assert.ok(ids.length > 3000);
    assert.equal(tok.encodePadded(prompt).length, 77);
    const junk = '('.repeat(10_000) + 'a'.repeat(10_000);
    assert.ok(tok.encode(junk).length > 0);
  });
});

describe('CLIP tokenizer special tokens come from the tokenizer config', () => {
  // A toy vocab in the byte-level alphabet: enough to check the pad id and merges handling.
  const vocab: Record<string, number> = { '!': 0, 'a</w>': 1, a: 2, 'b</w>': 3, 'ab</w>': 4 };
  vocab['<|startoftext|>'] = 5;
  vocab['<|endoftext|>'] = 6;
  const merges = '#version: 0.2\na b</w>\n';

  test('SD 1.x pads with the end token', () => {
    const tok = createClipTokenizer({
      vocab,
      merges,
      config: { pad_token: '<|endoftext|>', model_max_length: 6 },
    });
    assert.deepEqual(tok.encodePadded('ab'), [5, 4, 6, 6, 6, 6]);
  });

  test('SDXL tokenizer_2 pads with "!" (id 0) from special_tokens_map', () => {
    const tok = createClipTokenizer({
      vocab,
      merges,
      config: { model_max_length: 6 },
      specialTokensMap: { pad_token: { content: '!' } },
    });
    assert.equal(tok.padId, 0);
    assert.deepEqual(tok.encodePadded('ab'), [5, 4, 6, 0, 0, 0]);
  });

  test('a pad token missing from the vocab is a clear error', () => {
    assert.throws(
      () => createClipTokenizer({ vocab, merges, config: { pad_token: '<pad>' } }),
      /"<pad>".*pad_token/,
    );
  });
});
