// A1111's `Lora hashes` / `TI hashes` / `VAE` infotext fields: the LoRA "addnet" hash (sha256 of the
// safetensors data after the header, 12 hex digits), the embedding hash (sha256 of the whole file, 12 hex
// digits), their formatting, and a round trip through the infotext writer and parser. Expected hashes were
// computed independently (Python hashlib on the same bytes), not by the code under test.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { formatInfotext, parseInfotext } from '../../../companion/images/infotext.js';
import {
  AdapterHashCache,
  adapterInfotextFields,
  addnetHash,
} from '../../../companion/pipeline/adapters/adapter-hashes.js';
import { sizeConditioningFields } from '../../../companion/pipeline/pipeline-service.js';
import { parseA1111Parameters } from '../../../shared/prompt/a1111-parameters.js';

/** A safetensors file: u64 header length, the JSON header, then float32 [1, 2]. */
function safetensors(header: string): Uint8Array {
  const h = new TextEncoder().encode(header);
  const out = new Uint8Array(8 + h.length + 8);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(h.length), true);
  out.set(h, 8);
  view.setFloat32(8 + h.length, 1, true);
  view.setFloat32(8 + h.length + 4, 2, true);
  return out;
}

const PLAIN = '{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}';
const WITH_META =
  '{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"__metadata__":{"ss_output_name":"tiny"}}';

describe('A1111 adapter hashes', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'stipple-hashes-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('LoRA: sha256 after the header (metadata does not change it); TI: sha256 of the file', async () => {
    const plain = path.join(dir, 'plain.safetensors');
    const meta = path.join(dir, 'meta.safetensors');
    writeFileSync(plain, safetensors(PLAIN));
    writeFileSync(meta, safetensors(WITH_META));
    assert.equal(addnetHash(safetensors(PLAIN)).slice(0, 12), 'b9c80b5adeca');
    const cache = new AdapterHashCache();
    assert.equal(await cache.lora(plain), 'b9c80b5adeca');
    assert.equal(await cache.lora(meta), 'b9c80b5adeca', 'header metadata is outside the LoRA hash');
    assert.equal(await cache.embedding(plain), 'ec7c158d6647');
    assert.equal(await cache.embedding(meta), '534c920d051f', 'the TI hash covers the whole file');
  });

  it('re-hashes a file whose contents changed (size/mtime key)', async () => {
    const f = path.join(dir, 'changing.safetensors');
    writeFileSync(f, safetensors(PLAIN));
    const cache = new AdapterHashCache();
    assert.equal(await cache.embedding(f), 'ec7c158d6647');
    writeFileSync(f, safetensors(WITH_META));
    utimesSync(f, new Date(), new Date(Date.now() + 5000));
    assert.equal(await cache.embedding(f), '534c920d051f');
  });

  it('formats A1111 fields and round-trips them through the infotext writer and parser', async () => {
    const lora = path.join(dir, 'l.safetensors');
    const emb = path.join(dir, 'e.safetensors');
    writeFileSync(lora, safetensors(PLAIN));
    writeFileSync(emb, safetensors(WITH_META));
    const fields = await adapterInfotextFields(
      {
        loras: [
          { name: 'detail', file: lora },
          { name: 'odd:name,x', file: emb },
          { name: 'detail', file: lora },
        ],
        embeddings: [{ token: '<tiny-style>', file: emb }],
        vaeName: 'kl-f8 fixed',
        vaeDecoder: 'TAESD',
      },
      new AdapterHashCache(),
    );
    assert.deepEqual(fields, {
      VAE: 'kl-f8 fixed',
      'VAE Decoder': 'TAESD',
      'Lora hashes': 'detail: b9c80b5adeca, oddnamex: b9c80b5adeca',
      'TI hashes': '<tiny-style>: 534c920d051f',
    });
    const text = formatInfotext({
      prompt: 'a boat <lora:detail:0.8>, <tiny-style>',
      negativePrompt: 'blurry',
      steps: 20,
      sampler: 'Euler a',
      cfg: 7,
      seed: 42,
      width: 512,
      height: 512,
      modelHash: 'abcdef0123',
      model: 'sd15',
      extra: fields,
    });
    const last = text.split('\n').at(-1);
    assert.equal(
      last,
      'Steps: 20, Sampler: Euler a, CFG scale: 7, Seed: 42, Size: 512x512, Model hash: abcdef0123, Model: sd15, VAE: kl-f8 fixed, VAE Decoder: TAESD, Lora hashes: "detail: b9c80b5adeca, oddnamex: b9c80b5adeca", TI hashes: "<tiny-style>: 534c920d051f"',
    );
    const parsed = parseInfotext(text);
    assert.equal(parsed.prompt, 'a boat <lora:detail:0.8>, <tiny-style>');
    for (const [k, v] of Object.entries(fields)) assert.equal(parsed.fields[k], v, k);
    assert.equal(parsed.fields.Seed, '42');
    // The plugins' parser (shared) reads the same fields back.
    const shared = parseA1111Parameters(text);
    assert.equal(shared.negativePrompt, 'blurry');
    for (const [k, v] of Object.entries(fields)) assert.equal(shared.fields[k], v, `shared parser: ${k}`);
  });

  it('no LoRA, embedding or VAE: no fields', async () => {
    assert.deepEqual(await adapterInfotextFields({ loras: [], embeddings: [] }, new AdapterHashCache()), {});
  });

  it('SDXL size conditioning is written only where it differs from the defaults', () => {
    assert.deepEqual(sizeConditioningFields(1024, 768, undefined), {});
    assert.deepEqual(sizeConditioningFields(1024, 768, { originalWidth: 1024, cropTop: 0 }), {});
    assert.deepEqual(
      sizeConditioningFields(1024, 768, {
        originalWidth: 2048,
        originalHeight: 1536,
        cropTop: 32,
        cropLeft: 16,
      }),
      { 'Original size': '2048x1536', 'Crop top': '32', 'Crop left': '16' },
    );
    assert.deepEqual(sizeConditioningFields(64, 64, { targetWidth: 128 }), { 'Target size': '128x64' });
  });
});
