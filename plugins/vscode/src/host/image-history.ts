// Earlier versions of images that an edit replaced in place. Before an image is overwritten its
// current bytes are copied to `.stipple/history/<stem>-<UTC timestamp>.<ext>` in the image's
// workspace folder (next to the image when it is in none), and `.stipple/history/index.json`
// records which file each copy belongs to. Restoring a version first saves the current bytes
// the same way, so a restore can itself be undone. Works on any `vscode.FileSystem`.
import type * as vscode from 'vscode';
import { z } from 'zod';
import { basenameUriPath, dirnameUriPath, joinUriPath } from './relative-path';

export const HISTORY_DIR = '.stipple/history';
const INDEX = 'index.json';

export const HistoryEntry = z.object({
  /** The image's path relative to the history root's folder, with `/`. */
  original: z.string().min(1),
  /** File name of the copy inside the history folder. */
  copy: z.string().min(1),
  savedAt: z.string(),
  /** Why the copy was made: the edit that replaced the image, or `restore`. */
  reason: z.string(),
});
export type HistoryEntry = z.infer<typeof HistoryEntry>;
const HistoryIndex = z.object({ version: z.literal(1), entries: z.array(HistoryEntry) });
type HistoryIndex = z.infer<typeof HistoryIndex>;

type Fs = Pick<vscode.FileSystem, 'readFile' | 'writeFile' | 'createDirectory' | 'stat'>;

export interface HistoryLocation {
  /** The folder holding `.stipple/history` (workspace folder, else the image's folder). */
  root: vscode.Uri;
  /** The image's path relative to `root`. */
  relative: string;
}

/** `hero.png` at 2026-11-25T18:30:12.345Z → `hero-20261125-183012.png`. */
export function historyCopyName(fileName: string, at: Date): string {
  const dot = fileName.lastIndexOf('.');
  const stem = dot > 0 ? fileName.slice(0, dot) : fileName;
  const ext = dot > 0 ? fileName.slice(dot) : '';
  const iso = at.toISOString(); // 2026-11-25T18:30:12.345Z
  const stamp = `${iso.slice(0, 10).replaceAll('-', '')}-${iso.slice(11, 19).replaceAll(':', '')}`;
  return `${stem}-${stamp}${ext}`;
}

/** Where the history of `image` lives: its workspace folder, or its own folder. */
export function historyLocation(image: vscode.Uri, workspaceFolder: vscode.Uri | undefined): HistoryLocation {
  if (workspaceFolder && image.path.startsWith(`${workspaceFolder.path.replace(/\/$/, '')}/`)) {
    return {
      root: workspaceFolder,
      relative: image.path.slice(workspaceFolder.path.replace(/\/$/, '').length + 1),
    };
  }
  return { root: image.with({ path: dirnameUriPath(image.path) }), relative: basenameUriPath(image.path) };
}

function historyDir(loc: HistoryLocation): vscode.Uri {
  return loc.root.with({ path: joinUriPath(loc.root.path, HISTORY_DIR) });
}

function isNotFound(e: unknown): boolean {
  const code = (e as { code?: string } | undefined)?.code;
  return code === 'FileNotFound' || code === 'ENOENT' || /FileNotFound|ENOENT|no such file/i.test(String(e));
}

export function parseHistoryIndex(text: string, where: string): HistoryIndex {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new Error(`${where} is not valid JSON (${e instanceof Error ? e.message : String(e)})`);
  }
  const r = HistoryIndex.safeParse(raw);
  if (!r.success) {
    const issue = r.error.issues[0];
    throw new Error(`${where}: \`${issue?.path.join('.') || 'index'}\` ${issue?.message ?? 'is invalid'}`);
  }
  return r.data;
}

async function readIndex(fs: Fs, loc: HistoryLocation): Promise<HistoryIndex> {
  const uri = historyDir(loc).with({ path: joinUriPath(historyDir(loc).path, INDEX) });
  let bytes: Uint8Array;
  try {
    bytes = await fs.readFile(uri);
  } catch (e) {
    if (isNotFound(e)) return { version: 1, entries: [] };
    throw e;
  }
  return parseHistoryIndex(new TextDecoder().decode(bytes), `${HISTORY_DIR}/${INDEX}`);
}

async function writeIndex(fs: Fs, loc: HistoryLocation, index: HistoryIndex): Promise<void> {
  const dir = historyDir(loc);
  await fs.writeFile(
    dir.with({ path: joinUriPath(dir.path, INDEX) }),
    new TextEncoder().encode(`${JSON.stringify(index, null, 2)}\n`),
  );
}

async function exists(fs: Fs, uri: vscode.Uri): Promise<boolean> {
  try {
    await fs.stat(uri);
    return true;
  } catch (e) {
    if (isNotFound(e)) return false;
    throw e;
  }
}

/** Versions of the image at `loc`, newest first. */
export async function listVersions(fs: Fs, loc: HistoryLocation): Promise<HistoryEntry[]> {
  const index = await readIndex(fs, loc);
  return index.entries.filter((e) => e.original === loc.relative).reverse();
}

export function versionUri(loc: HistoryLocation, entry: HistoryEntry): vscode.Uri {
  const dir = historyDir(loc);
  return dir.with({ path: joinUriPath(dir.path, entry.copy) });
}

/** Copies the image's current bytes into the history; returns the entry written. */
export async function saveVersion(
  fs: Fs,
  image: vscode.Uri,
  loc: HistoryLocation,
  reason: string,
  now: Date,
): Promise<HistoryEntry> {
  const current = await fs.readFile(image);
  const dir = historyDir(loc);
  await fs.createDirectory(dir);
  const index = await readIndex(fs, loc);
  const name = historyCopyName(basenameUriPath(image.path), now);
  let copy = name;
  for (let n = 2; await exists(fs, dir.with({ path: joinUriPath(dir.path, copy) })); n++) {
    copy = name.replace(/(\.[^.]*)?$/, (ext) => `-${n}${ext}`);
  }
  await fs.writeFile(dir.with({ path: joinUriPath(dir.path, copy) }), current);
  const entry: HistoryEntry = { original: loc.relative, copy, savedAt: now.toISOString(), reason };
  index.entries.push(entry);
  await writeIndex(fs, loc, index);
  return entry;
}

/** Overwrites `image` with `bytes` after copying its current version into the history. */
export async function replaceKeepingHistory(
  fs: Fs,
  image: vscode.Uri,
  loc: HistoryLocation,
  bytes: Uint8Array,
  reason: string,
  now: Date,
): Promise<HistoryEntry> {
  const entry = await saveVersion(fs, image, loc, reason, now);
  await fs.writeFile(image, bytes);
  return entry;
}

/** Brings `entry` back as the image; the version it replaces goes into the history first. */
export async function restoreVersion(
  fs: Fs,
  image: vscode.Uri,
  loc: HistoryLocation,
  entry: HistoryEntry,
  now: Date,
): Promise<HistoryEntry> {
  const bytes = await fs.readFile(versionUri(loc, entry));
  if (!(await exists(fs, image))) {
    // The image was deleted since: nothing to keep, just bring the version back.
    await fs.writeFile(image, bytes);
    return entry;
  }
  return replaceKeepingHistory(fs, image, loc, bytes, 'restore', now);
}
