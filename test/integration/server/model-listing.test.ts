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
