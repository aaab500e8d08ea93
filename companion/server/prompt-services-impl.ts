// Prompt services backed by the model's own tokenizer files and the preset store.
import path from 'node:path';
import { tokenCounterFrom } from '../../shared/prompt/analysis/analyze-prompt';
import type { ClipTokenizer } from '../../shared/prompt/clip-tokenizer';
import { parsePromptAttention } from '../../shared/prompt/prompt-attention';
import { splitPromptChunks } from '../../shared/prompt/prompt-chunks';
import type { Logger } from '../logger';
import { loadTokenizer } from '../pipeline/text/load-tokenizer';
import { PresetStore } from './preset-store';
import type { PromptServices } from './prompt-services';

export function createPromptServices(opts: { presetsDir: string; logger: Logger }): PromptServices {
  const tokenizers = new Map<string, ClipTokenizer>();
  const store = new PresetStore(opts.presetsDir);
  const load = async () => {
    const r = await store.all();
    for (const p of r.problems) opts.logger.warn({ file: p.file }, p.message);
    return r.presets;
  };
  return {
    userAndBuiltinPresets: load,
    async presets() {
      return (await load()).map((p) => ({
        id: p.id,
        name: p.name,
        prompt: p.prompt,
        negativePrompt: p.negativePrompt,
        source: p.source,
        recommended: { ...p.recommended, subject: p.subject },
      }));
    },
    async tokenCounter(modelDir) {
      return tokenCounterFrom(await tokenizerOf(modelDir));
    },
    async tokenize(text, modelDir) {
      return splitPromptChunks(parsePromptAttention(text), await tokenizerOf(modelDir)).map((c) => ({
        tokens: c.tokenCount,
        ids: c.ids.slice(1, 1 + c.tokenCount),
      }));
    },
  };

  async function tokenizerOf(modelDir: string | null): Promise<ClipTokenizer> {
    if (!modelDir) {
      throw Object.assign(new Error('no model is installed, so there is no tokenizer to count with'), {
        code: 'E_MODEL_NOT_FOUND',
        field: 'model',
      });
    }
    let tok = tokenizers.get(modelDir);
    if (!tok) {
      tok = loadTokenizer(path.join(modelDir, 'tokenizer'));
      tokenizers.set(modelDir, tok);
    }
    return tok;
  }
}
