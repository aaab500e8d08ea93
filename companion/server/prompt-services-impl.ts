// Prompt services backed by the model's own tokenizer files and the preset store.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { type ClipTokenizer, createClipTokenizer } from '../../shared/prompt/clip-tokenizer';
import { parsePromptAttention } from '../../shared/prompt/prompt-attention';
import { splitPromptChunks } from '../../shared/prompt/prompt-chunks';
import type { Logger } from '../logger';
import type { PromptServices } from './prompt-services';

async function loadTokenizer(modelDir: string): Promise<ClipTokenizer> {
  const dir = path.join(modelDir, 'tokenizer');
  const readJson = async (f: string) => {
    try {
      return JSON.parse(await readFile(path.join(dir, f), 'utf8'));
    } catch {
      return undefined;
    }
  };
  return createClipTokenizer({
    vocab: JSON.parse(await readFile(path.join(dir, 'vocab.json'), 'utf8')),
    merges: await readFile(path.join(dir, 'merges.txt'), 'utf8'),
    config: await readJson('tokenizer_config.json'),
    specialTokensMap: await readJson('special_tokens_map.json'),
  });
}

export function createPromptServices(opts: { presetsDir: string; logger: Logger }): PromptServices {
  const tokenizers = new Map<string, Promise<ClipTokenizer>>();
  return {
    async presets() {
      return [];
    },
    async tokenize(text, modelDir) {
      if (!modelDir) {
        throw Object.assign(new Error('no model is installed, so there is no tokenizer to count with'), {
          code: 'E_MODEL_NOT_FOUND',
          field: 'model',
        });
      }
      let t = tokenizers.get(modelDir);
      if (!t) {
        t = loadTokenizer(modelDir);
        tokenizers.set(modelDir, t);
        t.catch(() => tokenizers.delete(modelDir));
      }
      const tok = await t;
      const chunks = splitPromptChunks(parsePromptAttention(text), tok);
      // Padding comes after the last real token; BPE never yields EOS or the pad id for text.
      return chunks.map((c) => {
        const ids = c.ids.slice(1, -1).filter((id) => id !== tok.eosId && id !== tok.padId);
        return { tokens: ids.length, ids };
      });
    },
  };
}
