// `stipple generate --lora file[:weight] --embedding file --seed 42` reproduces the diffusers goldens of
// fixtures/tiny-sd/goldens_lora within 2/255; `<lora:name:weight>` in the prompt does the same from the
// LoRA folder; pickles and unknown names are refused with the reason.
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { Command } from 'commander';
import { registerGenerateCommand } from '../../../companion/cli/generate-command.js';
import { decodeRgb } from '../../../companion/images/image-codec.js';
import { fixturePath, readFixtureTensor, skipNoFixtures } from '../../helpers/fixtures.js';

const home = mkdtempSync(path.join(tmpdir(), 'stipple-cli-lora-'));
after(() => rmSync(home, { recursive: true, force: true }));

async function run(args: string[]): Promise<string> {
  const chunks: string[] = [];
  const program = new Command('stipple').exitOverride();
  const resolveModel = async (d: string) => ({ dir: d, name: path.basename(d) });
  registerGenerateCommand(program, {
    home,
    resolveModel,
    stdout: (t: string) => void chunks.push(t),
    stderr: () => undefined,
  });
  await program.parseAsync(['node', 'stipple', ...args]);
  return chunks.join('');
}

const LORA_CASE = 'goldens_lora/lora_kohya_euler_10steps_scale0.5_seed42';
const TI_CASE = 'goldens_lora/ti_euler_10steps_seed42';
const lora = (format: string) => fixturePath('tiny-sd', 'lora', `tiny_lora_${format}.safetensors`);

function goldenArgs(folder: string, out: string, prompt?: string): string[] {
  const meta = JSON.parse(readFileSync(fixturePath('tiny-sd', folder, 'meta.json'), 'utf8'));
  return [
    'generate',
    '--model',
    fixturePath('tiny-sd', 'sd15-tiny'),
    '--prompt',
    prompt ?? meta.prompt,
    '--negative',
    meta.negative_prompt,
    '--sampler',
    'euler',
    '--steps',
    String(meta.steps),
    '--cfg',
    String(meta.guidance_scale),
    '--seed',
    String(meta.seed),
    '--width',
    String(meta.width),
    '--height',
    String(meta.height),
    '--out',
    out,
  ];
}

async function worstVsGolden(folder: string, png: string): Promise<number> {
  const img = await decodeRgb(new Uint8Array(readFileSync(png)), 'png');
  const golden = readFixtureTensor('tiny-sd', folder, 'image');
  let worst = 0;
  for (let i = 0; i < img.data.length; i++) {
    worst = Math.max(worst, Math.abs(img.data[i] - Math.round((golden.data as Float32Array)[i] * 255)));
  }
  return worst;
}

describe('stipple generate with LoRAs and embeddings', { skip: skipNoFixtures }, () => {
  it('--lora kohya:0.5 --seed 42 reproduces the diffusers golden', async (t) => {
    const out = path.join(home, 'lora.png');
    await run([...goldenArgs(LORA_CASE, out), '--lora', `${lora('kohya')}:0.5`]);
    const worst = await worstVsGolden(LORA_CASE, out);
    t.diagnostic(`max pixel difference ${worst}/255`);
    assert.ok(worst <= 2, `${worst}/255`);
  });

  it('--embedding with its token in --prompt reproduces the diffusers golden', async (t) => {
    const out = path.join(home, 'ti.png');
    await run([
      ...goldenArgs(TI_CASE, out),
      '--embedding',
      fixturePath('tiny-sd', 'embeddings', 'tiny-style.safetensors'),
    ]);
    const worst = await worstVsGolden(TI_CASE, out);
    t.diagnostic(`max pixel difference ${worst}/255`);
    assert.ok(worst <= 2, `${worst}/255`);
  });

  it('diffusers and PEFT files give the kohya golden too', async () => {
    for (const format of ['diffusers', 'peft']) {
      const out = path.join(home, `${format}.png`);
      await run([...goldenArgs(LORA_CASE, out), '--lora', `${lora(format)}:0.5`]);
      assert.ok((await worstVsGolden(LORA_CASE, out)) <= 2, format);
    }
  });

  it('<lora:tiny:0.5> in the prompt selects the LoRA from the LoRA folder and leaves the CLIP text', async () => {
    mkdirSync(path.join(home, 'loras'), { recursive: true });
    copyFileSync(lora('kohya'), path.join(home, 'loras', 'tiny.safetensors'));
    const out = path.join(home, 'tag.png');
    const meta = JSON.parse(readFileSync(fixturePath('tiny-sd', LORA_CASE, 'meta.json'), 'utf8'));
    await run(goldenArgs(LORA_CASE, out, `${meta.prompt}<lora:tiny:0.5>`));
    assert.ok((await worstVsGolden(LORA_CASE, out)) <= 2);
  });

  it('refuses a .pt embedding, saying why, and an unknown <lora:name>', async () => {
    await assert.rejects(
      run([
        ...goldenArgs(TI_CASE, path.join(home, 'x.png')),
        '--embedding',
        fixturePath('tiny-sd', 'embeddings', 'tiny-style.pt'),
      ]),
      /E_BAD_REQUEST: refusing .*tiny-style\.pt: it is a PyTorch pickle .*can run any code/,
    );
    await assert.rejects(
      run(goldenArgs(LORA_CASE, path.join(home, 'y.png'), 'a horse <lora:nope:1>')),
      /E_BAD_REQUEST: no LoRA named "nope"/,
    );
  });
});
