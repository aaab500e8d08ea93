// Pulls the tiny SD 1.5 fixture from a local server that speaks the hub's protocol, with the
// faults a real connection produces, and checks that only complete, verified models appear.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { pino } from 'pino';
import { ModelManager, type ModelManagerOptions } from '../../../companion/models/model-manager.js';
import type { PullProgress } from '../../../companion/models/pull-progress.js';
import { type FakeHub, type FakeHubOptions, startFakeHub } from '../../helpers/fake-hub.js';
import { fixturePath, skipNoFixtures } from '../../helpers/fixtures.js';

const REPO = 'stipple-test/sd15-tiny';
const ID = 'stipple-test--sd15-tiny';
const BIG = 'unet/weights.pb';

interface Setup {
  hub: FakeHub;
  home: string;
  manager: ModelManager;
}

async function setup(
  t: { after: (fn: () => Promise<void>) => void },
  hubOpts: Partial<FakeHubOptions> = {},
  managerOpts: Partial<ModelManagerOptions> = {},
): Promise<Setup> {
  const hub = await startFakeHub({ repo: REPO, dir: fixturePath('tiny-sd', 'sd15-tiny'), ...hubOpts });
  t.after(() => hub.close());
  const home = await mkdtemp(path.join(os.tmpdir(), 'stipple-models-'));
  t.after(() => rm(home, { recursive: true, force: true }));
  const manager = new ModelManager({
    home,
    logger: pino({ level: 'silent' }),
    hub: { endpoint: hub.endpoint, token: hubOpts.token },
    retry: { maxFailures: 4, baseDelayMs: 5, maxDelayMs: 20 },
    progressIntervalMs: 0,
    ...managerOpts,
  });
  return { hub, home, manager };
}

function assertIdenticalToFixture(hub: FakeHub, dir: string): void {
  for (const f of hub.files) {
    const got = readFileSync(path.join(dir, ...f.path.split('/')));
    assert.ok(got.equals(f.content), `${f.path} differs from the fixture`);
  }
}

async function assertNothingInstalled(s: Setup): Promise<void> {
  assert.deepEqual(await s.manager.list(), []);
  assert.equal(existsSync(path.join(s.home, 'models', ID)), false, 'no model folder may appear');
}

test('a pull installs a byte-identical copy with a manifest, via the storage redirect', {
  skip: skipNoFixtures,
}, async (t) => {
  const s = await setup(t, { token: 'hf_secret' });
  const events: PullProgress[] = [];
  const manifest = await s.manager.pull(REPO, { onProgress: (e) => events.push(e) });

  assert.equal(manifest.id, ID);
  assert.deepEqual(manifest.source, {
    kind: 'hub',
    endpoint: s.hub.endpoint,
    repo: REPO,
    revision: 'main',
    commit: s.hub.commit,
  });
  assert.equal(manifest.files.length, s.hub.files.length);
  for (const f of manifest.files) assert.equal(f.sha256, s.hub.file(f.path).sha256);
  assertIdenticalToFixture(s.hub, path.join(s.home, 'models', ID));
  assert.deepEqual(
    (await s.manager.list()).map((m) => m.id),
    [ID],
  );

  // LFS files came from the storage host, without the token; hub requests carried it.
  const storage = s.hub.requests.filter((r) => r.server === 'storage');
  assert.ok(storage.some((r) => r.file === BIG));
  assert.ok(
    storage.every((r) => r.authorization === undefined),
    'token must not reach the storage host',
  );
  assert.ok(
    s.hub.requests.filter((r) => r.server === 'hub').every((r) => r.authorization === 'Bearer hf_secret'),
  );

  assert.equal(events[0].phase, 'resolving');
  assert.equal(events.at(-1)?.phase, 'done');
  const last = events.at(-1);
  assert.equal(last?.bytesDone, last?.bytesTotal);
  assert.ok(events.some((e) => e.phase === 'downloading' && e.file !== undefined));

  // A second pull of an installed model does not touch the network.
  const before = s.hub.requests.length;
  await s.manager.pull(REPO);
  assert.equal(s.hub.requests.length, before);

  const resolved = await s.manager.resolve(ID);
  assert.equal(resolved.dir, path.join(s.home, 'models', ID));
  assert.equal((await s.manager.verify(ID)).ok, true);
});

