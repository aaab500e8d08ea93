// The prompt tools that propose a whole new prompt, each answered as a before/after diff
// (proposal.ts): the shared optimizer with the daemon's real token counts, the daemon's LLM
// rewrite, a style preset written into the prompt, and the reverse prompt of a selected image
// (its own A1111 parameters when the PNG has them, else the daemon's CLIP interrogator).

import type { z } from 'zod';
import { isPngBytes, readPngText } from '../../../../shared/png/png-text-chunks';
import { applyPreset } from '../../../../shared/presets/apply-preset';
import {
  PRESET_FAMILIES,
  type PresetFamily,
  type StylePreset,
} from '../../../../shared/presets/style-preset';
import { parseA1111Parameters } from '../../../../shared/prompt/a1111-parameters';
import type { GenerationSettings } from '../../../../shared/prompt/analysis/settings-checks';
import type { TokenCounter } from '../../../../shared/prompt/analysis/token-budget';
import { type OptimizeResult, optimizePrompt } from '../../../../shared/prompt/optimize/optimize-prompt';
import type { PresetEntry, ServerMessage } from '../../../../shared/protocol/server-messages';
import { ClientError, type StippleClient } from '../../../../shared/protocol/stipple-client';

/** The daemon's answer of the expected type; an `error` answer becomes a ClientError. */
function expect<T extends ServerMessage['type']>(
  reply: ServerMessage,
  type: T,
): Extract<ServerMessage, { type: T }> {
  if (reply.type === 'error') throw new ClientError(reply.code, reply.message, reply.field);
  if (reply.type !== type) throw new Error(`the daemon answered ${reply.type} instead of ${type}`);
  return reply as Extract<ServerMessage, { type: T }>;
}

/** A stand-in count while the real one is fetched: one token per word or symbol. */
function roughCount(text: string): number {
  return (text.match(/[A-Za-z]+|\d|[^\sA-Za-z\d]/g) ?? []).length;
}

async function countAll(client: StippleClient, texts: readonly string[], into: Map<string, number>) {
  await Promise.all(
    texts.map(async (text) => {
      into.set(text, expect(await client.request({ type: 'tokenize', text }), 'tokens').total);
    }),
  );
}

/**
 * Runs the shared optimizer with token counts from the daemon's tokenizer. The optimizer counts
 * texts it derives itself, so it runs again with the counts it was missing until none are.
 */
export async function optimizeWithDaemon(
  client: StippleClient,
  prompt: string,
  negative: string,
  settings: GenerationSettings,
): Promise<OptimizeResult> {
  const counts = new Map<string, number>();
  for (let round = 0; ; round++) {
    const missing = new Set<string>();
    const counter: TokenCounter = {
      countTokens(text) {
        const n = counts.get(text);
        if (n !== undefined) return n;
        missing.add(text);
        return roughCount(text);
      },
    };
    const result = optimizePrompt(prompt, counter, { negativePrompt: negative, settings });
    if (missing.size === 0 || round === 4) return result;
    await countAll(client, [...missing], counts);
  }
}

/** The daemon's LLM rewrite (its configured endpoint); throws ClientError (E_LLM_*) on failure. */
export async function rewriteWithDaemon(
  client: StippleClient,
  prompt: string,
  negative: string,
  context?: string,
): Promise<{ prompt: string; negative: string; notes: string[] }> {
  const reply = expect(
    await client.request(
      { type: 'prompt_rewrite', prompt, negativePrompt: negative, ...(context ? { context } : {}) },
      {},
      { timeoutMs: 180_000 },
    ),
    'prompt_rewritten',
  );
  return {
    prompt: reply.prompt,
    negative: reply.negativePrompt,
    notes: reply.findings.map((f) => `${f.severity}: ${f.message}`),
  };
}

type Preset = z.infer<typeof PresetEntry>;

/** A preset from the daemon's list written into the prompt and negative prompt. */
export function presetIntoPrompt(
  entry: Preset,
  prompt: string,
  negative: string,
  family: PresetFamily,
): { prompt: string; negative: string } {
  const recommended = Object.fromEntries(PRESET_FAMILIES.map((f) => [f, {}])) as StylePreset['recommended'];
  const preset: StylePreset = {
    id: entry.id,
    name: entry.name,
    prompt: entry.prompt,
    negativePrompt: entry.negativePrompt,
    subject: 'general',
    recommended,
    source: entry.source,
  };
  const applied = applyPreset(preset, prompt, negative, family);
  return { prompt: applied.prompt, negative: applied.negativePrompt };
}

export interface ReversePrompt {
  source: 'metadata' | 'clip';
  prompt: string;
  negative: string;
  details: string[];
}

export class NoInterrogatorError extends Error {
  readonly code = 'E_MODEL_NOT_FOUND';
}

/**
 * The prompt of an image: its own A1111 `parameters` (read here, exactly) or, without them, the
 * daemon's CLIP interrogator. A daemon with no interrogator model gives NoInterrogatorError.
 */
export async function reversePrompt(client: StippleClient | null, bytes: Uint8Array): Promise<ReversePrompt> {
  const parameters = isPngBytes(bytes) ? readPngText(bytes, 'parameters') : undefined;
  if (parameters) {
    const p = parseA1111Parameters(parameters);
    const fields = Object.entries(p.fields)
      .filter(([k]) => ['Steps', 'Sampler', 'CFG scale', 'Seed', 'Size', 'Model'].includes(k))
      .map(([k, v]) => `${k}: ${v}`)
      .join(', ');
    return {
      source: 'metadata',
      prompt: p.prompt,
      negative: p.negativePrompt,
      details: [`Read from the image's own generation parameters${fields ? ` (${fields})` : ''}.`],
    };
  }
  if (client?.connectionState !== 'connected') {
    throw new ClientError('E_NOT_CONNECTED', 'not connected to the Stipple daemon');
  }
  try {
    const reply = expect(
      await client.request({ type: 'interrogate', image: 'image' }, { image: bytes }, { timeoutMs: 180_000 }),
      'interrogation',
    );
    const best = reply.keywords
      .filter((k, i, all) => all.findIndex((x) => x.category === k.category) === i)
      .map((k) => `${k.category}: ${k.text} (${k.score.toFixed(2)})`);
    return {
      source: reply.source,
      prompt: reply.prompt,
      negative: reply.negativePrompt,
      details: [
        reply.source === 'clip'
          ? `Proposed by the CLIP interrogator${best.length ? `: ${best.join('; ')}` : ''}.`
          : "Read from the image's own generation parameters.",
      ],
    };
  } catch (e) {
    if (e instanceof ClientError && e.code === 'E_MODEL_NOT_FOUND') throw new NoInterrogatorError(e.message);
    throw e;
  }
}
