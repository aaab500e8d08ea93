import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { ClientError } from '../../../shared/protocol/stipple-client';
import { startDaemon, type TestDaemon } from '../../helpers/daemon';
import { repoRoot, skipNoFixtures } from '../../helpers/fixtures';
import { connectClient } from '../../helpers/ws-client';

const FOOOCUS_PACK = `[
  { "name": "Neon Noir", "prompt": "neon noir photo of {prompt}, rain, reflections", "negative_prompt": "sunny, pastel" },
  { "name": "Paper Cut", "prompt": "paper cut craft, {prompt}, layered paper", "negative_prompt": "photo" }
]`;

let d: TestDaemon;
before(async () => {
  if (skipNoFixtures) return;
  const home = mkdtempSync(path.join(os.tmpdir(), 'stipple-presets-'));
  mkdirSync(path.join(home, 'presets'));
  writeFileSync(path.join(home, 'presets', 'fooocus.json'), FOOOCUS_PACK);
  writeFileSync(path.join(home, 'presets', 'broken.json'), '[\n  { "name": "x",\n    "prompt": }\n]');
  d = await startDaemon({ home, models: { 'sd15-tiny': 'sd15-tiny' } });
});
after(async () => {
  await d?.dispose();
});

test('both plugins get one list: built-ins plus user presets, a malformed file skipped', {
  skip: skipNoFixtures,
}, async () => {
  const c = await connectClient(d.wsUrl, d.token);
  const r = await c.request({ type: 'presets' });
  assert.equal(r.type, 'presets');
  if (r.type !== 'presets') return;
  assert.ok(r.presets.filter((p) => p.source === 'builtin').length >= 24);
  const neon = r.presets.find((p) => p.name === 'Neon Noir');
  assert.equal(neon?.source, 'user');
  assert.equal(neon?.negativePrompt, 'sunny, pastel');
  c.close();
});

test('a generate with a preset bakes it into the prompt and the replayable params', {
  skip: skipNoFixtures,
}, async () => {
  const c = await connectClient(d.wsUrl, d.token);
  const r = await c.request({ type: 'presets' });
  const neon = r.type === 'presets' ? r.presets.find((p) => p.name === 'Neon Noir') : undefined;
  const { done } = await c.generate({
    prompt: 'a cat',
    preset: neon!.id,
    width: 64,
    height: 64,
    steps: 2,
    seed: 1,
  }).done;
  assert.equal(done.params.prompt, 'neon noir photo of a cat, rain, reflections');
  assert.match(done.params.negativePrompt, /sunny, pastel/);
  assert.equal(done.params.preset, undefined);
  const unknown = c.generate({ prompt: 'a cat', preset: 'no-such-style', width: 64, height: 64 });
  await assert.rejects(
    unknown.jobId,
    (e: ClientError) => e.code === 'E_PRESET_NOT_FOUND' && e.field === 'request.preset',
  );
  c.close();
});

test('stipple presets import refuses malformed JSON naming the file and line, and accepts a Fooocus pack', () => {
  const home = mkdtempSync(path.join(os.tmpdir(), 'stipple-presets-cli-'));
  const bad = path.join(home, 'bad.json');
  writeFileSync(bad, '[\n  {"name": "a",\n   "prompt": "x {prompt}",,\n  }\n]');
  const run = (...args: string[]) =>
    spawnSync(process.execPath, ['--import', 'tsx', 'companion/main.ts', 'presets', ...args], {
      cwd: repoRoot,
      env: { ...process.env, STIPPLE_HOME: home },
      encoding: 'utf8',
    });
  const r = run('import', bad);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /bad\.json:3:/);
  const good = path.join(home, 'pack.json');
  writeFileSync(good, FOOOCUS_PACK);
  const ok = run('import', good);
  assert.equal(ok.status, 0, ok.stderr);
  assert.match(ok.stdout, /imported 2 preset/);
  const list = JSON.parse(run('list', '--json').stdout) as {
    presets: Array<{ name: string; source: string }>;
  };
  assert.ok(list.presets.some((p) => p.name === 'Paper Cut' && p.source === 'user'));
  const exported = run('export');
  assert.match(exported.stdout, /Neon Noir/);
});
