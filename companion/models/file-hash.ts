// Hashes files on disk the two ways the hub names content: sha256 (LFS oid) and the git
// blob sha1 (`oid` of regular files: sha1 over "blob <size>\0" + content).
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';

export interface FileDigest {
  sizeBytes: number;
  sha256: string;
  gitSha1: string;
}

export async function hashFile(file: string, signal?: AbortSignal): Promise<FileDigest> {
  const { size } = await stat(file);
  const sha256 = createHash('sha256');
  const sha1 = createHash('sha1').update(`blob ${size}\0`);
  const stream = createReadStream(file, { highWaterMark: 1 << 20, signal });
  for await (const chunk of stream) {
    sha256.update(chunk as Buffer);
    sha1.update(chunk as Buffer);
  }
  return { sizeBytes: size, sha256: sha256.digest('hex'), gitSha1: sha1.digest('hex') };
}

/** True when `digest` matches whatever the hub told us (sha256 preferred, git oid otherwise). */
export function digestMatches(digest: FileDigest, expected: { sha256?: string; gitOid?: string }): boolean {
  if (expected.sha256) return digest.sha256 === expected.sha256;
  if (expected.gitOid && /^[0-9a-f]{40}$/.test(expected.gitOid)) return digest.gitSha1 === expected.gitOid;
  return true;
}
