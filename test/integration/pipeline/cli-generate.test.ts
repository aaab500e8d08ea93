// `stipple generate` / `tokenize` / `parse-prompt` registered on a commander program and run in-process on
// the tiny models: every mode writes a PNG carrying A1111 parameters; bad input fails naming the field.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { Command } from 'commander';
import { registerGenerateCommand } from '../../../companion/cli/generate-command.js';
import { registerTokenizeCommands } from '../../../companion/cli/tokenize-command.js';
import { readTextChunk } from '../../../companion/images/png-chunks.js';
import { fixturePath, skipNoFixtures } from '../../helpers/fixtures.js';
import { tinyTaesd, writeTinyTaesd } from './tiny-taesd.js';

const out = mkdtempSync(path.join(tmpdir(), 'stipple-cli-'));
after(() => rmSync(out, { recursive: true, force: true }));

async function run(args: string[]): Promise<string> {
  const chunks: string[] = [];
  const stdout = (t: string) => void chunks.push(t);
  const stderr = () => undefined;
  const program = new Command('stipple').exitOverride();
  const resolveModel = async (d: string) => ({ dir: d, name: path.basename(d) });
  registerGenerateCommand(program, { home: out, resolveModel, stdout, stderr });
  registerTokenizeCommands(program, { stdout });
  await program.parseAsync(['node', 'stipple', ...args]);
  return chunks.join('');
}

const tiny = (name: string) => fixturePath('tiny-sd', name);
const asset = (name: string) => fixturePath('tiny-sd', 'goldens', 'assets', name);

describe('stipple generate on the tiny models', { skip: skipNoFixtures }, () => {
  it('txt2img writes a PNG with the parameters chunk', async () => {
    const file = path.join(out, 't2i.png');
    const text = await run([
      'generate',
      '--model',
      tiny('sd15-tiny'),
      '--prompt',
      'a (red:1.2) cat',
      '--negative',
      'blurry',
      '--sampler',
      'ddim',
      '--steps',
      '3',
      '--seed',
      '5',
      '--width',
      '64',
      '--height',
      '64',
      '--out',
      file,
    ]);
    assert.equal(JSON.parse(text).seed, 5);
    const params = readTextChunk(new Uint8Array(readFileSync(file)), 'parameters');
    assert.match(
      params ?? '',
      /^a \(red:1\.2\) cat\nNegative prompt: blurry\nSteps: 3, Sampler: DDIM, CFG scale: 7, Seed: 5, Size: 64x64/,
    );
  });

  it('img2img, inpaint (9-channel and ordinary UNet) and batch seeds N, N+1', async () => {
    const i2i = await run([
      'generate',
      '--model',
      tiny('sd15-tiny-optimum'),
      '--prompt',
      'x',
      '--sampler',
      'ddim',
      '--steps',
      '4',
      '--seed',
      '1',
      '--init-image',
      asset('init_64x64.png'),
      '--strength',
      '0.5',
      '--out',
      path.join(out, 'i2i.png'),
    ]);
    assert.equal(JSON.parse(i2i).width, 64);
    const inp = await run([
      'generate',
      '--model',
      tiny('sd15-inpaint-tiny'),
      '--prompt',
      'x',
      '--sampler',
      'ddim',
      '--steps',
      '3',
      '--seed',
      '7',
      '--init-image',
      asset('init_64x64.png'),
      '--mask',
      asset('mask_64x64.png'),
      '--strength',
      '1',
      '--batch',
      '2',
      '--out',
      path.join(out, 'inp.png'),
    ]);
    assert.deepEqual(
      inp
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l).seed),
      [7, 8],
    );
    const blend = await run([
      'generate',
      '--model',
      tiny('sd15-tiny'),
      '--prompt',
      'x',
      '--sampler',
      'ddim',
      '--steps',
      '3',
      '--init-image',
      asset('init_64x64.png'),
      '--mask',
      asset('mask_64x64.png'),
      '--only-masked',
      '--out',
      path.join(out, 'blend.png'),
    ]);
    assert.ok(JSON.parse(blend).seed >= 0, 'seed -1 reports the seed it picked');
  });

  it('--quality fast decodes with the given tiny autoencoder and says so in the PNG', async () => {
    const taesd = mkdtempSync(path.join(tmpdir(), 'stipple-cli-taesd-'));
    // A seeded one-layer TAESD-shaped decoder upsampling x2, like the tiny model's VAE.
    writeTinyTaesd(taesd, 'vae_decoder', tinyTaesd(2));
    const args = (q: string, file: string) => [
      'generate',
      '--model',
      tiny('sd15-tiny'),
      '--prompt',
      'a cat',
      '--steps',
      '2',
      '--seed',
      '3',
      '--quality',
      q,
      '--tiny-decoder',
      taesd,
      '--out',
      file,
    ];
    await run(args('fast', path.join(out, 'fast.png')));
    await run(args('full', path.join(out, 'full.png')));
    const fast = readFileSync(path.join(out, 'fast.png'));
    assert.match(readTextChunk(new Uint8Array(fast), 'parameters') ?? '', /VAE Decoder: TAESD/);
    assert.doesNotMatch(
      readTextChunk(new Uint8Array(readFileSync(path.join(out, 'full.png'))), 'parameters') ?? '',
      /VAE Decoder/,
    );
    await assert.rejects(run(args('fastest', path.join(out, 'x.png'))), /fastest.*(full|choices)/s);
    rmSync(taesd, { recursive: true, force: true });
  });

  it('rejects a width that is not a multiple of 8, naming the field', async () => {
    await assert.rejects(
      run([
        'generate',
        '--model',
        tiny('sd15-tiny'),
        '--prompt',
        'x',
        '--width',
        '513',
        '--height',
        '64',
        '--out',
        path.join(out, 'x.png'),
      ]),
      /`width` must be a multiple of 8, got 513/,
    );
  });

  it('tokenize prints chunked ids and parse-prompt the weighted pieces', async () => {
    const tok = JSON.parse(await run(['tokenize', '--model', tiny('sd15-tiny'), 'a photo']));
    assert.deepEqual(tok.chunks[0].ids.slice(0, 4), [49406, 320, 1125, 49407]);
    assert.equal(tok.chunks[0].ids.length, 77);
    assert.deepEqual(JSON.parse(await run(['parse-prompt', 'a (red:1.5) cat'])), [
      ['a ', 1],
      ['red', 1.5],
      [' cat', 1],
    ]);
  });
});
