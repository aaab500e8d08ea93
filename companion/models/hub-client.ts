// Speaks the Hugging Face hub's HTTP protocol the way huggingface_hub does: repo info for
// the commit sha, the recursive tree listing for sizes and hashes, and
// `<endpoint>/<repo>/resolve/<revision>/<path>` for bytes, following redirects to the
// storage host by hand so the bearer token never leaves the hub's host.
import { z } from 'zod';
import { ModelError } from './model-errors.js';
import { isSafeRelativePath } from './model-ref.js';
import { TransientError } from './retry-policy.js';

export const DEFAULT_HF_ENDPOINT = 'https://huggingface.co';
const MAX_REDIRECTS = 5;

export interface HubConfig {
  endpoint: string;
  token?: string;
  userAgent?: string;
}

/** Reads HF_ENDPOINT / HF_TOKEN (and the older HUGGING_FACE_HUB_TOKEN) from an env map. */
export function hubConfigFromEnv(env: Record<string, string | undefined>): HubConfig {
  const endpoint = (env.HF_ENDPOINT?.trim() || DEFAULT_HF_ENDPOINT).replace(/\/+$/, '');
  const token = env.HF_TOKEN?.trim() || env.HUGGING_FACE_HUB_TOKEN?.trim() || undefined;
  return token === undefined ? { endpoint } : { endpoint, token };
}

export interface HubFile {
  path: string;
  sizeBytes: number;
  /** Git blob sha1 (the hub's `oid`), verifiable for any file. */
  gitOid: string;
  /** sha256 of the content for LFS files (`lfs.oid`). */
  sha256?: string;
}

const treeEntrySchema = z.object({
  type: z.string(),
  path: z.string(),
  oid: z.string().optional(),
  size: z.number().int().nonnegative().optional(),
  lfs: z
    .object({ oid: z.string().regex(/^[0-9a-f]{64}$/), size: z.number().int().nonnegative() })
    .passthrough()
    .optional(),
});
const treeSchema = z.array(treeEntrySchema);
const repoInfoSchema = z.object({ sha: z.string().regex(/^[0-9a-f]{40}$/) }).passthrough();

function encodePath(p: string): string {
  return p.split('/').map(encodeURIComponent).join('/');
}

export function resolveUrl(cfg: HubConfig, repo: string, revision: string, filePath: string): string {
  return `${cfg.endpoint}/${repo}/resolve/${encodeURIComponent(revision)}/${encodePath(filePath)}`;
}

export interface HubRequestContext {
  repo: string;
  revision: string;
  filePath?: string;
}

/** Maps a non-OK hub response to a ModelError (final) or a TransientError (retry). */
export function hubHttpError(
  res: Response,
  cfg: HubConfig,
  ctx: HubRequestContext,
): ModelError | TransientError {
  const status = res.status;
  const hfCode = res.headers.get('x-error-code') ?? '';
  const where = ctx.filePath
    ? `"${ctx.filePath}" in ${ctx.repo}@${ctx.revision}`
    : `${ctx.repo}@${ctx.revision}`;
  if (status === 401 || status === 403) {
    const why = cfg.token ? 'the token in HF_TOKEN has no access to it' : 'no HF_TOKEN is set';
    return new ModelError(
      'E_HUB_UNAUTHORIZED',
      `the hub refused ${where} (HTTP ${status}): the repo is gated or private and ${why}. ` +
        `Accept its license at ${cfg.endpoint}/${ctx.repo} and set HF_TOKEN to a read token.`,
      { field: 'repo' },
    );
  }
  if (status === 404) {
    if (hfCode === 'RepoNotFound') {
      return new ModelError('E_HUB_NOT_FOUND', `repo "${ctx.repo}" not found on ${cfg.endpoint}`, {
        field: 'repo',
      });
    }
    if (hfCode === 'EntryNotFound' || (ctx.filePath && hfCode !== 'RevisionNotFound')) {
      return new ModelError('E_HUB_NOT_FOUND', `file ${where} not found (HTTP 404)`, { field: 'path' });
    }
    return new ModelError(
      'E_HUB_NOT_FOUND',
      `revision "${ctx.revision}" of "${ctx.repo}" not found on ${cfg.endpoint} (check the repo name and revision)`,
      { field: 'revision' },
    );
  }
  if (status >= 500 || status === 429 || status === 408) {
    return new TransientError(`HTTP ${status} for ${where}`);
  }
  return new ModelError('E_HUB_NETWORK', `unexpected HTTP ${status} for ${where}`);
}

