// The local store without a network: imports (copy and link), resolve's id rules, verify
// catching a damaged file, removal, and that half-written folders never get listed.
import assert from 'node:assert/strict';
import { cp, mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { pino } from 'pino';
import { ModelManager } from '../../../companion/models/model-manager.js';
import { fixturePath, skipNoFixtures } from '../../helpers/fixtures.js';

async function manager(t: {
  after: (fn: () => Promise<void>) => void;
}): Promise<{ m: ModelManager; home: string }> {
  const home = await mkdtemp(path.join(os.tmpdir(), 'stipple-store-'));
  t.after(() => rm(home, { recursive: true, force: true }));
  const m = new ModelManager({
    home,
    logger: pino({ level: 'silent' }),
    hub: { endpoint: 'http://127.0.0.1:9' },
  });
  return { m, home };
}

test('import copies a diffusers ONNX folder and records every file', { skip: skipNoFixtures }, async (t) => {
  const { m, home } = await manager(t);
  const manifest = await m.import(fixturePath('tiny-sd', 'sd15-tiny'), { mode: 'copy', id: 'tiny' });
  assert.equal(manifest.id, 'tiny');
  assert.equal(manifest.family, 'sd15');
  assert.ok(manifest.files.some((f) => f.path === 'unet/weights.pb'));
  const { dir } = await m.resolve('tiny');
  assert.equal(dir, path.join(home, 'models', 'tiny'));
  assert.equal((await m.verify('tiny')).ok, true);
  assert.deepEqual(
    (await m.list()).map((x) => x.id),
    ['tiny'],
  );
});

test('import detects SDXL and inpainting families and checks the second encoder', {
  skip: skipNoFixtures,
}, async (t) => {
  const { m } = await manager(t);
  assert.equal((await m.import(fixturePath('tiny-sd', 'sdxl-tiny'), { mode: 'link' })).family, 'sdxl');
  assert.equal(
    (await m.import(fixturePath('tiny-sd', 'sd15-inpaint-tiny'), { mode: 'link' })).family,
    'sd15-inpaint',
  );

  const scratch = await mkdtemp(path.join(os.tmpdir(), 'stipple-sdxl-'));
  t.after(() => rm(scratch, { recursive: true, force: true }));
  await cp(fixturePath('tiny-sd', 'sdxl-tiny'), scratch, { recursive: true });
  await rm(path.join(scratch, 'text_encoder_2'), { recursive: true });
  await assert.rejects(m.import(scratch, { mode: 'copy', id: 'broken-xl' }), {
    code: 'E_MODEL_LAYOUT',
    field: 'text_encoder_2/model.onnx',
  });
  assert.equal(
    (await m.list()).some((x) => x.id === 'broken-xl'),
    false,
  );
});

test('a linked import resolves to the original folder', { skip: skipNoFixtures }, async (t) => {
  const { m } = await manager(t);
  await m.import(fixturePath('tiny-sd', 'sd15-tiny-optimum'), { mode: 'link', id: 'linked' });
  const { dir, manifest } = await m.resolve('linked');
  assert.equal(dir, fixturePath('tiny-sd', 'sd15-tiny-optimum'));
  assert.deepEqual(manifest?.source, { kind: 'import', path: dir, mode: 'link' });
});

test('a folder that is not a model is refused, naming the missing part', async (t) => {
  const { m } = await manager(t);
  const dir = await mkdtemp(path.join(os.tmpdir(), 'stipple-notmodel-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await writeFile(path.join(dir, 'model_index.json'), '{}');
  await assert.rejects(
    m.import(dir, { mode: 'copy' }),
    (err: { code: string; field: string; message: string }) => {
      assert.equal(err.code, 'E_MODEL_LAYOUT');
      assert.equal(err.field, 'scheduler/scheduler_config.json');
      assert.match(err.message, /unet\/model\.onnx/);
      return true;
    },
  );
  await assert.rejects(m.import(path.join(dir, 'nope'), { mode: 'copy' }), {
    code: 'E_MODEL_LAYOUT',
    field: 'folder',
  });
  assert.deepEqual(await m.list(), []);
});

test('resolve refuses ids that are paths', async (t) => {
  const { m } = await manager(t);
  for (const bad of [
    '../etc',
    'a/b',
    'a\\b',
    'C:model',
    'C:\\models\\x',
    '\\\\server\\share',
    '..',
    '.hidden',
  ]) {
    await assert.rejects(m.resolve(bad), { code: 'E_BAD_REQUEST' }, bad);
  }
  await assert.rejects(m.resolve('sd-turbo'), (err: { code: string; message: string }) => {
    assert.equal(err.code, 'E_MODEL_NOT_FOUND');
    assert.match(err.message, /stipple models pull sd-turbo/);
    return true;
  });
});

test('resolve accepts an absolute model folder that was never imported', {
  skip: skipNoFixtures,
}, async (t) => {
  const { m } = await manager(t);
  const dir = fixturePath('tiny-sd', 'sd15-tiny');
  assert.deepEqual(await m.resolve(dir), { dir, manifest: null });
  await assert.rejects(m.resolve(fixturePath('tiny-sd')), { code: 'E_MODEL_LAYOUT' });
});

test('verify and resolve catch a damaged file', { skip: skipNoFixtures }, async (t) => {
  const { m, home } = await manager(t);
  await m.import(fixturePath('tiny-sd', 'sd15-tiny'), { mode: 'copy', id: 'tiny' });
  const vocab = path.join(home, 'models', 'tiny', 'tokenizer', 'vocab.json');
  await writeFile(vocab, '{}');
  const report = await m.verify('tiny');
  assert.equal(report.ok, false);
  assert.deepEqual(report.problems, [{ path: 'tokenizer/vocab.json', problem: 'wrong size' }]);
  await assert.rejects(m.resolve('tiny'), { code: 'E_MODEL_CHECKSUM' });
});

test('folders without a manifest (staging, half-copied) are never listed', async (t) => {
  const { m, home } = await manager(t);
  await mkdir(path.join(home, 'models', 'half', 'unet'), { recursive: true });
  await writeFile(path.join(home, 'models', 'half', 'unet', 'model.onnx.incomplete'), 'xx');
  await mkdir(path.join(home, 'models', '.staging', 'other'), { recursive: true });
  await writeFile(path.join(home, 'models', 'bad-manifest'), 'not a dir');
  await mkdir(path.join(home, 'models', 'garbled'), { recursive: true });
  await writeFile(path.join(home, 'models', 'garbled', 'stipple-manifest.json'), '{"schemaVersion":1');
  assert.deepEqual(await m.list(), []);
  await assert.rejects(m.resolve('half'), { code: 'E_MODEL_NOT_FOUND' });
});

test('remove deletes a model; removing again is E_MODEL_NOT_FOUND', { skip: skipNoFixtures }, async (t) => {
  const { m } = await manager(t);
  await m.import(fixturePath('tiny-sd', 'sd15-tiny'), { mode: 'link', id: 'tiny' });
  await m.remove('tiny');
  assert.deepEqual(await m.list(), []);
  await assert.rejects(m.remove('tiny'), { code: 'E_MODEL_NOT_FOUND' });
  await assert.rejects(m.remove('../x'), { code: 'E_BAD_REQUEST' });
});

test('concurrent removes: exactly one removes the model, the rest are E_MODEL_NOT_FOUND, nothing is left', {
  skip: skipNoFixtures,
}, async (t) => {
  const { m, home } = await manager(t);
  // A leftover of a process that died mid-removal is swept by the store's first mutation.
  await mkdir(path.join(home, 'models', '.trash', 'stale-1234'), { recursive: true });
  await m.import(fixturePath('tiny-sd', 'sd15-tiny'), { mode: 'link', id: 'a' });
  const results = await Promise.allSettled([
    ...Array.from({ length: 8 }, () => m.remove('a')),
    ...Array.from({ length: 8 }, (_, i) => m.remove(`absent-${i}`)),
  ]);
  const ok = results.filter((r) => r.status === 'fulfilled').length;
  const codes = results.flatMap((r) =>
    r.status === 'rejected' ? [(r.reason as { code?: string }).code] : [],
  );
  assert.equal(ok, 1, 'one remove of "a" succeeded');
  assert.deepEqual(new Set(codes), new Set(['E_MODEL_NOT_FOUND']), JSON.stringify(codes));
  assert.deepEqual(await m.list(), []);
  assert.deepEqual(
    await readdir(path.join(home, 'models', '.trash')),
    [],
    'trash emptied, stale entry swept',
  );
});

test('pull refuses unknown ids and malformed repo names before any request', async (t) => {
  const { m } = await manager(t);
  await assert.rejects(m.pull('no-such-model'), { code: 'E_MODEL_NOT_FOUND', field: 'ref' });
  for (const bad of ['a/b/c', 'owner/', '/name', 'owner/na me', 'owner/name@', 'owner/name@../x', '../x/y']) {
    await assert.rejects(m.pull(bad), { code: 'E_BAD_REQUEST' }, bad);
  }
  const catalog = await m.catalog();
  assert.equal(catalog.filter((e) => e.isDefault).length, 1);
  assert.ok(catalog.every((e) => e.installed === false));
});

test('a copy import larger than the free space is refused; a link import needs none', {
  skip: skipNoFixtures,
}, async (t) => {
  const home = await mkdtemp(path.join(os.tmpdir(), 'stipple-store-'));
  t.after(() => rm(home, { recursive: true, force: true }));
  const m = new ModelManager({
    home,
    logger: pino({ level: 'silent' }),
    hub: { endpoint: 'http://127.0.0.1:9' },
    diskBudgetBytes: 1000,
  });
  await assert.rejects(m.import(fixturePath('tiny-sd', 'sd15-tiny'), { mode: 'copy' }), {
    code: 'E_DISK_FULL',
    field: 'disk',
  });
  assert.deepEqual(await m.list(), []);
  assert.equal((await m.import(fixturePath('tiny-sd', 'sd15-tiny'), { mode: 'link' })).id, 'sd15-tiny');
});
