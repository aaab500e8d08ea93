import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { Command } from 'commander';
import { registerAdaptersCommands } from '../../../companion/cli/adapters-command.js';
import { fixturePath, skipNoFixtures } from '../../helpers/fixtures.js';

const home = mkdtempSync(path.join(tmpdir(), 'stipple-adapters-cli-'));
after(() => rmSync(home, { recursive: true, force: true }));

async function run(args: string[]): Promise<string> {
  const chunks: string[] = [];
  const program = new Command('stipple').exitOverride();
  registerAdaptersCommands(program, { home, stdout: (t) => void chunks.push(t) });
  await program.parseAsync(['node', 'stipple', ...args]);
  return chunks.join('');
}

describe('stipple lora | embedding | vae', { skip: skipNoFixtures }, () => {
  it('imports, lists and removes a LoRA and an embedding', async () => {
    await run([
      'lora',
      'import',
      fixturePath('tiny-sd', 'lora', 'tiny_lora_kohya.safetensors'),
      '--name',
      'tiny',
    ]);
    assert.match(await run(['lora', 'list']), /^tiny\s/m);
    const emb = await run([
      'embedding',
      'import',
      fixturePath('tiny-sd', 'embeddings', 'tiny-style.safetensors'),
    ]);
    assert.match(emb, /token <tiny-style> \(2 vectors\)/);
    const json = JSON.parse(await run(['embedding', 'list', '--json']));
    assert.equal(json[0].token, '<tiny-style>');
    assert.match(await run(['lora', 'rm', 'tiny']), /removed lora tiny/);
    assert.match(await run(['lora', 'list']), /no loras installed/);
  });

  it('refuses a pickle with the reason', async () => {
    await assert.rejects(
      run(['embedding', 'import', fixturePath('tiny-sd', 'embeddings', 'tiny-style.pt')]),
      /E_BAD_REQUEST: refusing .*pickle.*run any code/,
    );
  });
});