export interface HubResponse {
  res: Response;
  /** Headers of the hub's own (first) response, where X-Linked-Etag / X-Repo-Commit live. */
  hubHeaders: Headers;
}

/**
 * GET with redirects followed by hand. Authorization goes only to the endpoint's host; a
 * redirect to another host (the storage CDN) drops it, as huggingface_hub does.
 */
export async function hubGet(
  cfg: HubConfig,
  url: string,
  init: { headers?: Record<string, string>; signal?: AbortSignal },
): Promise<HubResponse> {
  const hubHost = new URL(cfg.endpoint).host;
  let current = new URL(url);
  let hubHeaders: Headers | undefined;
  for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
    const headers: Record<string, string> = { ...init.headers, 'user-agent': cfg.userAgent ?? 'stipple' };
    if (cfg.token && current.host === hubHost) headers.authorization = `Bearer ${cfg.token}`;
    const res = await fetch(current, { headers, redirect: 'manual', signal: init.signal });
    hubHeaders ??= res.headers;
    const location = res.headers.get('location');
    if (res.status >= 300 && res.status < 400 && location) {
      await res.body?.cancel();
      current = new URL(location, current);
      continue;
    }
    return { res, hubHeaders };
  }
  throw new TransientError(`too many redirects for ${url}`);
}

/** The commit sha a revision points at (`/api/models/<repo>/revision/<revision>`). */
export async function fetchRepoCommit(
  cfg: HubConfig,
  repo: string,
  revision: string,
  signal?: AbortSignal,
): Promise<string> {
  const url = `${cfg.endpoint}/api/models/${repo}/revision/${encodeURIComponent(revision)}`;
  const { res } = await hubGet(cfg, url, { signal });
  if (!res.ok) {
    await res.body?.cancel();
    throw hubHttpError(res, cfg, { repo, revision });
  }
  const parsed = repoInfoSchema.safeParse(await res.json());
  if (!parsed.success) {
    throw new ModelError('E_HUB_BAD_LISTING', `repo info for ${repo}@${revision} has no commit sha`);
  }
  return parsed.data.sha;
}

function nextLink(res: Response): string | undefined {
  const link = res.headers.get('link');
  const m = link?.match(/<([^>]+)>\s*;\s*rel="?next"?/);
  return m?.[1];
}

/** All files of a repo at a revision, with sizes and hashes; refuses paths that escape the folder. */
export async function listRepoFiles(
  cfg: HubConfig,
  repo: string,
  revision: string,
  signal?: AbortSignal,
): Promise<HubFile[]> {
  const files: HubFile[] = [];
  let url: string | undefined =
    `${cfg.endpoint}/api/models/${repo}/tree/${encodeURIComponent(revision)}?recursive=true&expand=false`;
  while (url) {
    const { res } = await hubGet(cfg, url, { signal });
    if (!res.ok) {
      await res.body?.cancel();
      throw hubHttpError(res, cfg, { repo, revision });
    }
    const parsed = treeSchema.safeParse(await res.json());
    if (!parsed.success) {
      throw new ModelError('E_HUB_BAD_LISTING', `tree listing of ${repo}@${revision} is malformed`);
    }
    for (const entry of parsed.data) {
      if (!isSafeRelativePath(entry.path)) {
        throw new ModelError(
          'E_HUB_BAD_LISTING',
          `the listing of ${repo}@${revision} names "${entry.path}", which would leave the model folder; refused`,
          { field: 'path' },
        );
      }
      if (entry.type !== 'file') continue;
      const sizeBytes = entry.lfs?.size ?? entry.size ?? 0;
      const file: HubFile = { path: entry.path, sizeBytes, gitOid: entry.oid ?? '' };
      if (entry.lfs) file.sha256 = entry.lfs.oid;
      files.push(file);
    }
    const next = nextLink(res);
    url = next ? new URL(next, cfg.endpoint).toString() : undefined;
  }
  return files;
}

/** The sha256 the hub advertises for an LFS file (X-Linked-Etag, else a 64-hex ETag). */
export function linkedSha256(headers: Headers): string | undefined {
  for (const name of ['x-linked-etag', 'etag']) {
    const v = headers.get(name)?.replace(/^W\//, '').replace(/"/g, '');
    if (v && /^[0-9a-f]{64}$/.test(v)) return v;
  }
  return undefined;
}
