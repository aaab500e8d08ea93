// Builds the CLIP tokenizer (shared/prompt) from a model's own tokenizer folder.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { type ClipTokenizer, createClipTokenizer } from '../../../shared/prompt/clip-tokenizer.js';

function json(file: string): Record<string, unknown> | undefined {
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>) : undefined;
}

export function loadTokenizer(dir: string): ClipTokenizer {
  const config = json(path.join(dir, 'tokenizer_config.json'));
  const specialTokensMap = json(path.join(dir, 'special_tokens_map.json'));
  return createClipTokenizer({
    vocab: JSON.parse(readFileSync(path.join(dir, 'vocab.json'), 'utf8')) as Record<string, number>,
    merges: readFileSync(path.join(dir, 'merges.txt'), 'utf8'),
    ...(config ? { config } : {}),
    ...(specialTokensMap ? { specialTokensMap } : {}),
  });
}
