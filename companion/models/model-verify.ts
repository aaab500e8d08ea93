// Compares files on disk with a manifest: presence and size (cheap, before every load) or
// full sha256 (on `stipple models verify`).
import { stat } from 'node:fs/promises';
import { hashFile } from './file-hash.js';
import { resolveInside } from './model-ref.js';
import type { ManifestFile } from './model-store.js';

export interface VerifyProblem {
  path: string;
  problem: 'missing' | 'wrong size' | 'corrupt (sha256 mismatch)';
}

export interface VerifyReport {
  id: string;
  ok: boolean;
  filesChecked: number;
  problems: VerifyProblem[];
}

export async function verifyFiles(
  id: string,
  dir: string,
  files: readonly ManifestFile[],
  depth: 'size' | 'full',
  signal?: AbortSignal,
): Promise<VerifyReport> {
  const problems: VerifyProblem[] = [];
  for (const f of files) {
    const full = resolveInside(dir, f.path);
    let size: number;
    try {
      size = (await stat(full)).size;
    } catch {
      problems.push({ path: f.path, problem: 'missing' });
      continue;
    }
    if (size !== f.sizeBytes) {
      problems.push({ path: f.path, problem: 'wrong size' });
      continue;
    }
    if (depth === 'full' && (await hashFile(full, signal)).sha256 !== f.sha256) {
      problems.push({ path: f.path, problem: 'corrupt (sha256 mismatch)' });
    }
  }
  return { id, ok: problems.length === 0, filesChecked: files.length, problems };
}