test('a connection reset halfway through a file resumes with Range', { skip: skipNoFixtures }, async (t) => {
  const s = await setup(t);
  s.hub.inject(BIG, 'reset');
  await s.manager.pull(REPO);
  const reqs = s.hub.contentRequests(BIG);
  assert.equal(reqs.length, 2);
  assert.equal(reqs[0].range, undefined);
  assert.match(reqs[1].range ?? '', /^bytes=\d+-$/);
  assert.ok(s.hub.bytesServed(BIG) < s.hub.file(BIG).content.length * 1.01 + 65536);
  assertIdenticalToFixture(s.hub, path.join(s.home, 'models', ID));
});

test('a 500 is retried and then succeeds', { skip: skipNoFixtures }, async (t) => {
  const s = await setup(t);
  s.hub.inject('unet/model.onnx', 'status500');
  s.hub.inject('model_index.json', 'status500');
  await s.manager.pull(REPO);
  assert.equal(s.hub.contentRequests('unet/model.onnx').length, 2);
  assertIdenticalToFixture(s.hub, path.join(s.home, 'models', ID));
});

test('a truncated body is completed with a Range request', { skip: skipNoFixtures }, async (t) => {
  const s = await setup(t);
  s.hub.inject(BIG, 'truncate');
  s.hub.inject('tokenizer/vocab.json', 'truncate');
  await s.manager.pull(REPO);
  assert.match(s.hub.contentRequests(BIG)[1].range ?? '', /^bytes=\d+-$/);
  assert.match(s.hub.contentRequests('tokenizer/vocab.json')[1].range ?? '', /^bytes=\d+-$/);
  assertIdenticalToFixture(s.hub, path.join(s.home, 'models', ID));
});

test('a corrupted byte is caught by the hash and fetched again', { skip: skipNoFixtures }, async (t) => {
  const s = await setup(t);
  s.hub.inject(BIG, 'corrupt');
  s.hub.inject('tokenizer/merges.txt', 'corrupt');
  await s.manager.pull(REPO);
  assert.equal(s.hub.contentRequests(BIG).length, 2);
  assert.equal(s.hub.contentRequests(BIG)[1].range, undefined, 'a bad file is fetched from the start');
  assertIdenticalToFixture(s.hub, path.join(s.home, 'models', ID));
});

test('a file that is always corrupt is never installed', { skip: skipNoFixtures }, async (t) => {
  const s = await setup(t);
  s.hub.inject(BIG, 'corrupt', 'corrupt', 'corrupt', 'corrupt');
  await assert.rejects(s.manager.pull(REPO), { code: 'E_MODEL_CHECKSUM', field: 'path' });
  await assertNothingInstalled(s);
});

test('a file missing on the hub fails with E_HUB_NOT_FOUND naming the path', {
  skip: skipNoFixtures,
}, async (t) => {
  const s = await setup(t);
  s.hub.inject('vae_decoder/model.onnx', 'status404');
  await assert.rejects(s.manager.pull(REPO), (err: { code: string; field: string; message: string }) => {
    assert.equal(err.code, 'E_HUB_NOT_FOUND');
    assert.equal(err.field, 'path');
    assert.match(err.message, /vae_decoder\/model\.onnx/);
    return true;
  });
  await assertNothingInstalled(s);
});

test('an unknown revision or repo fails with E_HUB_NOT_FOUND', { skip: skipNoFixtures }, async (t) => {
  const s = await setup(t);
  await assert.rejects(s.manager.pull(`${REPO}@no-such-branch`), {
    code: 'E_HUB_NOT_FOUND',
    field: 'revision',
  });
  await assert.rejects(s.manager.pull('stipple-test/nope'), { code: 'E_HUB_NOT_FOUND', field: 'repo' });
  await assertNothingInstalled(s);
});

