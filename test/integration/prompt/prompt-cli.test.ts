// `stipple prompt analyze|optimize|rewrite` with the real CLIP tokenizer, including the seed
// guidance our users follow as explicit cases.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { type FakeLlm, startFakeLlm } from '../../helpers/fake-llm';
import { fixturePath, repoRoot, skipNoFixtures } from '../../helpers/fixtures';

const home = mkdtempSync(path.join(os.tmpdir(), 'stipple-prompt-cli-'));

function run(...args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, ['--import', 'tsx', 'companion/main.ts', 'prompt', ...args], {
      cwd: repoRoot,
      env: { ...process.env, STIPPLE_HOME: home },
    });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => {
      stdout += d;
    });
    p.stderr.on('data', (d) => {
      stderr += d;
    });
    p.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

const tok = ['--tokenizer', fixturePath('clip-tokenizer')];
type Analysis = { findings: Array<{ code: string; message: string; fix?: unknown }>; chunks: unknown[] };
const codes = (a: Analysis) => a.findings.map((f) => f.code);

let llm: FakeLlm;
before(async () => {
  llm = await startFakeLlm();
});
after(async () => {
  await llm?.close();
});

test('seed guidance: a weight of 2.5 is flagged, and optimize clamps it to 1.4', {
  skip: skipNoFixtures,
}, async () => {
  const a = await run('analyze', 'a (red fox:2.5), forest', ...tok);
  assert.equal(a.status, 0, a.stderr);
  assert.ok(codes(JSON.parse(a.stdout)).includes('P_WEIGHT_RANGE'));
  const o = await run('optimize', 'a (red fox:2.5), forest', ...tok);
  assert.equal(o.status, 0, o.stderr);
  assert.match(JSON.parse(o.stdout).prompt, /fox:1\.4\)/);
});

test('seed guidance: CFG for people vs architecture, steps 18–30, empty negative', {
  skip: skipNoFixtures,
}, async () => {
  const people = JSON.parse(
    (await run('analyze', 'portrait of a woman, freckles', '--cfg', '4', '--steps', '60', '-n', '', ...tok))
      .stdout,
  );
  assert.ok(codes(people).includes('P_CFG_RANGE'), 'cfg 4 for a portrait is flagged');
  assert.ok(codes(people).includes('P_STEPS_RANGE'), '60 steps is flagged');
  assert.ok(codes(people).includes('P_EMPTY_NEGATIVE'));
  const arch = JSON.parse(
    (await run('analyze', 'modern architecture, city skyline, wide shot', '--cfg', '12', ...tok)).stdout,
  );
  const cfg = arch.findings.find((f: { code: string }) => f.code === 'P_CFG_RANGE');
  assert.ok(cfg, 'cfg 12 for architecture is flagged');
  assert.match(cfg.message, /3–7/);
});

test('Chinese keywords are translated locally by optimize; untranslatable text is kept and flagged', {
  skip: skipNoFixtures,
}, async () => {
  const o = JSON.parse((await run('optimize', '一只猫, 水彩, 杰作', ...tok)).stdout);
  assert.match(o.prompt, /cat/);
  assert.match(o.prompt, /watercolor/i);
  assert.doesNotMatch(o.prompt, /[\u4e00-\u9fff]/);
});

test('bad input: an unknown preset and a missing tokenizer are clear errors', async () => {
  const p = await run('analyze', 'a cat', '--preset', 'no-such-preset', ...tok);
  assert.equal(p.status, 1);
  assert.match(p.stderr, /no preset has the id "no-such-preset"/);
  const t = await run('analyze', 'a cat');
  assert.equal(t.status, 1);
  assert.match(t.stderr, /need a CLIP tokenizer/);
});

test('rewrite goes to the configured endpoint; a dead endpoint leaves the prompt untouched with a message', {
  skip: skipNoFixtures,
}, async () => {
  llm.behaviour = { kind: 'answer', content: '{"prompt": "a red fox in a snowy forest, soft light"}' };
  const ok = await run('rewrite', 'fox snow', '--llm-url', llm.url, '--llm-model', 'm', ...tok);
  assert.equal(ok.status, 0, ok.stderr);
  const out = JSON.parse(ok.stdout);
  assert.equal(out.prompt, 'a red fox in a snowy forest, soft light');
  assert.equal(out.original.prompt, 'fox snow');
  const dead = await run(
    'rewrite',
    'fox snow',
    '--llm-url',
    'http://127.0.0.1:9/v1',
    '--llm-model',
    'm',
    ...tok,
  );
  assert.equal(dead.status, 1);
  assert.match(dead.stderr, /cannot reach the model endpoint/);
  const none = await run('rewrite', 'fox snow', ...tok);
  assert.equal(none.status, 1);
  assert.match(none.stderr, /no usable LLM endpoint/);
});
