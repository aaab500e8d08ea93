// `stipple tokenize "<prompt>"` prints the token ids of each 75-token chunk (A1111 chunking, BOS/EOS, pad)
// and `stipple parse-prompt "<prompt>"` the A1111 [text, weight] list, both as JSON on stdout.
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { parsePromptAttention } from '../../shared/prompt/prompt-attention.js';
import { loadTokenizer } from '../pipeline/text/load-tokenizer.js';

export interface TokenizeCommandContext {
  /** Where to find a tokenizer when --model is absent (a folder with vocab.json + merges.txt). */
  defaultTokenizerDir?: string;
  resolveModel?(idOrDir: string): Promise<{ dir: string; name: string }>;
  stdout?: (text: string) => void;
}

export function registerTokenizeCommands(program: Command, ctx: TokenizeCommandContext = {}): void {
  const stdout = ctx.stdout ?? ((t: string) => process.stdout.write(t));
  program
    .command('tokenize')
    .description('print the CLIP token ids of a prompt, per 75-token chunk, as JSON')
    .argument('<prompt>', 'prompt text (A1111 syntax)')
    .option('--model <id|dir>', 'use this model’s tokenizer/ folder')
    .option('--tokenizer <dir>', 'a folder holding vocab.json and merges.txt')
    .option('--plain', 'no attention parsing (diffusers-style text)', false)
    .action(async (prompt: string, o: { model?: string; tokenizer?: string; plain: boolean }) => {
      let dir = o.tokenizer ?? ctx.defaultTokenizerDir;
      if (o.model) {
        const m = ctx.resolveModel ? await ctx.resolveModel(o.model) : { dir: o.model, name: o.model };
        dir = path.join(m.dir, 'tokenizer');
      }
      if (!dir || !existsSync(path.join(dir, 'vocab.json'))) {
        throw new Error(
          'tokenize needs --model <id|dir> or --tokenizer <dir> with vocab.json and merges.txt',
        );
      }
      const tok = loadTokenizer(dir);
      const pieces = o.plain ? [[prompt, 1] as const] : parsePromptAttention(prompt);
      const chunks = tok.tokenizeChunks(pieces);
      stdout(`${JSON.stringify({ chunks: chunks.map((c) => ({ ids: c.ids, weights: c.multipliers })) })}\n`);
    });

  program
    .command('parse-prompt')
    .description('print A1111’s parse_prompt_attention result ([text, weight] list) as JSON')
    .argument('<prompt>', 'prompt text')
    .action((prompt: string) => {
      stdout(`${JSON.stringify(parsePromptAttention(prompt))}\n`);
    });
}