test('a gated repo without a token fails with a message about the license and HF_TOKEN', {
  skip: skipNoFixtures,
}, async (t) => {
  const s = await setup(t, { token: 'hf_secret' }, {});
  const anonymous = new ModelManager({
    home: s.home,
    logger: pino({ level: 'silent' }),
    hub: { endpoint: s.hub.endpoint },
    retry: { maxFailures: 2, baseDelayMs: 1, maxDelayMs: 1 },
  });
  await assert.rejects(anonymous.pull(REPO), (err: { code: string; message: string }) => {
    assert.equal(err.code, 'E_HUB_UNAUTHORIZED');
    assert.match(err.message, /HF_TOKEN/);
    assert.match(err.message, /license/);
    return true;
  });
  await assertNothingInstalled(s);
});

test('two pulls of the same model at once share one download', { skip: skipNoFixtures }, async (t) => {
  const s = await setup(t, { throttleBytesPerSec: 8 * 1024 * 1024 });
  const seenA: PullProgress[] = [];
  const seenB: PullProgress[] = [];
  const [a, b] = await Promise.all([
    s.manager.pull(REPO, { onProgress: (e) => seenA.push(e) }),
    s.manager.pull(REPO, { onProgress: (e) => seenB.push(e) }),
  ]);
  assert.deepEqual(a, b);
  for (const f of s.hub.files)
    assert.equal(s.hub.contentRequests(f.path).length, 1, `${f.path} fetched once`);
  assert.equal(s.hub.requests.filter((r) => r.url.includes('/tree/')).length, 1);
  assert.equal(seenA.at(-1)?.phase, 'done');
  assert.equal(seenB.at(-1)?.phase, 'done');
});

test('a disk too small for the model fails before downloading', { skip: skipNoFixtures }, async (t) => {
  const s = await setup(t, {}, { diskBudgetBytes: 1024 * 1024 });
  await assert.rejects(s.manager.pull(REPO), { code: 'E_DISK_FULL' });
  assert.equal(s.hub.bytesServed(), 0);
  await assertNothingInstalled(s);
});

test('a listing entry that escapes the model folder is refused', { skip: skipNoFixtures }, async (t) => {
  for (const evil of ['../evil.json', 'unet/../../evil.onnx', '/etc/evil.onnx']) {
    const s = await setup(t, {
      extraListing: [{ type: 'file', oid: 'a'.repeat(40), size: 10, path: evil }],
    });
    await assert.rejects(s.manager.pull(REPO), { code: 'E_HUB_BAD_LISTING', field: 'path' });
    assert.equal(s.hub.bytesServed(), 0);
    assert.equal(existsSync(path.join(s.home, 'evil.json')), false);
    await assertNothingInstalled(s);
  }
});

test('cancel stops a pull; the next pull resumes from the partial file', {
  skip: skipNoFixtures,
}, async (t) => {
  const size = 5665792;
  const s = await setup(t, { throttleBytesPerSec: 4 * 1024 * 1024 }, { concurrency: 1 });
  const controller = new AbortController();
  const pulling = s.manager.pull(REPO, {
    signal: controller.signal,
    onProgress: (e) => {
      if (e.file === BIG && e.bytesDone > size / 3) controller.abort();
    },
  });
  await assert.rejects(pulling, { code: 'E_CANCELLED' });
  await assertNothingInstalled(s);
  const staged = await readdir(path.join(s.home, 'models', '.staging', ID, 'unet'));
  assert.ok(staged.includes('weights.pb.incomplete'));
  const [partial] = await s.manager.partials();
  assert.equal(partial.id, ID);
  assert.equal(partial.commit, s.hub.commit);
  assert.ok(partial.bytesOnDisk > size / 3);

  s.hub.throttleBytesPerSec = 0;
  const before = s.hub.bytesServed(BIG);
  await s.manager.pull(REPO);
  const second = s.hub.bytesServed(BIG) - before;
  assert.ok(second < size, `resumed pull transferred ${second} bytes of ${size}`);
  assertIdenticalToFixture(s.hub, path.join(s.home, 'models', ID));
  assert.deepEqual(await s.manager.partials(), []);
});

