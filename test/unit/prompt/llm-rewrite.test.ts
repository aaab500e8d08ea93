import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { analyzePrompt } from '../../../shared/prompt/analysis/analyze-prompt';
import {
  buildRewriteRequest,
  chatCompletionsUrl,
  describeHttpFailure,
  LlmEndpointConfig,
  parseRewriteResponse,
} from '../../../shared/prompt/llm-rewrite';

const words = { countTokens: (t: string) => t.split(/\s+/).filter(Boolean).length };
const reply = (content: string | null) => ({ choices: [{ message: { role: 'assistant', content } }] });

describe('LLM rewrite request', () => {
  test('the endpoint config is validated with clear messages', () => {
    const ok = LlmEndpointConfig.parse({ url: 'http://127.0.0.1:11434/v1', model: 'llama3' });
    assert.equal(ok.timeoutMs, 60_000);
    const bad = LlmEndpointConfig.safeParse({ url: 'ftp://x', model: '' });
    assert.equal(bad.success, false);
    assert.ok(bad.error!.issues.some((i) => /http or https/.test(i.message)));
    assert.ok(bad.error!.issues.some((i) => /model/.test(i.message)));
  });

  test('base URLs and full URLs both reach /chat/completions', () => {
    assert.equal(
      chatCompletionsUrl('http://localhost:8080/v1/'),
      'http://localhost:8080/v1/chat/completions',
    );
    assert.equal(
      chatCompletionsUrl('https://api.example.com/v1/chat/completions'),
      'https://api.example.com/v1/chat/completions',
    );
  });

  test('the request carries the findings, the model and the key', () => {
    const prompt = 'a castle, (sky:2.5), day, night';
    const { findings } = analyzePrompt(prompt, words);
    const config = LlmEndpointConfig.parse({
      url: 'http://127.0.0.1:8000/v1',
      model: 'qwen',
      apiKey: 'sk-test',
    });
    const request = buildRewriteRequest(config, { prompt, negativePrompt: '', findings });
    assert.equal(request.url, 'http://127.0.0.1:8000/v1/chat/completions');
    assert.equal(request.headers.authorization, 'Bearer sk-test');
    assert.equal(request.body.model, 'qwen');
    assert.equal(request.body.stream, false);
    assert.deepEqual(request.body.response_format, { type: 'json_object' });
    const user = request.body.messages[1].content;
    assert.match(user, /P_WEIGHT_RANGE at "\(sky:2\.5\)"/);
    assert.match(user, /P_CONFLICTING_TERMS/);
    assert.doesNotMatch(user, /P_TOKEN_COUNT/);
    assert.match(request.body.messages[0].content, /0\.7 and 1\.4/);
  });

  test('without a key there is no authorization header; JSON mode can be off', () => {
    const config = LlmEndpointConfig.parse({ url: 'http://127.0.0.1:8000', model: 'm', jsonMode: false });
    const request = buildRewriteRequest(config, { prompt: 'a cat' });
    assert.equal(request.headers.authorization, undefined);
    assert.equal(request.body.response_format, undefined);
  });
});

describe('LLM rewrite response', () => {
  test('a JSON answer gives the prompt and negative prompt', () => {
    const result = parseRewriteResponse(
      reply('{"prompt": "a red fox, snow, soft light", "negative_prompt": "blurry"}'),
    );
    assert.deepEqual(result, { ok: true, prompt: 'a red fox, snow, soft light', negativePrompt: 'blurry' });
  });

  test('fenced JSON with chatter around it is accepted', () => {
    const result = parseRewriteResponse(reply('Here you go:\n```json\n{"prompt": "a fox"}\n```'));
    assert.deepEqual(result, { ok: true, prompt: 'a fox', negativePrompt: undefined });
  });

  test('a bare one-line answer is taken as the prompt', () => {
    assert.deepEqual(parseRewriteResponse(reply('"a fox, snow"')), { ok: true, prompt: 'a fox, snow' });
  });

  test('junk is rejected with E_LLM_RESPONSE', () => {
    for (const body of [
      null,
      'text',
      {},
      { choices: [] },
      reply(null),
      reply('{"prompt": ""}'),
      reply('line one\nline two'),
      reply('{"answer": 1}'),
    ]) {
      const result = parseRewriteResponse(body);
      assert.equal(result.ok, false, JSON.stringify(body));
      assert.equal(!result.ok && result.code, 'E_LLM_RESPONSE');
    }
  });

  test('an OpenAI-style error body is reported with its message', () => {
    const result = parseRewriteResponse({ error: { message: 'model "x" not found' } });
    assert.ok(!result.ok && /model "x" not found/.test(result.message));
  });

  test('HTTP failures name the status and a hint', () => {
    const result = describeHttpFailure(401, '{"error": {"message": "invalid api key"}}');
    assert.ok(!result.ok && result.code === 'E_LLM_HTTP');
    assert.ok(!result.ok && /HTTP 401 \(check the API key\): invalid api key/.test(result.message));
    assert.ok(!describeHttpFailure(502, '<html>bad gateway</html>').ok);
  });
});
