// Replacing an image keeps its earlier version in .stipple/history (with an index naming the
// original), and restoring brings a version back while saving the replaced one too.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  historyCopyName,
  historyLocation,
  listVersions,
  parseHistoryIndex,
  replaceKeepingHistory,
  restoreVersion,
  versionUri,
} from '../../../plugins/vscode/src/host/image-history';
import { FakeUri, MemoryFileSystem } from './fake-vscode';

const v1 = Uint8Array.from([1, 1, 1]);
const v2 = Uint8Array.from([2, 2]);
const v3 = Uint8Array.from([3]);
const T1 = new Date('2026-11-25T18:30:12.345Z');
const T2 = new Date('2026-11-25T18:31:00.000Z');

describe('image history (.stipple/history)', () => {
  it('names copies <stem>-<UTC date>-<time>.<ext>', () => {
    assert.equal(historyCopyName('hero.png', T1), 'hero-20261125-183012.png');
    assert.equal(historyCopyName('no-ext', T1), 'no-ext-20261125-183012');
    assert.equal(historyCopyName('a.b.webp', T1), 'a.b-20261125-183012.webp');
  });

  it('keeps history in the workspace folder, else next to the image', () => {
    const ws = FakeUri.file('/ws');
    assert.deepEqual(
      (({ root, relative }) => ({ root: root.path, relative }))(
        historyLocation(FakeUri.file('/ws/img/a.png'), ws),
      ),
      { root: '/ws', relative: 'img/a.png' },
    );
    const outside = historyLocation(FakeUri.file('/tmp/x/a.png'), ws);
    assert.deepEqual(
      { root: outside.root.path, relative: outside.relative },
      { root: '/tmp/x', relative: 'a.png' },
    );
    // "/ws2" is not inside "/ws".
    assert.equal(historyLocation(FakeUri.file('/ws2/a.png'), ws).root.path, '/ws2');
  });

  it('replace copies the original into the history first, then overwrites the image', async () => {
    const fs = new MemoryFileSystem();
    const image = FakeUri.file('/ws/img/photo.png');
    fs.files.set(image.path, v1);
    const loc = historyLocation(image, FakeUri.file('/ws'));
    const entry = await replaceKeepingHistory(fs, image, loc, v2, 'outpaint', T1);
    assert.deepEqual(entry, {
      original: 'img/photo.png',
      copy: 'photo-20261125-183012.png',
      savedAt: T1.toISOString(),
      reason: 'outpaint',
    });
    assert.deepEqual(fs.files.get('/ws/.stipple/history/photo-20261125-183012.png'), v1);
    assert.deepEqual(fs.files.get(image.path), v2);
    const index = JSON.parse(new TextDecoder().decode(fs.files.get('/ws/.stipple/history/index.json')));
    assert.deepEqual(index, { version: 1, entries: [entry] });
  });

  it('lists versions newest first, per image, and restore saves the replaced version too', async () => {
    const fs = new MemoryFileSystem();
    const ws = FakeUri.file('/ws');
    const image = FakeUri.file('/ws/photo.png');
    const other = FakeUri.file('/ws/sub/photo.png');
    fs.files.set(image.path, v1);
    fs.files.set(other.path, v3);
    const loc = historyLocation(image, ws);
    await replaceKeepingHistory(fs, image, loc, v2, 'inpaint', T1);
    await replaceKeepingHistory(fs, other, historyLocation(other, ws), v1, 'variation', T1);
    // Same name and second as the two copies before (sub/photo.png's took -2): -3, nothing overwritten.
    await replaceKeepingHistory(fs, image, loc, v3, 'outpaint', T1);
    const versions = await listVersions(fs, loc);
    assert.deepEqual(
      versions.map((e) => [e.copy, e.reason]),
      [
        ['photo-20261125-183012-3.png', 'outpaint'],
        ['photo-20261125-183012.png', 'inpaint'],
      ],
    );
    assert.deepEqual(fs.files.get(versionUri(loc, versions[0]!).path), v2);
    assert.equal((await listVersions(fs, historyLocation(other, ws))).length, 1);

    // Bring back the very first version (v1); the current one (v3) is kept as well.
    const saved = await restoreVersion(fs, image, loc, versions[1]!, T2);
    assert.deepEqual(fs.files.get(image.path), v1);
    assert.equal(saved.reason, 'restore');
    assert.deepEqual(fs.files.get(versionUri(loc, saved).path), v3);
    assert.equal((await listVersions(fs, loc)).length, 3);
  });

  it('restores an image that was deleted since', async () => {
    const fs = new MemoryFileSystem();
    const image = FakeUri.file('/ws/a.png');
    fs.files.set(image.path, v1);
    const loc = historyLocation(image, FakeUri.file('/ws'));
    const e = await replaceKeepingHistory(fs, image, loc, v2, 'inpaint', T1);
    fs.files.delete(image.path);
    await restoreVersion(fs, image, loc, e, T2);
    assert.deepEqual(fs.files.get(image.path), v1);
  });

  it('an image with no history lists nothing; a damaged index is an error naming the file and field', async () => {
    const fs = new MemoryFileSystem();
    const loc = historyLocation(FakeUri.file('/ws/a.png'), FakeUri.file('/ws'));
    assert.deepEqual(await listVersions(fs, loc), []);
    assert.throws(
      () => parseHistoryIndex('{', '.stipple/history/index.json'),
      /index\.json is not valid JSON/,
    );
    assert.throws(
      () =>
        parseHistoryIndex('{"version":1,"entries":[{"original":"a.png"}]}', '.stipple/history/index.json'),
      /index\.json: `entries\.0\.copy`/,
    );
  });
});
