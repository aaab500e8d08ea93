// The LLM rewrite against a local OpenAI-compatible server: the findings reach the instruction,
// the answer is re-analysed, and every failure is a clear coded error with the prompt untouched.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { loadTokenizer } from '../../../companion/pipeline/text/load-tokenizer';
import { type LlmRewriteError, rewriteWithLlm } from '../../../companion/prompt/llm-rewrite-client';
import { analyzePrompt, tokenCounterFrom } from '../../../shared/prompt/analysis/analyze-prompt';
import { LlmEndpointConfig } from '../../../shared/prompt/llm-rewrite';
import { type FakeLlm, startFakeLlm } from '../../helpers/fake-llm';
import { fixturePath, skipNoFixtures } from '../../helpers/fixtures';

let llm: FakeLlm;
before(async () => {
  llm = await startFakeLlm();
});
after(async () => {
  await llm?.close();
});

const counter = () => tokenCounterFrom(loadTokenizer(fixturePath('clip-tokenizer')));
const config = (over: Record<string, unknown> = {}) =>
  LlmEndpointConfig.parse({ url: llm.url, model: 'llama3', apiKey: 'sk-test', timeoutMs: 1000, ...over });

test('a rewrite sends the findings and returns a re-analysed prompt', { skip: skipNoFixtures }, async () => {
  llm.behaviour = {
    kind: 'answer',
    content: '```json\n{"prompt": "a cat, (portrait:1.2)", "negative_prompt": "blurry"}\n```',
  };
  const prompt = 'a (cat:2.5), day, night';
  const findings = analyzePrompt(prompt, counter()).findings;
  const out = await rewriteWithLlm(config(), { prompt, findings }, counter());
  assert.equal(out.prompt, 'a cat, (portrait:1.2)');
  assert.equal(out.negativePrompt, 'blurry');
  assert.ok(Array.isArray(out.analysis.findings));
  const sent = llm.requests.at(-1)!;
  assert.equal(sent.headers.authorization, 'Bearer sk-test');
  assert.equal(sent.body.model, 'llama3');
  const user = sent.body.messages.find((m) => m.role === 'user')!.content;
  assert.match(user, /P_WEIGHT_RANGE/);
  assert.match(user, /P_CONFLICTING_TERMS/);
});

test('endpoint errors, junk, timeouts and a dead server are coded errors', {
  skip: skipNoFixtures,
}, async () => {
  const cases: Array<[FakeLlm['behaviour'], string, RegExp]> = [
    [
      { kind: 'status', status: 500, body: '{"error": {"message": "model crashed"}}' },
      'E_LLM_HTTP',
      /HTTP 500.*model crashed/,
    ],
    [{ kind: 'status', status: 401, body: '{"error": "bad key"}' }, 'E_LLM_HTTP', /check the API key/],
    [{ kind: 'raw', body: '<html>proxy error</html>' }, 'E_LLM_RESPONSE', /not answer with JSON/],
    [{ kind: 'raw', body: '{"foo": 1}' }, 'E_LLM_RESPONSE', /not a chat-completions response/],
    [{ kind: 'answer', content: '{"prompt": ""}' }, 'E_LLM_RESPONSE', /could not be used/],
    [{ kind: 'hang' }, 'E_LLM_TIMEOUT', /within 1000 ms/],
  ];
  for (const [behaviour, code, message] of cases) {
    llm.behaviour = behaviour;
    await assert.rejects(
      rewriteWithLlm(config(), { prompt: 'a cat' }, counter()),
      (e: LlmRewriteError) => e.code === code && message.test(e.message),
      `${behaviour.kind}: expected ${code}`,
    );
  }
  await assert.rejects(
    rewriteWithLlm(config({ url: 'http://127.0.0.1:9/v1' }), { prompt: 'a cat' }, counter()),
    (e: LlmRewriteError) => e.code === 'E_LLM_UNREACHABLE' && /is the server running/.test(e.message),
  );
});

test('a bad endpoint config names the field', () => {
  const r = LlmEndpointConfig.safeParse({ url: 'ftp://x', model: '' });
  assert.equal(r.success, false);
});

test('over the protocol: prompt_rewrite uses the daemon config; without one it says how to set it', {
  skip: skipNoFixtures,
}, async () => {
  const { startDaemon } = await import('../../helpers/daemon');
  const { connectClient } = await import('../../helpers/ws-client');
  llm.behaviour = {
    kind: 'answer',
    content: '{"prompt": "a red fox, snow, soft light", "negative_prompt": "blurry"}',
  };
  const d = await startDaemon({
    models: { 'sd15-tiny': 'sd15-tiny' },
    config: { llm: { url: llm.url, model: 'm', timeoutMs: 2000 } },
  });
  const bare = await startDaemon();
  try {
    const c = await connectClient(d.wsUrl, d.token);
    const r = await c.request({ type: 'prompt_rewrite', prompt: 'fox snow (cute:2.5)' });
    assert.equal(r.type, 'prompt_rewritten');
    if (r.type === 'prompt_rewritten') {
      assert.equal(r.prompt, 'a red fox, snow, soft light');
      assert.equal(r.negativePrompt, 'blurry');
      assert.ok(Array.isArray(r.findings));
    }
    llm.behaviour = { kind: 'hang' };
    const slow = await c.request({ type: 'prompt_rewrite', prompt: 'fox' });
    assert.equal(slow.type === 'error' && slow.code, 'E_LLM_TIMEOUT');
    c.close();
    const b = await connectClient(bare.wsUrl, bare.token);
    const none = await b.request({ type: 'prompt_rewrite', prompt: 'fox' });
    assert.equal(none.type === 'error' && none.code, 'E_LLM_NOT_CONFIGURED');
    b.close();
  } finally {
    await d.dispose();
    await bare.dispose();
  }
});
