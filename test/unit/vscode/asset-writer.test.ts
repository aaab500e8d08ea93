import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { writeAsset } from '../../../plugins/vscode/src/host/asset-writer';
import { FakeUri, MemoryFileSystem } from './fake-vscode';

const png = Uint8Array.from([1, 2, 3]);

describe('writing generated assets with workspace.fs', () => {
  it('creates the output folder and writes <name>.png', async () => {
    const fs = new MemoryFileSystem();
    const r = await writeAsset(fs, FakeUri.file('/ws/assets/generated'), 'red-fox-42', png);
    assert.equal(r.ok && r.uri.path, '/ws/assets/generated/red-fox-42.png');
    assert.ok(fs.dirs.has('/ws/assets/generated'));
    assert.deepEqual(fs.files.get('/ws/assets/generated/red-fox-42.png'), png);
  });
  it('never overwrites an existing file: adds -2, -3', async () => {
    const fs = new MemoryFileSystem();
    const folder = FakeUri.file('/ws/out');
    fs.files.set('/ws/out/fox-1.png', Uint8Array.from([9]));
    const a = await writeAsset(fs, folder, 'fox-1', png);
    const b = await writeAsset(fs, folder, 'fox-1', png);
    assert.equal(a.ok && a.uri.path, '/ws/out/fox-1-2.png');
    assert.equal(b.ok && b.uri.path, '/ws/out/fox-1-3.png');
    assert.deepEqual(fs.files.get('/ws/out/fox-1.png'), Uint8Array.from([9]));
  });
  it('a read-only folder is reported as not writable, with nothing written', async () => {
    const fs = new MemoryFileSystem();
    fs.dirs.add('/ro');
    fs.readOnly.add('/ro');
    const r = await writeAsset(fs, FakeUri.file('/ro'), 'x', png);
    assert.equal(r.ok, false);
    if (!r.ok) {
      assert.equal(r.reason, 'not_writable');
      assert.match(r.message, /EACCES/);
    }
    assert.equal(fs.files.size, 0);
  });
  it('keeps the URI scheme of the workspace (remote and virtual workspaces)', async () => {
    const fs = new MemoryFileSystem();
    const r = await writeAsset(
      fs,
      new FakeUri('vscode-remote', 'ssh-remote+box', '/home/u/site/img'),
      'a',
      png,
    );
    assert.equal(r.ok && r.uri.toString(), 'vscode-remote://ssh-remote+box/home/u/site/img/a.png');
  });
});
