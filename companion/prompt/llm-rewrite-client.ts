// The HTTP half of the optional LLM prompt rewrite: posts the request built by
// shared/prompt/llm-rewrite.ts to the user's OpenAI-compatible endpoint with a timeout, maps every
// failure (unreachable, timeout, HTTP error, junk answer) to a clear coded message, and re-analyses
// the rewrite before it is offered. The user's prompt is never changed here.
import {
  type AnalyzeOptions,
  analyzePrompt,
  type PromptAnalysis,
} from '../../shared/prompt/analysis/analyze-prompt';
import type { TokenCounter } from '../../shared/prompt/analysis/token-budget';
import {
  buildRewriteRequest,
  describeHttpFailure,
  type LlmEndpointConfig,
  parseRewriteResponse,
  type RewriteInput,
} from '../../shared/prompt/llm-rewrite';

export class LlmRewriteError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'LlmRewriteError';
  }
}

export interface RewriteOutcome {
  prompt: string;
  negativePrompt: string;
  /** Analysis of the rewrite, so the user sees what it still gets wrong. */
  analysis: PromptAnalysis;
}

const MAX_RESPONSE_BYTES = 1024 * 1024;

export async function rewriteWithLlm(
  config: LlmEndpointConfig,
  input: RewriteInput,
  counter: TokenCounter,
  analyzeOptions: AnalyzeOptions = {},
  fetchImpl: typeof fetch = fetch,
): Promise<RewriteOutcome> {
  const req = buildRewriteRequest(config, input);
  let res: Response;
  try {
    res = await fetchImpl(req.url, {
      method: 'POST',
      headers: req.headers,
      body: JSON.stringify(req.body),
      signal: AbortSignal.timeout(req.timeoutMs),
      redirect: 'error',
    });
  } catch (e) {
    const err = e as Error & { cause?: { code?: string } };
    if (err.name === 'TimeoutError' || err.name === 'AbortError') {
      throw new LlmRewriteError(
        'E_LLM_TIMEOUT',
        `the model endpoint did not answer within ${req.timeoutMs} ms`,
      );
    }
    throw new LlmRewriteError(
      'E_LLM_UNREACHABLE',
      `cannot reach the model endpoint ${req.url}${err.cause?.code ? ` (${err.cause.code})` : ''}: is the server running?`,
    );
  }
  let text: string;
  try {
    text = await readLimited(res, MAX_RESPONSE_BYTES);
  } catch (e) {
    const err = e as Error;
    if (err.name === 'TimeoutError' || err.name === 'AbortError') {
      throw new LlmRewriteError(
        'E_LLM_TIMEOUT',
        `the model endpoint did not finish answering within ${req.timeoutMs} ms`,
      );
    }
    throw new LlmRewriteError(
      'E_LLM_RESPONSE',
      `the model endpoint's answer could not be read: ${err.message}`,
    );
  }
  const result = res.ok ? parseBody(text) : describeHttpFailure(res.status, text);
  if (!result.ok) throw new LlmRewriteError(result.code, result.message);
  const negativePrompt = result.negativePrompt ?? input.negativePrompt ?? '';
  return {
    prompt: result.prompt,
    negativePrompt,
    analysis: analyzePrompt(result.prompt, counter, { ...analyzeOptions, negativePrompt }),
  };
}

function parseBody(text: string) {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return {
      ok: false as const,
      code: 'E_LLM_RESPONSE' as const,
      message: 'the model endpoint did not answer with JSON',
    };
  }
  return parseRewriteResponse(json);
}

async function readLimited(res: Response, limit: number): Promise<string> {
  if (!res.body) return '';
  const chunks: Uint8Array[] = [];
  let total = 0;
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    total += chunk.length;
    if (total > limit) throw new Error(`the answer is larger than ${limit} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}
