// The protocol's model list: installed checkpoints, LoRAs and embeddings (with their trigger
// words / token, so the plugins can offer them with weights), and catalog models to download.
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { AdapterStore } from '../../../companion/models/adapter-store';
import { startDaemon, type TestDaemon } from '../../helpers/daemon';
import { fixturePath, skipNoFixtures } from '../../helpers/fixtures';
import { connectClient } from '../../helpers/ws-client';

let d: TestDaemon | undefined;
before(async () => {
  if (skipNoFixtures) return;
  const home = mkdtempSync(path.join(os.tmpdir(), 'stipple-listing-'));
  const adapters = new AdapterStore(home);
  await adapters.importFile('lora', fixturePath('tiny-sd', 'lora', 'tiny_lora_kohya.safetensors'), {
    name: 'tiny-style',
  });
  await adapters.importFile('embedding', fixturePath('tiny-sd', 'embeddings', 'tiny-style.safetensors'));
  d = await startDaemon({ home, models: { 'sd15-tiny': 'sd15-tiny' } });
});
after(async () => {
  await d?.dispose();
});

test('models lists checkpoints, LoRAs and embeddings next to the catalog', {
  skip: skipNoFixtures,
}, async () => {
  const c = await connectClient(d!.wsUrl, d!.token);
  const r = await c.request({ type: 'models' });
  assert.equal(r.type, 'models');
  if (r.type !== 'models') return;
  const byKind = (k: string) => r.models.filter((m) => m.kind === k);
  assert.ok(byKind('checkpoint').some((m) => m.id === 'sd15-tiny' && m.installed));
  assert.ok(
    byKind('checkpoint').some((m) => m.id === 'sd-turbo' && !m.installed),
    'catalog models offered for download',
  );
  assert.ok(byKind('lora').some((m) => m.id === 'tiny-style'));
  const emb = byKind('embedding')[0];
  assert.ok(emb?.token, 'an embedding is listed with the token to type');
  assert.ok(r.models.every((m) => m.sizeBytes === undefined || Number.isInteger(m.sizeBytes)));
  c.close();
});

test('tokenize counts several texts in one round trip, each as if sent alone', {
  skip: skipNoFixtures,
}, async () => {
  const c = await connectClient(d!.wsUrl, d!.token);
  const texts = ['a photo of a red fox, snow', 'blurry, lowres, (bad hands:1.2)', ''];
  const batch = await c.request({ type: 'tokenize', texts, model: 'sd15-tiny' });
  assert.equal(batch.type, 'tokens');
  if (batch.type !== 'tokens') return;
  assert.equal(batch.results?.length, 3);
  for (const [i, text] of texts.entries()) {
    const one = await c.request({ type: 'tokenize', text, model: 'sd15-tiny' });
    if (one.type !== 'tokens') assert.fail(`tokenize "${text}" answered ${one.type}`);
    assert.deepEqual(batch.results?.[i], { chunks: one.chunks, total: one.total });
  }
  assert.ok((batch.results?.[0]?.total ?? 0) > 5, 'the prompt has tokens');
  // `chunks`/`total` mirror the first text, so single-text readers keep working.
  assert.equal(batch.total, batch.results?.[0]?.total);

  for (const [bad, field] of [
    [{ type: 'tokenize', text: 'a', texts: ['b'] }, /exactly one of `text`/],
    [{ type: 'tokenize' }, /exactly one of `text`/],
    [{ type: 'tokenize', texts: [] }, /at least one text/],
    [{ type: 'tokenize', texts: Array(17).fill('x') }, /at most 16 texts/],
  ] as const) {
    const r = await c.request(bad as never);
    assert.equal(r.type, 'error', JSON.stringify(bad).slice(0, 80));
    if (r.type === 'error') {
      assert.equal(r.code, 'E_BAD_REQUEST');
      assert.match(r.message, field);
    }
  }
  // The socket stays usable after refusals.
  const again = await c.request({ type: 'tokenize', text: 'fox' });
  assert.equal(again.type, 'tokens');
  c.close();
});

test('a per-request timeout overrides the client default and names the request', {
  skip: skipNoFixtures,
}, async () => {
  const c = await connectClient(d!.wsUrl, d!.token);
  // 1 ms is shorter than any round trip through the daemon, so the client gives up first.
  await assert.rejects(
    c.request({ type: 'presets' }, {}, { timeoutMs: 1 }),
    (e: Error & { code?: string }) => {
      assert.equal(e.code, 'E_TIMEOUT');
      assert.match(e.message, /no answer to presets within 1 ms/);
      return true;
    },
  );
  // The late answer is dropped, and the next request on the same client works.
  const r = await c.request({ type: 'presets' }, {}, { timeoutMs: 20_000 });
  assert.equal(r.type, 'presets');
  c.close();
});