test('cancel(id) aborts the shared download for every caller', { skip: skipNoFixtures }, async (t) => {
  const s = await setup(t, { throttleBytesPerSec: 1024 * 1024 });
  let cancelled = false;
  const a = s.manager.pull(REPO, {
    onProgress: (e) => {
      if (!cancelled && e.phase === 'downloading' && e.bytesDone > 0) {
        cancelled = true;
        assert.equal(s.manager.cancel(REPO), true, 'cancel accepts the ref the pull was started with');
      }
    },
  });
  const b = s.manager.pull(REPO);
  await assert.rejects(a, { code: 'E_CANCELLED' });
  await assert.rejects(b, { code: 'E_CANCELLED' });
  assert.deepEqual(s.manager.pulling(), []);
  await assertNothingInstalled(s);
});

test('a catalog entry fetches only its selected files, from the HF_ENDPOINT mirror', {
  skip: skipNoFixtures,
}, async (t) => {
  const s = await setup(t);
  const pinned = new ModelManager({
    home: s.home,
    logger: pino({ level: 'silent' }),
    hub: { endpoint: s.hub.endpoint },
    catalog: [
      {
        id: 'tiny',
        name: 'tiny test pipeline',
        kind: 'pipeline',
        family: 'sd15',
        repo: REPO,
        revision: s.hub.commit,
        revisionIsCommit: true,
        files: {
          include: [
            'model_index.json',
            'scheduler/*',
            'text_encoder/*',
            'tokenizer/*',
            'unet/*',
            'vae_decoder/*',
          ],
        },
        precision: 'fp32',
        license: 'mit',
        approxSizeBytes: 15e6,
      },
    ],
  });
  const manifest = await pinned.pull('tiny');
  assert.equal(manifest.catalogId, 'tiny');
  assert.equal(manifest.family, 'sd15');
  assert.equal(manifest.source.kind === 'hub' && manifest.source.commit, s.hub.commit);
  assert.equal(
    manifest.files.some((f) => f.path.startsWith('vae_encoder/')),
    false,
  );
  assert.equal(s.hub.contentRequests('vae_encoder/model.onnx').length, 0);
  assert.ok(
    s.hub.requests.some((r) => r.url.includes(`/resolve/${s.hub.commit}/`)),
    'files resolve at the commit',
  );
});

test('a repo that is not a diffusers ONNX pipeline is refused before downloading', {
  skip: skipNoFixtures,
}, async (t) => {
  const s = await setup(t, { dir: fixturePath('tiny-sd', 'sd15-tiny', 'unet') });
  await assert.rejects(s.manager.pull(REPO), (err: { code: string; field: string; message: string }) => {
    assert.equal(err.code, 'E_MODEL_LAYOUT');
    assert.equal(err.field, 'model_index.json');
    assert.match(err.message, /stipple-test\/sd15-tiny@main/);
    return true;
  });
  assert.equal(s.hub.bytesServed(), 0);
  await assertNothingInstalled(s);
});

test('a pull locked by another live process is E_MODEL_BUSY; a stale lock is taken over', {
  skip: skipNoFixtures,
}, async (t) => {
  const s = await setup(t);
  const lock = path.join(s.home, 'models', '.staging', `${ID}.lock`);
  await mkdir(path.dirname(lock), { recursive: true });
  // pid 1 is always alive and never ours.
  await writeFile(lock, '1');
  await assert.rejects(s.manager.pull(REPO), { code: 'E_MODEL_BUSY' });
  await assertNothingInstalled(s);
  // A pid that cannot exist: the lock is stale.
  await writeFile(lock, '2147483646');
  await s.manager.pull(REPO);
  assert.equal(existsSync(lock), false, 'the lock is released after the pull');
});

test('leftovers staged for another commit are discarded, not resumed', {
  skip: skipNoFixtures,
}, async (t) => {
  const s = await setup(t);
  const staged = path.join(s.home, 'models', '.staging', ID);
  await mkdir(path.join(staged, 'unet'), { recursive: true });
  await writeFile(
    path.join(staged, '.stipple-pull.json'),
    JSON.stringify({ repo: REPO, commit: 'f'.repeat(40) }),
  );
  await writeFile(path.join(staged, 'unet', 'weights.pb.incomplete'), Buffer.alloc(4096, 7));
  await s.manager.pull(REPO);
  assert.equal(s.hub.contentRequests(BIG)[0].range, undefined);
  assertIdenticalToFixture(s.hub, path.join(s.home, 'models', ID));
});
