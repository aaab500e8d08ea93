// `stipple generate --providers`: the list reaches the engine (README: "does the same for one command").
// WebGPU runs where a Vulkan adapter exists (CI installs Mesa lavapipe and sets STIPPLE_REQUIRE_WEBGPU=1);
// elsewhere the engine falls back to CPU and says so.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { Command } from 'commander';
import { registerGenerateCommand } from '../../../companion/cli/generate-command.js';
import { availableProviders } from '../../../companion/pipeline/runtime/ort-engine.js';
import { fixturePath, skipNoFixtures } from '../../helpers/fixtures.js';

const out = mkdtempSync(path.join(tmpdir(), 'stipple-cli-providers-'));
after(() => rmSync(out, { recursive: true, force: true }));

/** Runs `generate` in-process and returns the provider it reports on stderr. */
async function providerOf(providers: string): Promise<string> {
  let err = '';
  const program = new Command('stipple').exitOverride();
  registerGenerateCommand(program, {
    home: out,
    resolveModel: async (d) => ({ dir: d, name: path.basename(d) }),
    stdout: () => undefined,
    stderr: (t) => {
      err += t;
    },
  });
  await program.parseAsync([
    'node',
    'stipple',
    'generate',
    '--model',
    fixturePath('tiny-sd', 'sd15-tiny'),
    '--prompt',
    'a cat',
    '--steps',
    '1',
    '--seed',
    '1',
    '--providers',
    providers,
    '--out',
    path.join(out, `${providers.replace(/\W/g, '-')}.png`),
  ]);
  const m = /execution provider: ([\w+-]+)/.exec(err);
  assert.ok(m, err);
  return m[1];
}

test('--providers picks the execution provider for one command', { skip: skipNoFixtures }, async () => {
  assert.equal(await providerOf('cpu'), 'cpu');
  const webgpu = availableProviders().includes('webgpu');
  if (process.env.STIPPLE_REQUIRE_WEBGPU === '1') assert.ok(webgpu, 'WebGPU required but not available');
  assert.equal(await providerOf('webgpu,cpu'), webgpu ? 'webgpu' : 'cpu');
});
