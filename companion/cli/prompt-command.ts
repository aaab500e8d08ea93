// `stipple prompt analyze | optimize | rewrite "<prompt>"`: the prompt tools from shared/prompt
// without a socket, printing JSON for scripts and tests. Token counts use the real CLIP tokenizer
// of --tokenizer, --model, or the default installed model.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { type Command, InvalidArgumentError, Option } from 'commander';
import { findPreset } from '../../shared/presets/apply-preset';
import {
  PRESET_FAMILIES,
  type PresetFamily,
  presetFamilyOf,
  type StylePreset,
} from '../../shared/presets/style-preset';
import { analyzePrompt, tokenCounterFrom } from '../../shared/prompt/analysis/analyze-prompt';
import type { GenerationSettings } from '../../shared/prompt/analysis/settings-checks';
import { LlmEndpointConfig } from '../../shared/prompt/llm-rewrite';
import { optimizePrompt } from '../../shared/prompt/optimize/optimize-prompt';
import { SAMPLER_IDS, type SamplerIdWire } from '../../shared/protocol/samplers';
import { loadConfig } from '../config/daemon-config';
import type { HomeLayout } from '../config/stipple-home';
import { loadTokenizer } from '../pipeline/text/load-tokenizer';
import { rewriteWithLlm } from '../prompt/llm-rewrite-client';
import { PresetStore } from '../server/preset-store';

interface PromptOptions {
  negative?: string;
  preset?: string;
  family?: PresetFamily;
  sampler?: SamplerIdWire;
  steps?: number;
  cfg?: number;
  model?: string;
  tokenizer?: string;
  translate?: boolean;
  llmUrl?: string;
  llmModel?: string;
  llmKey?: string;
  llmTimeout?: number;
}

export interface PromptCommandContext {
  home: () => HomeLayout;
  resolveModel(idOrDir: string): Promise<{ dir: string; name: string; family?: string }>;
  defaultModel(): Promise<string | null>;
}

function int(field: string) {
  return (v: string) => {
    const n = Number(v);
    if (!Number.isInteger(n)) throw new InvalidArgumentError(`--${field} must be an integer, got ${v}`);
    return n;
  };
}

function num(field: string) {
  return (v: string) => {
    const n = Number(v);
    if (v.trim() === '' || !Number.isFinite(n))
      throw new InvalidArgumentError(`--${field} must be a number, got ${v}`);
    return n;
  };
}

async function tokenizerFor(o: PromptOptions, ctx: PromptCommandContext) {
  if (o.tokenizer) return { tokenizer: loadTokenizer(o.tokenizer), family: undefined };
  const id = o.model ?? (await ctx.defaultModel());
  if (!id) {
    throw new Error(
      'token counts need a CLIP tokenizer: install a model (`stipple models pull sd-turbo`) or pass --tokenizer <dir>',
    );
  }
  const m = await ctx.resolveModel(id);
  const dir = path.join(m.dir, 'tokenizer');
  if (!existsSync(dir)) throw new Error(`model ${id} has no tokenizer/ folder`);
  return { tokenizer: loadTokenizer(dir), family: m.family };
}

async function presetFor(
  id: string | undefined,
  ctx: PromptCommandContext,
): Promise<StylePreset | undefined> {
  if (!id) return undefined;
  const user = await new PresetStore(ctx.home().presets).loadUser();
  return findPreset(id, user.presets);
}

function common(cmd: Command): Command {
  return cmd
    .argument('<prompt>', 'prompt text (A1111 syntax)')
    .option('-n, --negative <text>', 'negative prompt')
    .option('--preset <id>', 'style preset id (built-in or user)')
    .addOption(
      new Option('--family <family>', 'model family the settings are for').choices([...PRESET_FAMILIES]),
    )
    .addOption(new Option('--sampler <id>', 'sampler you plan to use').choices([...SAMPLER_IDS]))
    .option('--steps <n>', 'steps you plan to use', int('steps'))
    .option('--cfg <x>', 'CFG scale you plan to use', num('cfg'))
    .option('--model <id|dir>', 'model whose tokenizer counts the tokens (default: the default model)')
    .option('--tokenizer <dir>', 'a folder with vocab.json + merges.txt instead of a model');
}

export function registerPromptCommand(program: Command, ctx: PromptCommandContext): void {
  const prompt = program.command('prompt').description('analyse, optimise or rewrite a prompt (JSON output)');

  const settingsOf = (o: PromptOptions, modelFamily?: string): GenerationSettings => ({
    family: o.family ?? (modelFamily ? presetFamilyOf(modelFamily) : undefined),
    sampler: o.sampler,
    steps: o.steps,
    cfg: o.cfg,
  });

  common(prompt.command('analyze').description('findings with codes, spans and suggested fixes')).action(
    async (text: string, o: PromptOptions) => {
      const { tokenizer, family } = await tokenizerFor(o, ctx);
      const analysis = analyzePrompt(text, tokenCounterFrom(tokenizer), {
        negativePrompt: o.negative,
        settings: settingsOf(o, family),
        preset: await presetFor(o.preset, ctx),
      });
      process.stdout.write(`${JSON.stringify(analysis, null, 2)}\n`);
    },
  );

  common(prompt.command('optimize').description('apply the fixes (and a preset), print before/after'))
    .option('--no-translate', 'keep Chinese text as it is')
    .action(async (text: string, o: PromptOptions) => {
      const { tokenizer, family } = await tokenizerFor(o, ctx);
      const settings = settingsOf(o, family);
      const result = optimizePrompt(text, tokenCounterFrom(tokenizer), {
        negativePrompt: o.negative,
        settings,
        family: settings.family,
        preset: await presetFor(o.preset, ctx),
        translate: o.translate !== false,
      });
      process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    });

  common(
    prompt
      .command('rewrite')
      .description('rewrite with the LLM endpoint of config.json (or --llm-url/--llm-model)'),
  )
    .option('--llm-url <url>', 'OpenAI-compatible base URL, e.g. http://127.0.0.1:11434/v1')
    .option('--llm-model <name>', 'model name at that endpoint')
    .option('--llm-key <key>', 'API key (or set it in config.json)')
    .option('--llm-timeout <ms>', 'timeout in milliseconds', int('llm-timeout'))
    .action(async (text: string, o: PromptOptions) => {
      const { tokenizer, family } = await tokenizerFor(o, ctx);
      const { config } = await loadConfig(ctx.home().config);
      const merged = {
        ...(config.llm ?? {}),
        ...(o.llmUrl ? { url: o.llmUrl } : {}),
        ...(o.llmModel ? { model: o.llmModel } : {}),
        ...(o.llmKey ? { apiKey: o.llmKey } : {}),
        ...(o.llmTimeout ? { timeoutMs: o.llmTimeout } : {}),
      };
      const parsed = LlmEndpointConfig.safeParse(merged);
      if (!parsed.success) {
        throw new Error(
          `no usable LLM endpoint: ${parsed.error.issues[0].message} (set "llm": {"url", "model"} in config.json or pass --llm-url and --llm-model)`,
        );
      }
      const counter = tokenCounterFrom(tokenizer);
      const settings = settingsOf(o, family);
      const before = analyzePrompt(text, counter, { negativePrompt: o.negative, settings });
      const out = await rewriteWithLlm(
        parsed.data,
        { prompt: text, negativePrompt: o.negative, findings: before.findings },
        counter,
        { settings },
      );
      process.stdout.write(
        `${JSON.stringify({ original: { prompt: text, negativePrompt: o.negative ?? '' }, ...out }, null, 2)}\n`,
      );
    });
}
