// The daemon's config file: `<config dir>/config.json`, written with defaults on first run.
// An unreadable or invalid file is an error naming the file and the key (or JSON line), never a
// silent fallback to defaults that would hide the user's edit.
import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { LlmEndpointConfig } from '../../shared/prompt/llm-rewrite';
import { CONFIG_FILE, DEFAULT_PORT } from '../../shared/protocol/home-paths';
import { writeFileAtomic } from './atomic-write';

export const DaemonConfig = z
  .object({
    port: z.number().int().min(1).max(65535).default(DEFAULT_PORT),
    host: z.string().min(1).default('127.0.0.1'),
    allowRemote: z.boolean().default(false),
    tls: z.object({ certFile: z.string(), keyFile: z.string() }).nullable().default(null),
    queueLimit: z.number().int().min(1).max(10_000).default(32),
    perClientQueueLimit: z.number().int().min(1).max(10_000).default(16),
    defaultModel: z.string().nullable().default(null),
    /** Tried in order, CPU last; 'auto' = the platform's best (see pipeline/runtime/providers.ts). */
    executionProviders: z.array(z.string()).default(['auto']),
    /**
     * Load the default model when the pipeline process starts and run one 1-step generation at its native
     * size, so the first job pays neither the load nor ORT's slow first runs (STIPPLE_WARMUP=1|0 wins).
     */
    warmup: z.boolean().default(false),
    /** Optional OpenAI-compatible chat endpoint for the prompt rewrite (Ollama, llama.cpp server, vLLM, hosted APIs). */
    llm: LlmEndpointConfig.nullable().default(null),
    historyLimit: z.number().int().min(1).max(100_000).default(1000),
    /** WebSocket ping interval; a peer that misses one pong is dropped at the next tick. */
    pingIntervalMs: z.number().int().min(50).max(600_000).default(15_000),
    /** A WebSocket that has not sent a valid `hello` (or `pair`) by then is closed with 4001. */
    helloTimeoutMs: z.number().int().min(100).max(600_000).default(10_000),
    /** Slow-header / slow-body defences, well below Node's defaults (60 s / 300 s). */
    headersTimeoutMs: z.number().int().min(100).max(60_000).default(10_000),
    requestTimeoutMs: z.number().int().min(100).max(300_000).default(30_000),
    /** Per-socket send buffer: above the soft bound progress and previews are dropped, above the hard one the socket is closed. */
    sendBufferSoftBytes: z
      .number()
      .int()
      .min(1024)
      .default(4 * 1024 * 1024),
    sendBufferHardBytes: z
      .number()
      .int()
      .min(4096)
      .default(64 * 1024 * 1024),
  })
  .strict();
export type DaemonConfig = z.infer<typeof DaemonConfig>;

export class ConfigError extends Error {
  readonly code = 'E_CONFIG';
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

function lineOf(text: string, err: unknown): string {
  const m = /position (\d+)/.exec(String((err as Error).message));
  if (!m) return '';
  const pos = Number(m[1]);
  const line = text.slice(0, pos).split('\n').length;
  return ` at line ${line}`;
}

export async function loadConfig(
  configDir: string,
): Promise<{ config: DaemonConfig; file: string; created: boolean }> {
  const file = path.join(configDir, CONFIG_FILE);
  if (!existsSync(file)) {
    const config = DaemonConfig.parse({});
    await mkdir(configDir, { recursive: true, mode: 0o700 });
    await writeFileAtomic(file, `${JSON.stringify(config, null, 2)}\n`, 0o600);
    return { config, file, created: true };
  }
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    throw new ConfigError(`cannot read config file ${file}: ${(e as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new ConfigError(`config file ${file} is not valid JSON${lineOf(text, e)}: ${(e as Error).message}`);
  }
  const r = DaemonConfig.safeParse(json);
  if (!r.success) {
    const issue = r.error.issues[0];
    const key =
      issue?.code === 'unrecognized_keys'
        ? (issue.keys as string[]).join(', ')
        : (issue?.path.join('.') ?? '?');
    throw new ConfigError(`config file ${file}: key \`${key}\`: ${issue?.message ?? 'invalid'}`);
  }
  return { config: r.data, file, created: false };
}
