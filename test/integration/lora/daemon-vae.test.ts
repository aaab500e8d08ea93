// `vae` in a generate request, through the real daemon: a VAE imported into the store (<home>/vaes/<name>/)
// decodes the job (another VAE's weights give another image; the model's own VAE imported under a name gives
// the same image), the infotext names it (`VAE: name`) and `done.params` keeps it for replay. An unknown
// name is refused before queueing with E_MODEL_NOT_FOUND naming `request.vae`. Store LoRAs and embeddings
// used by a job are listed with A1111's short hashes (`Lora hashes`, `TI hashes`).
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { decodeRgb } from '../../../companion/images/image-codec';
import { parseInfotext } from '../../../companion/images/infotext';
import { readTextChunk } from '../../../companion/images/png-chunks';
import { AdapterStore } from '../../../companion/models/adapter-store';
import type { ClientError } from '../../../shared/protocol/stipple-client';
import { startDaemon, type TestDaemon } from '../../helpers/daemon';
import { fixturePath, skipNoFixtures } from '../../helpers/fixtures';
import { connectClient } from '../../helpers/ws-client';
import { tinyTaesd, writeTinyTaesd } from '../pipeline/tiny-taesd';

/** The PNG's own `parameters` chunk (what A1111 and other tools read). */
const infotextOf = (png: Uint8Array) => readTextChunk(png, 'parameters') ?? '';
const pixels = async (png: Uint8Array) => (await decodeRgb(png, 'png')).data;

let d: TestDaemon;
let synth: string;
before(async () => {
  if (skipNoFixtures) return;
  d = await startDaemon({ models: { 'sd15-tiny': 'sd15-tiny' } });
  const store = new AdapterStore(d.home);
  // The model's own VAE under a name, and a VAE with other weights: a one-op decoder (latent_sample ->
  // sample, x2 upsampling like the tiny model's VAE) with seeded weights.
  await store.importVae(fixturePath('tiny-sd', 'sd15-tiny'), { name: 'own-vae' });
  synth = mkdtempSync(path.join(os.tmpdir(), 'stipple-synth-vae-'));
  writeTinyTaesd(synth, 'vae_decoder', tinyTaesd(2, 'sample', 31, 0, 0.1), {
    latent_channels: 4,
    block_out_channels: [32, 64],
  });
  await store.importVae(synth, { name: 'other-vae' });
  mkdirSync(path.join(d.home, 'loras'), { recursive: true });
  mkdirSync(path.join(d.home, 'embeddings'), { recursive: true });
  copyFileSync(
    fixturePath('tiny-sd', 'lora', 'tiny_lora_kohya.safetensors'),
    path.join(d.home, 'loras', 'tiny.safetensors'),
  );
  copyFileSync(
    fixturePath('tiny-sd', 'embeddings', 'tiny-style.safetensors'),
    path.join(d.home, 'embeddings', 'tiny-style.safetensors'),
  );
});
after(async () => {
  await d?.dispose();
  if (synth) rmSync(synth, { recursive: true, force: true });
});

const request = (over: Record<string, unknown> = {}) => ({
  prompt: 'a lighthouse at dusk',
  negativePrompt: '',
  sampler: 'euler' as const,
  steps: 2,
  cfg: 7,
  seed: 5,
  width: 64,
  height: 64,
  model: 'sd15-tiny',
  previewEvery: 0,
  ...over,
});

test('`vae` names a store VAE that decodes the job and is written to the infotext', {
  skip: skipNoFixtures,
}, async () => {
  const c = await connectClient(d.wsUrl, d.token);
  try {
    const plain = await c.generate(request()).done;
    const own = await c.generate(request({ vae: 'own-vae' })).done;
    const other = await c.generate(request({ vae: 'other-vae' })).done;
    const base = await pixels(plain.images[0].png);
    assert.equal(other.done.infotext, infotextOf(other.images[0].png));
    assert.deepEqual(await pixels(own.images[0].png), base, "the model's own VAE weights: same image");
    assert.notDeepEqual(await pixels(other.images[0].png), base, 'another VAE decodes another image');
    assert.equal(parseInfotext(infotextOf(other.images[0].png)).fields.VAE, 'other-vae');
    assert.equal(parseInfotext(infotextOf(own.images[0].png)).fields.VAE, 'own-vae');
    assert.equal(parseInfotext(infotextOf(plain.images[0].png)).fields.VAE, undefined);
    assert.equal(other.done.params.vae, 'other-vae', 'done.params keeps the VAE for replay');
  } finally {
    c.close();
  }
});

test('an unknown `vae` is refused before queueing, naming the field', { skip: skipNoFixtures }, async () => {
  const c = await connectClient(d.wsUrl, d.token);
  try {
    let queued = false;
    const job = c.generate(
      request({ vae: 'nope' }),
      {},
      {
        onQueued: () => {
          queued = true;
        },
      },
    );
    await assert.rejects(job.done, (e: ClientError) => {
      assert.equal(e.code, 'E_MODEL_NOT_FOUND');
      assert.equal(e.field, 'request.vae');
      assert.match(e.message, /`vae`: no VAE named "nope" is installed \(installed: other-vae, own-vae\)/);
      return true;
    });
    assert.equal(queued, false, 'refused before queueing');
    await assert.rejects(c.generate(request({ vae: '../x' })).done, (e: ClientError) => {
      assert.equal(e.code, 'E_BAD_REQUEST');
      return true;
    });
  } finally {
    c.close();
  }
});

test('LoRAs and embeddings used by a job are listed with A1111 short hashes', {
  skip: skipNoFixtures,
}, async () => {
  const c = await connectClient(d.wsUrl, d.token);
  try {
    const done = await c.generate(
      request({ prompt: 'a boat in the style of <tiny-style> <lora:tiny:0.5>', negativePrompt: 'blurry' }),
    ).done;
    const text = infotextOf(done.images[0].png);
    const fields = parseInfotext(text).fields;
    // Reference values: Python hashlib over the fixture files (addnet hash for the LoRA: the bytes after
    // the safetensors header; whole-file sha256 for the embedding), first 12 hex digits.
    assert.equal(fields['Lora hashes'], 'tiny: 12a94678d862');
    assert.equal(fields['TI hashes'], '<tiny-style>: d0b465141f3b');
    assert.match(text, /Lora hashes: "tiny: 12a94678d862", TI hashes: "<tiny-style>: d0b465141f3b"/);
    const none = await c.generate(request()).done;
    assert.doesNotMatch(infotextOf(none.images[0].png), /hashes/);
  } finally {
    c.close();
  }
});
