import assert from 'node:assert/strict';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { AdapterStore } from '../../../companion/models/adapter-store.js';
import { AdapterError } from '../../../companion/pipeline/lora/adapter-errors.js';
import { fixturePath, skipNoFixtures } from '../../helpers/fixtures.js';
import { buildSafetensors } from './safetensors-builder.js';

const home = mkdtempSync(path.join(os.tmpdir(), 'stipple-adapters-'));
after(() => rmSync(home, { recursive: true, force: true }));

describe('LoRA, embedding and VAE store entries', { skip: skipNoFixtures }, () => {
  const store = new AdapterStore(home);

  it('imports a LoRA after verifying it, and lists it with family, trigger words and sha256', async () => {
    const src = path.join(home, 'in-style.safetensors');
    const z = (shape: number[]) => ({ shape, values: new Float32Array(shape.reduce((a, b) => a * b, 1)) });
    writeFileSync(
      src,
      buildSafetensors(
        {
          'lora_unet_mid_block_attentions_0_transformer_blocks_0_attn2_to_k.lora_down.weight': z([1, 768]),
          'lora_unet_mid_block_attentions_0_transformer_blocks_0_attn2_to_k.lora_up.weight': z([320, 1]),
        },
        { metadata: { ss_tag_frequency: JSON.stringify({ a: { 'ink style': 5, boat: 2 } }) } },
      ),
    );
    const e = await store.importFile('lora', src);
    assert.equal(e.name, 'in-style');
    assert.equal(e.family, 'sd1');
    assert.deepEqual(e.triggerWords, ['ink style', 'boat']);
    assert.match(e.sha256 ?? '', /^[0-9a-f]{64}$/);
    const tiny = await store.importFile(
      'lora',
      fixturePath('tiny-sd', 'lora', 'tiny_lora_kohya.safetensors'),
      {
        name: 'tiny',
      },
    );
    assert.equal(tiny.family, 'unknown');
    const list = await store.list('lora');
    assert.deepEqual(
      list.map((l) => [l.name, l.verified]),
      [
        ['in-style', true],
        ['tiny', true],
      ],
    );
    assert.equal(await store.resolve('lora', 'tiny'), path.join(home, 'loras', 'tiny.safetensors'));
  });

  it('imports an embedding with its token and vector count', async () => {
    const e = await store.importFile(
      'embedding',
      fixturePath('tiny-sd', 'embeddings', 'tiny-style.safetensors'),
    );
    assert.equal(e.token, '<tiny-style>');
    assert.equal(e.vectors, 2);
    const a1111 = await store.importFile(
      'embedding',
      fixturePath('tiny-sd', 'embeddings', 'tiny-style_emb_params.safetensors'),
      { name: 'style-b' },
    );
    assert.equal(a1111.token, 'style-b', 'A1111 files: the token is the file name in the store');
  });

  it('refuses pickles, broken files and duplicates, leaving nothing behind', async () => {
    await assert.rejects(
      store.importFile('embedding', fixturePath('tiny-sd', 'embeddings', 'tiny-style.pt')),
      (e: unknown) => e instanceof AdapterError && e.reason === 'unsafe_pickle',
    );
    const broken = path.join(home, 'broken.safetensors');
    writeFileSync(broken, 'not a tensor file at all, just text');
    await assert.rejects(store.importFile('lora', broken), (e: unknown) => e instanceof AdapterError);
    await assert.rejects(
      store.importFile('lora', fixturePath('tiny-sd', 'lora', 'tiny_lora_kohya.safetensors'), {
        name: 'tiny',
      }),
      /already installed/,
    );
    assert.deepEqual(
      readdirSync(path.join(home, 'loras'))
        .filter((f) => f.endsWith('.safetensors'))
        .sort(),
      ['in-style.safetensors', 'tiny.safetensors'],
    );
  });

  it('lists hand-dropped files as unverified and removes entries', async () => {
    copyFileSync(
      fixturePath('tiny-sd', 'lora', 'tiny_lora_peft.safetensors'),
      path.join(home, 'loras', 'dropped.safetensors'),
    );
    const dropped = (await store.list('lora')).find((l) => l.name === 'dropped');
    assert.equal(dropped?.verified, false);
    await store.remove('lora', 'in-style');
    assert.ok(!existsSync(path.join(home, 'loras', 'in-style.safetensors')));
    await assert.rejects(store.remove('lora', 'in-style'), /no lora named/);
  });

  it('imports a VAE folder', async () => {
    const vae = path.join(home, 'src-vae');
    mkdirSync(vae);
    for (const part of ['vae_decoder', 'vae_encoder']) {
      mkdirSync(path.join(vae, part));
      for (const f of ['model.onnx', 'config.json']) {
        copyFileSync(fixturePath('tiny-sd', 'sd15-tiny', part, f), path.join(vae, part, f));
      }
    }
    const e = await store.importVae(vae, { name: 'tiny-vae' });
    assert.equal(e.kind, 'vae');
    assert.deepEqual(
      (await store.list('vae')).map((v) => v.name),
      ['tiny-vae'],
    );
    assert.ok(existsSync(path.join(home, 'vaes', 'tiny-vae', 'vae_decoder', 'model.onnx')));
  });
});
