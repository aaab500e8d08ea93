// Builds the real SD 1.5 CLIP tokenizer from ../shared/fixtures/clip-tokenizer for prompt tests.
// Returns undefined where the fixtures are absent; callers skip with `skipNoFixtures`.
import { readFileSync } from 'node:fs';
import { type ClipTokenizer, createClipTokenizer } from '../../../shared/prompt/clip-tokenizer';
import { fixturePath, haveFixtures, readFixtureJson } from '../../helpers/fixtures';

let cached: ClipTokenizer | undefined;

export function fixtureTokenizer(): ClipTokenizer {
  if (!haveFixtures) throw new Error('fixtures absent: guard the test with skipNoFixtures');
  cached ??= createClipTokenizer({
    vocab: readFixtureJson<Record<string, number>>('clip-tokenizer', 'vocab.json'),
    merges: readFileSync(fixturePath('clip-tokenizer', 'merges.txt'), 'utf8'),
    config: readFixtureJson('clip-tokenizer', 'tokenizer_config.json'),
    specialTokensMap: readFixtureJson('clip-tokenizer', 'special_tokens_map.json'),
  });
  return cached;
}
