// Writes a generated image into the workspace with `workspace.fs`: creates the folder, picks a
// name no file has, and reports a read-only or missing folder as a typed error instead of
// throwing whatever the file system threw.
import type * as vscode from 'vscode';
import { firstFreeName } from './asset-naming';
import { joinUriPath } from './relative-path';

export type WriteAssetResult =
  | { ok: true; uri: vscode.Uri }
  | { ok: false; reason: 'not_writable' | 'failed'; message: string };

export type AssetFileSystem = Pick<vscode.FileSystem, 'stat' | 'writeFile' | 'createDirectory'>;

export async function uriExists(fs: AssetFileSystem, uri: vscode.Uri): Promise<boolean> {
  try {
    await fs.stat(uri);
    return true;
  } catch {
    // stat throws FileSystemError.FileNotFound for a free name: that is the answer, not a failure.
    return false;
  }
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

export async function writeAsset(
  fs: AssetFileSystem,
  folder: vscode.Uri,
  baseName: string,
  bytes: Uint8Array,
  ext = 'png',
): Promise<WriteAssetResult> {
  try {
    await fs.createDirectory(folder);
  } catch (e) {
    return { ok: false, reason: 'not_writable', message: `cannot create ${folder.path}: ${errorText(e)}` };
  }
  const name = await firstFreeName(baseName, ext, (n) =>
    uriExists(fs, folder.with({ path: joinUriPath(folder.path, n) })),
  );
  const uri = folder.with({ path: joinUriPath(folder.path, name) });
  try {
    await fs.writeFile(uri, bytes);
    return { ok: true, uri };
  } catch (e) {
    const message = errorText(e);
    const readOnly = /EACCES|EROFS|EPERM|NoPermissions|read-?only/i.test(
      `${message} ${(e as { code?: string }).code ?? ''}`,
    );
    return {
      ok: false,
      reason: readOnly ? 'not_writable' : 'failed',
      message: `cannot write ${uri.path}: ${message}`,
    };
  }
}
