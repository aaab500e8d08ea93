// Reverse prompt: CLIP ranking on a tiny CLIP model built for the test (shapes, stable ranking,
// clear errors) and exact read-back of A1111 parameters from PNGs.
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { encodePng } from '../../../companion/images/image-codec';
import { silentLogger } from '../../../companion/logger';
import { ModelManager } from '../../../companion/models/model-manager';
import { ClipInterrogator, findClipFiles } from '../../../companion/pipeline/interrogate/clip-interrogator';
import { KEYWORD_CATEGORIES } from '../../../companion/pipeline/interrogate/interrogate-keywords';
import { createOrtEngine } from '../../../companion/pipeline/runtime/ort-engine';
import { ClientError } from '../../../shared/protocol/stipple-client';
import { startDaemon, type TestDaemon } from '../../helpers/daemon';
import { skipNoFixtures } from '../../helpers/fixtures';
import { buildTinyClip } from '../../helpers/tiny-clip';
import { connectClient } from '../../helpers/ws-client';

function solid(r: number, g: number, b: number, size = 32) {
  const data = new Uint8Array(size * size * 3);
  for (let i = 0; i < size * size; i++) data.set([r, g, b], i * 3);
  return encodePng({ width: size, height: size, data });
}

// A real A1111 infotext (quoted values, hashes, a LoRA tag, a non-Latin-1 prompt → iTXt).
const A1111 = `masterpiece, (a cozy cabin:1.2) in snowy woods, <lora:detail:0.6>, 雪
Negative prompt: lowres, bad anatomy, (worst quality:1.4)
Steps: 28, Sampler: DPM++ 2M Karras, CFG scale: 7.5, Seed: 3141592653, Size: 512x768, Model hash: 6ce0161689, Model: v1-5-pruned-emaonly, Denoising strength: 0.45, Lora hashes: "detail: 62ad6b1a2d0d", Version: v1.9.4`;

let clipDir: string;
let d: TestDaemon | undefined;
before(async () => {
  if (skipNoFixtures) return;
  clipDir = buildTinyClip();
  const home = mkdtempSync(path.join(os.tmpdir(), 'stipple-interrogate-'));
  const manager = new ModelManager({ home, logger: silentLogger(), hub: { endpoint: 'http://127.0.0.1:9' } });
  await manager.import(clipDir, { mode: 'link', id: 'tiny-clip' });
  d = await startDaemon({ home });
});
after(async () => {
  await d?.dispose();
});

test('the interrogator ranks every category with CLIP-shaped models, stably', {
  skip: skipNoFixtures,
}, async () => {
  const files = findClipFiles(clipDir);
  const engine = await createOrtEngine({
    files: { vision: files.vision, text: files.text },
    logger: silentLogger(),
  });
  try {
    const clip = ClipInterrogator.create(engine, clipDir);
    const img = await solid(200, 40, 40);
    const a = await clip.interrogate(img, 3);
    const b = await clip.interrogate(img, 3);
    assert.deepEqual(a, b, 'the same image ranks the same way');
    assert.equal(a.keywords.length, KEYWORD_CATEGORIES.length * 3);
    for (const c of KEYWORD_CATEGORIES) {
      const scores = a.keywords.filter((k) => k.category === c).map((k) => k.score);
      assert.deepEqual(
        scores,
        [...scores].sort((x, y) => y - x),
        `${c} is ranked best first`,
      );
      assert.ok(
        scores.every((s) => s >= -1 && s <= 1),
        'cosine similarities',
      );
    }
    assert.equal(a.prompt.split(', ').length, KEYWORD_CATEGORIES.length);
    const other = await clip.interrogate(await solid(20, 60, 220), 3);
    assert.notDeepEqual(
      other.keywords.map((k) => k.score),
      a.keywords.map((k) => k.score),
    );
  } finally {
    await engine.release();
  }
});

test('a folder without the CLIP parts is a clear layout error', { skip: skipNoFixtures }, () => {
  assert.throws(
    () => findClipFiles(mkdtempSync(path.join(os.tmpdir(), 'no-clip-'))),
    (e: Error & { code?: string }) => e.code === 'E_MODEL_LAYOUT' && /vision_model/.test(e.message),
  );
});

test('over the protocol: a PNG with A1111 parameters is read back exactly', {
  skip: skipNoFixtures,
}, async () => {
  const c = await connectClient(d!.wsUrl, d!.token);
  const png = await encodePng({ width: 8, height: 8, data: new Uint8Array(192) }, A1111);
  const r = await sendInterrogate(c, png);
  assert.equal(r.source, 'metadata');
  assert.equal(r.prompt, 'masterpiece, (a cozy cabin:1.2) in snowy woods, <lora:detail:0.6>, 雪');
  assert.equal(r.negativePrompt, 'lowres, bad anatomy, (worst quality:1.4)');
  assert.equal(r.params.Seed, '3141592653');
  assert.equal(r.params.Sampler, 'DPM++ 2M Karras');
  assert.equal(r.params['Lora hashes'], 'detail: 62ad6b1a2d0d');
  c.close();
});

test('over the protocol: an image without parameters gets a CLIP-proposed prompt', {
  skip: skipNoFixtures,
}, async () => {
  const c = await connectClient(d!.wsUrl, d!.token);
  const r = await sendInterrogate(c, await solid(30, 160, 60));
  assert.equal(r.source, 'clip');
  assert.ok(r.prompt.length > 0);
  assert.deepEqual([...new Set(r.keywords.map((k) => k.category))], [...KEYWORD_CATEGORIES]);
  await assert.rejects(
    sendInterrogate(c, await solid(1, 2, 3), 'no-such-clip'),
    (e: ClientError) => e.code === 'E_MODEL_NOT_FOUND',
  );
  c.close();
});

async function sendInterrogate(
  c: Awaited<ReturnType<typeof connectClient>>,
  png: Uint8Array,
  model?: string,
) {
  const r = await c.request(
    { type: 'interrogate', image: 'probe', ...(model ? { model } : {}) },
    { probe: png },
  );
  if (r.type === 'error') throw new ClientError(r.code, r.message, r.field);
  assert.equal(r.type, 'interrogation');
  return r as Extract<typeof r, { type: 'interrogation' }>;
}
