// Optional prompt rewrite by a language model behind any OpenAI-compatible chat endpoint (Ollama,
// llama.cpp server, vLLM, hosted APIs). This module is the pure half: it builds the request — the
// analysis findings go into the instruction — and validates what comes back. The daemon performs
// the HTTP call (with its timeout) and re-analyses the rewrite before offering it; on any failure the
// user's prompt is left untouched.

import { z } from 'zod';
import type { Finding } from './analysis/finding';

export const LlmEndpointConfig = z.object({
  /** Base URL (`http://127.0.0.1:11434/v1`) or the full `/chat/completions` URL. */
  url: z
    .string()
    .url('`url` must be an absolute URL')
    .refine((u) => /^https?:\/\//i.test(u), '`url` must use http or https'),
  model: z.string().trim().min(1, '`model` is required').max(200),
  apiKey: z.string().max(500).optional(),
  timeoutMs: z.number().int().min(1000).max(600_000).default(60_000),
  temperature: z.number().min(0).max(2).default(0.3),
  /** Ask for `response_format: json_object` (servers that reject it can turn this off). */
  jsonMode: z.boolean().default(true),
});
export type LlmEndpointConfig = z.output<typeof LlmEndpointConfig>;

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

export interface ChatRequest {
  url: string;
  headers: Record<string, string>;
  body: {
    model: string;
    messages: ChatMessage[];
    temperature: number;
    stream: false;
    response_format?: { type: 'json_object' };
  };
  timeoutMs: number;
}

export interface RewriteInput {
  prompt: string;
  negativePrompt?: string;
  findings?: readonly Finding[];
  /** Style or model hints for the instruction ("SDXL", "watercolor preset"). */
  context?: string;
}

/** Endpoint URL for chat completions, whichever form the user configured. */
export function chatCompletionsUrl(url: string): string {
  const trimmed = url.replace(/\/+$/, '');
  if (/\/chat\/completions$/i.test(trimmed)) return trimmed;
  return `${trimmed}/chat/completions`;
}

const SYSTEM_INSTRUCTION = [
  'You rewrite prompts for Stable Diffusion (CLIP text encoder, AUTOMATIC1111 syntax).',
  'Rules: English only; comma-separated keywords, most important first (subject, then details, style, lighting, camera, quality);',
  'at most 75 CLIP tokens when possible; weights written as (keyword:1.2) and kept between 0.7 and 1.4;',
  'no contradictory terms; keep BREAK, [a:b:when], [a|b] and <lora:...> tags exactly as given;',
  'put what must not appear in the negative prompt. Do not add people, objects or styles the user did not ask for.',
  'Answer with a JSON object only: {"prompt": "...", "negative_prompt": "..."}.',
].join(' ');

// Findings worth telling the model about: informational token counts are noise for it.
function describeFindings(prompt: string, negative: string, findings: readonly Finding[]): string {
  const relevant = findings.filter((f) => f.code !== 'P_TOKEN_COUNT').slice(0, 30);
  if (relevant.length === 0) return 'No problems were found by the analyzer.';
  return relevant
    .map((f) => {
      const source = f.target === 'negative' ? negative : f.target === 'prompt' ? prompt : '';
      const excerpt =
        source && f.span.end > f.span.start
          ? ` at "${source.slice(f.span.start, f.span.end).slice(0, 60)}"`
          : '';
      return `- ${f.code}${excerpt}: ${f.message}`;
    })
    .join('\n');
}

/** The chat-completions request for a rewrite: messages, headers (with the key if any) and timeout. */
export function buildRewriteRequest(config: LlmEndpointConfig, input: RewriteInput): ChatRequest {
  const negative = input.negativePrompt ?? '';
  const user = [
    `Prompt: ${input.prompt}`,
    `Negative prompt: ${negative || '(empty)'}`,
    input.context ? `Context: ${input.context}` : '',
    'Analyzer findings to fix:',
    describeFindings(input.prompt, negative, input.findings ?? []),
  ]
    .filter(Boolean)
    .join('\n');
  const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' };
  if (config.apiKey) headers.authorization = `Bearer ${config.apiKey}`;
  return {
    url: chatCompletionsUrl(config.url),
    headers,
    body: {
      model: config.model,
      messages: [
        { role: 'system', content: SYSTEM_INSTRUCTION },
        { role: 'user', content: user },
      ],
      temperature: config.temperature,
      stream: false,
      ...(config.jsonMode ? { response_format: { type: 'json_object' as const } } : {}),
    },
    timeoutMs: config.timeoutMs,
  };
}

const ChatCompletionResponse = z.object({
  choices: z
    .array(z.object({ message: z.object({ content: z.string().nullable() }) }))
    .min(1, 'the response has no choices'),
});
const OpenAiErrorBody = z.object({ error: z.union([z.string(), z.object({ message: z.string() })]) });

const RewriteContent = z.object({
  prompt: z.string().trim().min(1, 'the rewritten prompt is empty').max(20_000),
  negative_prompt: z.string().max(20_000).optional(),
});

export type LlmErrorCode = 'E_LLM_HTTP' | 'E_LLM_RESPONSE' | 'E_LLM_TIMEOUT' | 'E_LLM_UNREACHABLE';

export type RewriteResult =
  | { ok: true; prompt: string; negativePrompt?: string }
  | { ok: false; code: LlmErrorCode; message: string };

// Models wrap JSON in ``` fences or add a sentence around it; take the outermost object.
function extractJson(content: string): unknown {
  const unfenced = content.replace(/^\s*```(?:json)?\s*/i, '').replace(/\s*```\s*$/, '');
  const start = unfenced.indexOf('{');
  const end = unfenced.lastIndexOf('}');
  if (start < 0 || end <= start) return undefined;
  try {
    return JSON.parse(unfenced.slice(start, end + 1));
  } catch {
    return undefined;
  }
}

/** Validates a chat-completions response body (already JSON-parsed) and extracts the rewrite. */
export function parseRewriteResponse(body: unknown): RewriteResult {
  const error = OpenAiErrorBody.safeParse(body);
  if (error.success) {
    const message = typeof error.data.error === 'string' ? error.data.error : error.data.error.message;
    return {
      ok: false,
      code: 'E_LLM_RESPONSE',
      message: `the model endpoint reported an error: ${message.slice(0, 300)}`,
    };
  }
  const parsed = ChatCompletionResponse.safeParse(body);
  if (!parsed.success) {
    return {
      ok: false,
      code: 'E_LLM_RESPONSE',
      message: `not a chat-completions response: ${parsed.error.issues[0].message}`,
    };
  }
  const content = parsed.data.choices[0].message.content?.trim() ?? '';
  if (!content) return { ok: false, code: 'E_LLM_RESPONSE', message: 'the model returned no text' };
  const json = extractJson(content);
  const rewrite = RewriteContent.safeParse(json);
  if (rewrite.success) {
    return { ok: true, prompt: rewrite.data.prompt, negativePrompt: rewrite.data.negative_prompt?.trim() };
  }
  // A bare one-line answer is taken as the prompt; anything else is junk.
  if (json === undefined && !content.includes('\n') && content.length <= 2000 && !content.includes('{')) {
    return { ok: true, prompt: content.replace(/^["']|["']$/g, '') };
  }
  const why = json === undefined ? 'it is not JSON' : rewrite.error.issues[0].message;
  return { ok: false, code: 'E_LLM_RESPONSE', message: `the model's answer could not be used (${why})` };
}

/** The message for a failed HTTP exchange, for the daemon to report (the original prompt is kept). */
export function describeHttpFailure(status: number, bodyText: string): RewriteResult {
  let detail = bodyText.slice(0, 200);
  try {
    const error = OpenAiErrorBody.safeParse(JSON.parse(bodyText));
    if (error.success)
      detail = typeof error.data.error === 'string' ? error.data.error : error.data.error.message;
  } catch {
    // not JSON: keep the text excerpt
  }
  const hint =
    status === 401 || status === 403
      ? ' (check the API key)'
      : status === 404
        ? ' (check the URL and model name)'
        : '';
  return {
    ok: false,
    code: 'E_LLM_HTTP',
    message: `the model endpoint answered HTTP ${status}${hint}: ${detail}`,
  };
}
