// LoRAs through the real daemon: `<lora:tiny:0.5>` in the prompt and `loras: [{name, weight}]` in the
// request both select `<STIPPLE_HOME>/loras/tiny.safetensors` and reproduce the diffusers golden; an
// unknown name fails the job with E_BAD_REQUEST naming it.
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { decodeRgb } from '../../../companion/images/image-codec';
import { parseInfotext } from '../../../companion/images/infotext';
import { readTextChunk } from '../../../companion/images/png-chunks';
import type { ClientError } from '../../../shared/protocol/stipple-client';
import { startDaemon, type TestDaemon } from '../../helpers/daemon';
import { fixturePath, readFixtureTensor, skipNoFixtures } from '../../helpers/fixtures';
import { connectClient } from '../../helpers/ws-client';

const LORA_CASE = 'goldens_lora/lora_kohya_euler_10steps_scale0.5_seed42';
let d: TestDaemon;
before(async () => {
  if (skipNoFixtures) return;
  d = await startDaemon({ models: { 'sd15-tiny': 'sd15-tiny' } });
  mkdirSync(path.join(d.home, 'loras'), { recursive: true });
  copyFileSync(
    fixturePath('tiny-sd', 'lora', 'tiny_lora_kohya.safetensors'),
    path.join(d.home, 'loras', 'tiny.safetensors'),
  );
});
after(async () => {
  await d?.dispose();
});

function goldenRequest(prompt?: string) {
  const meta = JSON.parse(readFileSync(fixturePath('tiny-sd', LORA_CASE, 'meta.json'), 'utf8'));
  return {
    prompt: prompt ?? meta.prompt,
    negativePrompt: meta.negative_prompt,
    sampler: 'euler' as const,
    steps: meta.steps,
    cfg: meta.guidance_scale,
    seed: meta.seed,
    width: meta.width,
    height: meta.height,
    model: 'sd15-tiny',
  };
}

async function worst(png: Uint8Array): Promise<number> {
  const img = await decodeRgb(png, 'png');
  const golden = readFixtureTensor('tiny-sd', LORA_CASE, 'image');
  let w = 0;
  for (let i = 0; i < img.data.length; i++) {
    w = Math.max(w, Math.abs(img.data[i] - Math.round((golden.data as Float32Array)[i] * 255)));
  }
  return w;
}

test('<lora:tiny:0.5> and loras: [{name, weight}] reproduce the golden through the daemon', {
  skip: skipNoFixtures,
}, async () => {
  const c = await connectClient(d.wsUrl, d.token);
  const meta = JSON.parse(readFileSync(fixturePath('tiny-sd', LORA_CASE, 'meta.json'), 'utf8'));
  const tagged = await c.generate(goldenRequest(`${meta.prompt}<lora:tiny:0.5>`)).done;
  assert.ok((await worst(tagged.images[0].png)) <= 2, 'prompt tag');
  const listed = await c.generate({ ...goldenRequest(), loras: [{ name: 'tiny', weight: 0.5 }] }).done;
  assert.ok((await worst(listed.images[0].png)) <= 2, 'request list');
  // As in A1111, the PNG's prompt names the LoRA as a tag (once), so Regenerate / pasting into
  // A1111 applies it again.
  const promptOf = (png: Uint8Array) => parseInfotext(readTextChunk(png, 'parameters') ?? '').prompt;
  assert.equal(promptOf(listed.images[0].png), `${meta.prompt} <lora:tiny:0.5>`);
  assert.equal(promptOf(tagged.images[0].png), `${meta.prompt}<lora:tiny:0.5>`);
  const replay = await c.generate(goldenRequest(promptOf(listed.images[0].png))).done;
  assert.ok((await worst(replay.images[0].png)) <= 2, 'replayed from the PNG prompt');
  c.close();
});

test('an unknown <lora:name> fails the job naming it', { skip: skipNoFixtures }, async () => {
  const c = await connectClient(d.wsUrl, d.token);
  await assert.rejects(c.generate(goldenRequest('a horse <lora:nope:1>')).done, (e: ClientError) => {
    assert.match(e.message, /no LoRA named "nope".*tiny/);
    return true;
  });
  c.close();
});
