// The user-facing half of image history: "Replace the original" after an edit (with a modal
// confirmation; the original goes to .stipple/history) and "Restore previous version…".
import type * as vscode from 'vscode';
import type { HostContext } from './host-context';
import {
  HISTORY_DIR,
  type HistoryEntry,
  historyLocation,
  listVersions,
  replaceKeepingHistory,
  restoreVersion,
} from './image-history';
import { basenameUriPath } from './relative-path';

export const RESTORE_COMMAND = 'stipple.restoreImage';

function locate(ctx: HostContext, image: vscode.Uri) {
  return historyLocation(image, ctx.vscode.workspace.getWorkspaceFolder(image)?.uri);
}

/**
 * Asks for confirmation, then copies the original into the history and overwrites it with `png`.
 * Resolves with true when replaced, false when the user declined.
 */
export async function confirmAndReplace(
  ctx: HostContext,
  image: vscode.Uri,
  png: Uint8Array,
  reason: string,
): Promise<boolean> {
  const v = ctx.vscode;
  const name = basenameUriPath(image.path);
  const choice = await v.window.showWarningMessage(
    `Replace ${name} with the edited image?`,
    {
      modal: true,
      detail: `The current ${name} is copied to ${HISTORY_DIR} first; "Stipple: Restore previous version…" brings it back.`,
    },
    'Replace',
  );
  if (choice !== 'Replace') return false;
  const entry = await replaceKeepingHistory(
    v.workspace.fs,
    image,
    locate(ctx, image),
    png,
    reason,
    new Date(),
  );
  ctx.log(`replaced ${image.toString()}; previous version kept as ${HISTORY_DIR}/${entry.copy}`);
  void v.window
    .showInformationMessage(
      `Stipple: replaced ${v.workspace.asRelativePath(image)} (previous version kept in ${HISTORY_DIR}/${entry.copy}).`,
      'Restore previous version',
    )
    .then((c) => (c ? v.commands.executeCommand(RESTORE_COMMAND, image) : undefined));
  return true;
}

function describe(e: HistoryEntry): string {
  return e.reason === 'restore' ? 'before a restore' : `before ${e.reason}`;
}

/** "Stipple: Restore previous version…": lists the image's saved versions, newest first. */
export async function restorePreviousVersion(
  ctx: HostContext,
  image: vscode.Uri | undefined,
): Promise<boolean> {
  const v = ctx.vscode;
  if (!image) {
    void v.window.showErrorMessage('Stipple: select the image whose previous version to restore.');
    return false;
  }
  const name = basenameUriPath(image.path);
  const loc = locate(ctx, image);
  const versions = await listVersions(v.workspace.fs, loc);
  if (versions.length === 0) {
    void v.window.showInformationMessage(
      `Stipple: ${HISTORY_DIR} holds no earlier version of ${name} (only images replaced by an edit have one).`,
    );
    return false;
  }
  const picked = await v.window.showQuickPick(
    versions.map((e) => ({
      label: e.savedAt.replace('T', ' ').replace(/\.\d+Z$/, ' UTC'),
      description: describe(e),
      detail: `${HISTORY_DIR}/${e.copy}`,
      entry: e,
    })),
    { title: `Stipple: restore a previous version of ${name}` },
  );
  if (!picked) return false;
  await restoreVersion(v.workspace.fs, image, loc, picked.entry, new Date());
  ctx.log(`restored ${image.toString()} from ${HISTORY_DIR}/${picked.entry.copy}`);
  void v.window.showInformationMessage(
    `Stipple: restored ${v.workspace.asRelativePath(image)} from ${picked.label} (the replaced version is in the history too).`,
  );
  return true;
}
