// "Replace the original" asks first (a modal dialog) and writes nothing when declined; "Restore
// previous version…" lists versions newest first and restores the picked one. VS Code's window
// is faked; files live in the in-memory workspace.fs.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { HostContext } from '../../../plugins/vscode/src/host/host-context';
import {
  confirmAndReplace,
  restorePreviousVersion,
} from '../../../plugins/vscode/src/host/image-versions-command';
import { FakeUri, MemoryFileSystem } from './fake-vscode';

interface Shown {
  kind: string;
  message: string;
  options?: unknown;
  items?: unknown[];
}

function fakeCtx(fs: MemoryFileSystem, answers: { warning?: string; pick?: (items: unknown[]) => unknown }) {
  const shown: Shown[] = [];
  const ws = { uri: FakeUri.file('/ws'), name: 'ws', index: 0 };
  const vscode = {
    workspace: {
      fs,
      getWorkspaceFolder: (u: FakeUri) => (u.path.startsWith('/ws/') ? ws : undefined),
      asRelativePath: (u: FakeUri) => u.path.replace(/^\/ws\//, ''),
    },
    window: {
      showWarningMessage: async (message: string, options: unknown, ...items: string[]) => {
        shown.push({ kind: 'warning', message, options, items });
        return answers.warning;
      },
      showInformationMessage: async (message: string, ...items: string[]) => {
        shown.push({ kind: 'info', message, items });
        return undefined;
      },
      showErrorMessage: async (message: string) => {
        shown.push({ kind: 'error', message });
        return undefined;
      },
      showQuickPick: async (items: unknown[], options: unknown) => {
        shown.push({ kind: 'pick', message: String((options as { title?: string }).title), items });
        return answers.pick?.(items);
      },
    },
    commands: { executeCommand: async () => undefined },
  };
  const ctx = { vscode, log: () => undefined } as unknown as HostContext;
  return { ctx, shown };
}

const original = Uint8Array.from([1, 2, 3]);
const edited = Uint8Array.from([9, 9]);

describe('replace with confirmation, restore previous version', () => {
  it('declining the modal dialog leaves the image and the history untouched', async () => {
    const fs = new MemoryFileSystem();
    fs.files.set('/ws/img/a.png', original);
    const { ctx, shown } = fakeCtx(fs, { warning: undefined });
    assert.equal(await confirmAndReplace(ctx, FakeUri.file('/ws/img/a.png'), edited, 'inpaint'), false);
    assert.deepEqual(fs.files.get('/ws/img/a.png'), original);
    assert.equal(
      [...fs.files.keys()].some((k) => k.includes('.stipple')),
      false,
    );
    const dialog = shown.find((s) => s.kind === 'warning');
    assert.equal(dialog?.message, 'Replace a.png with the edited image?');
    const options = (dialog?.options ?? {}) as { modal?: boolean; detail?: string };
    assert.equal(options.modal, true, 'the confirmation is modal');
    assert.match(String(options.detail), /copied to \.stipple\/history/);
  });

  it('confirming replaces the image and keeps the original; restore brings it back', async () => {
    const fs = new MemoryFileSystem();
    fs.files.set('/ws/img/a.png', original);
    const image = FakeUri.file('/ws/img/a.png');
    const yes = fakeCtx(fs, { warning: 'Replace' });
    assert.equal(await confirmAndReplace(yes.ctx, image, edited, 'outpaint'), true);
    assert.deepEqual(fs.files.get('/ws/img/a.png'), edited);
    const info = yes.shown.find((s) => s.kind === 'info');
    assert.match(
      info?.message ?? '',
      /^Stipple: replaced img\/a\.png \(previous version kept in \.stipple\/history\/a-\d{8}-\d{6}\.png\)/,
    );
    assert.deepEqual(info?.items, ['Restore previous version']);

    const restore = fakeCtx(fs, { pick: (items) => items[0] });
    assert.equal(await restorePreviousVersion(restore.ctx, image), true);
    assert.deepEqual(fs.files.get('/ws/img/a.png'), original);
    const pick = restore.shown.find((s) => s.kind === 'pick');
    assert.equal(pick?.message, 'Stipple: restore a previous version of a.png');
    const first = (pick?.items?.[0] ?? {}) as { description?: string };
    assert.equal(first.description, 'before outpaint');
  });

  it('restore on an image without history says so and changes nothing', async () => {
    const fs = new MemoryFileSystem();
    fs.files.set('/ws/b.png', original);
    const { ctx, shown } = fakeCtx(fs, {});
    assert.equal(await restorePreviousVersion(ctx, FakeUri.file('/ws/b.png')), false);
    assert.match(shown[0]?.message ?? '', /\.stipple\/history holds no earlier version of b\.png/);
    assert.deepEqual(fs.files.get('/ws/b.png'), original);
  });
});
