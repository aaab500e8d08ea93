// Parses what a user types after `stipple models pull` and validates model ids and the
// relative paths a hub listing names. Everything that becomes a path on disk passes here
// first, so a hostile id or listing entry can never leave `<home>/models/`.
import path from 'node:path';
import { ModelError } from './model-errors.js';

/** Ids are single path segments: letters, digits, `.`, `_`, `-`; no separators, no `..`. */
const MODEL_ID_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
/** Hub repo ids as the hub accepts them: `owner/name`, each part 1..96 chars. */
const REPO_PART_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,95}$/;
/** Git revisions (branch, tag or sha); `/` allowed for `refs/pr/1`, `..` never. */
const REVISION_RE = /^[A-Za-z0-9._/-]{1,200}$/;

export interface RepoRef {
  repo: string;
  revision: string;
}

/** Throws E_BAD_REQUEST unless `id` is a safe single-segment model id. */
export function assertModelId(id: string, field = 'id'): string {
  if (/^[A-Za-z]:/.test(id) || id.startsWith('\\\\') || id.startsWith('//')) {
    throw new ModelError(
      'E_BAD_REQUEST',
      `\`${field}\` must be a model id, got a drive or UNC path "${id}"`,
      {
        field,
      },
    );
  }
  if (id.includes('/') || id.includes('\\') || id.includes('..')) {
    throw new ModelError(
      'E_BAD_REQUEST',
      `\`${field}\` must be a model id without path separators or "..", got "${id}"`,
      { field },
    );
  }
  if (!MODEL_ID_RE.test(id)) {
    throw new ModelError(
      'E_BAD_REQUEST',
      `\`${field}\` must match ${MODEL_ID_RE.source} (letters, digits, ".", "_", "-"), got "${id}"`,
      { field },
    );
  }
  return id;
}

export function looksLikeRepoRef(ref: string): boolean {
  return ref.includes('/');
}

/** Parses `owner/name[@revision]`; throws E_BAD_REQUEST naming the rule that failed. */
export function parseRepoRef(ref: string, field = 'ref'): RepoRef {
  const at = ref.indexOf('@');
  const repo = at === -1 ? ref : ref.slice(0, at);
  const revision = at === -1 ? 'main' : ref.slice(at + 1);
  const parts = repo.split('/');
  if (parts.length !== 2 || !parts.every((p) => REPO_PART_RE.test(p) && !p.includes('..'))) {
    throw new ModelError(
      'E_BAD_REQUEST',
      `\`${field}\` must look like "owner/name[@revision]", got "${ref}"`,
      {
        field,
      },
    );
  }
  if (!REVISION_RE.test(revision) || revision.split('/').some((s) => s === '' || s === '.' || s === '..')) {
    throw new ModelError(
      'E_BAD_REQUEST',
      `revision in \`${field}\` is not a valid git ref, got "${revision}"`,
      {
        field,
      },
    );
  }
  return { repo, revision };
}

/** The store id for a hub repo: `owner--name` (the huggingface_hub cache uses the same joiner). */
export function modelIdForRepo(repo: string): string {
  return assertModelId(repo.replace('/', '--'));
}

/**
 * True for a relative POSIX path that stays inside its root: no absolute or drive paths,
 * no backslashes, no empty, `.` or `..` segments, no NUL.
 */
export function isSafeRelativePath(p: string): boolean {
  if (p.length === 0 || p.length > 1024 || p.includes('\0') || p.includes('\\')) return false;
  if (p.startsWith('/') || /^[A-Za-z]:/.test(p)) return false;
  return p.split('/').every((seg) => seg !== '' && seg !== '.' && seg !== '..');
}

/** Joins `rel` under `root`, refusing anything that would resolve outside it. */
export function resolveInside(root: string, rel: string): string {
  if (!isSafeRelativePath(rel)) {
    throw new ModelError('E_HUB_BAD_LISTING', `path "${rel}" would leave the model folder; refused`, {
      field: 'path',
    });
  }
  const full = path.resolve(root, ...rel.split('/'));
  const back = path.relative(path.resolve(root), full);
  if (back === '' || back.startsWith('..') || path.isAbsolute(back)) {
    throw new ModelError('E_HUB_BAD_LISTING', `path "${rel}" would leave the model folder; refused`, {
      field: 'path',
    });
  }
  return full;
}
