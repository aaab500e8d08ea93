// A local stand-in for the Hugging Face hub, for download tests: repo info, the recursive
// tree listing (git oids, LFS sha256s computed from the served folder), resolve URLs that
// serve small files directly and redirect LFS files to a second server playing the storage
// host, Range requests, ETag / X-Linked-Etag, a gated mode (401 without the right bearer
// token), throttling, and per-file fault injection. Both servers bind 127.0.0.1 on free
// ports; `close()` must be called (tests use `t.after`).
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';

export type FaultKind = 'reset' | 'status500' | 'truncate' | 'corrupt' | 'status404';

export interface FakeHubOptions {
  repo: string;
  dir: string;
  /** Branch name the repo answers to besides its commit sha (default `main`). */
  branch?: string;
  commit?: string;
  /** When set, the repo is gated: hub requests need `Authorization: Bearer <token>`. */
  token?: string;
  /** Storage-host bytes per second per response (0 = unthrottled). */
  throttleBytesPerSec?: number;
  /** Extra raw entries appended to the tree listing (e.g. a `../` path). */
  extraListing?: Array<Record<string, unknown>>;
}

export interface RequestRecord {
  server: 'hub' | 'storage';
  url: string;
  file?: string;
  range?: string;
  status: number;
  authorization?: string;
  bytesSent: number;
}

interface RepoFile {
  path: string;
  content: Buffer;
  sha256: string;
  gitOid: string;
  lfs: boolean;
}

const LFS_EXTENSIONS = ['.onnx', '.pb', '.onnx_data', '.data', '.bin', '.safetensors'];

function walk(root: string, rel = ''): string[] {
  const out: string[] = [];
  for (const name of readdirSync(path.join(root, rel)).sort()) {
    const child = rel ? `${rel}/${name}` : name;
    if (statSync(path.join(root, child)).isDirectory()) out.push(...walk(root, child));
    else out.push(child);
  }
  return out;
}

function loadRepo(dir: string): RepoFile[] {
  return walk(dir).map((p) => {
    const content = readFileSync(path.join(dir, p));
    return {
      path: p,
      content,
      sha256: createHash('sha256').update(content).digest('hex'),
      gitOid: createHash('sha1').update(`blob ${content.length}\0`).update(content).digest('hex'),
      lfs: LFS_EXTENSIONS.some((ext) => p.endsWith(ext)),
    };
  });
}

async function listen(server: http.Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

export class FakeHub {
  readonly files: RepoFile[];
  readonly commit: string;
  readonly requests: RequestRecord[] = [];
  endpoint = '';
  storageUrl = '';
  throttleBytesPerSec: number;
  private readonly faults = new Map<string, FaultKind[]>();
  private readonly hub = http.createServer((req, res) => this.onHub(req, res));
  private readonly storage = http.createServer((req, res) => this.onStorage(req, res));

  constructor(private readonly opts: FakeHubOptions) {
    this.files = loadRepo(opts.dir);
    this.commit = opts.commit ?? createHash('sha1').update(opts.repo).digest('hex');
    this.throttleBytesPerSec = opts.throttleBytesPerSec ?? 0;
  }

  async start(): Promise<this> {
    this.endpoint = await listen(this.hub);
    this.storageUrl = await listen(this.storage);
    return this;
  }

  async close(): Promise<void> {
    for (const s of [this.hub, this.storage]) {
      s.closeAllConnections();
      await new Promise<void>((resolve) => s.close(() => resolve()));
    }
  }

  /** Queues faults for a file: each request for it consumes the next one. */
  inject(file: string, ...kinds: FaultKind[]): void {
    this.faults.set(file, [...(this.faults.get(file) ?? []), ...kinds]);
  }

  file(p: string): RepoFile {
    const f = this.files.find((x) => x.path === p);
    if (!f) throw new Error(`fake hub has no file ${p}`);
    return f;
  }

  /** Content requests (both servers) that served bytes of `file`. */
  contentRequests(file: string): RequestRecord[] {
    return this.requests.filter((r) => r.file === file && (r.server === 'storage' || !this.file(file).lfs));
  }

  bytesServed(file?: string): number {
    return this.requests
      .filter((r) => file === undefined || r.file === file)
      .reduce((s, r) => s + r.bytesSent, 0);
  }

  private record(r: RequestRecord): RequestRecord {
    this.requests.push(r);
    return r;
  }

  private knownRevision(rev: string): boolean {
    return rev === (this.opts.branch ?? 'main') || rev === this.commit;
  }

  private json(
    res: http.ServerResponse,
    status: number,
    body: unknown,
    headers: Record<string, string> = {},
  ) {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify(body));
  }

  private onHub(req: http.IncomingMessage, res: http.ServerResponse): void {
    const url = new URL(req.url ?? '/', this.endpoint);
    const rec = this.record({
      server: 'hub',
      url: url.pathname,
      status: 0,
      bytesSent: 0,
      authorization: req.headers.authorization,
      range: req.headers.range,
    });
    const repo = this.opts.repo;
    const api = url.pathname.match(/^\/api\/models\/([^/]+\/[^/]+)\/(revision|tree)\/([^/]+)$/);
    const resolve = url.pathname.match(/^\/([^/]+\/[^/]+)\/resolve\/([^/]+)\/(.+)$/);
    const repoOf = api?.[1] ?? resolve?.[1];
    const fail = (status: number, code: string) => {
      rec.status = status;
      this.json(res, status, { error: code }, { 'x-error-code': code });
    };
    if (!repoOf) {
      fail(404, 'NotFound');
      return;
    }
    if (repoOf !== repo) {
      fail(404, 'RepoNotFound');
      return;
    }
    if (this.opts.token && req.headers.authorization !== `Bearer ${this.opts.token}`) {
      fail(401, 'GatedRepo');
      return;
    }
    const rev = decodeURIComponent(api?.[3] ?? resolve?.[2] ?? '');
    if (!this.knownRevision(rev)) {
      fail(404, 'RevisionNotFound');
      return;
    }
    if (api?.[2] === 'revision') {
      rec.status = 200;
      this.json(res, 200, {
        id: repo,
        sha: this.commit,
        siblings: this.files.map((f) => ({ rfilename: f.path })),
      });
      return;
    }
    if (api?.[2] === 'tree') {
      rec.status = 200;
      this.json(res, 200, [...this.treeListing(), ...(this.opts.extraListing ?? [])]);
      return;
    }
    const filePath = decodeURIComponent(resolve?.[3] ?? '');
    rec.file = filePath;
    const file = this.files.find((f) => f.path === filePath);
    if (!file || this.takeFault(filePath, 'status404')) {
      fail(404, 'EntryNotFound');
      return;
    }
    const common = { 'x-repo-commit': this.commit };
    if (file.lfs) {
      rec.status = 302;
      res.writeHead(302, {
        ...common,
        location: `${this.storageUrl}/lfs/${file.sha256}?name=${encodeURIComponent(file.path)}`,
        'x-linked-etag': `"${file.sha256}"`,
        'x-linked-size': String(file.content.length),
        etag: `"${file.gitOid}"`,
      });
      res.end();
      return;
    }
    void this.serve(req, res, file, rec, { ...common, etag: `"${file.gitOid}"` });
  }

  private onStorage(req: http.IncomingMessage, res: http.ServerResponse): void {
    const url = new URL(req.url ?? '/', this.storageUrl);
    const m = url.pathname.match(/^\/lfs\/([0-9a-f]{64})$/);
    const file = m ? this.files.find((f) => f.sha256 === m[1]) : undefined;
    const rec = this.record({
      server: 'storage',
      url: url.pathname,
      file: file?.path,
      status: 0,
      bytesSent: 0,
      authorization: req.headers.authorization,
      range: req.headers.range,
    });
    if (!file) {
      rec.status = 404;
      res.writeHead(404).end();
      return;
    }
    void this.serve(req, res, file, rec, { etag: `"${file.sha256}"` });
  }

  private takeFault(file: string, kind?: FaultKind): FaultKind | undefined {
    const queue = this.faults.get(file);
    if (!queue || queue.length === 0) return undefined;
    if (kind && queue[0] !== kind) return undefined;
    return queue.shift();
  }

  private treeListing(): Array<Record<string, unknown>> {
    const dirs = new Set<string>();
    for (const f of this.files) {
      const parts = f.path.split('/');
      for (let i = 1; i < parts.length; i++) dirs.add(parts.slice(0, i).join('/'));
    }
    const entries: Array<Record<string, unknown>> = [...dirs].map((d) => ({
      type: 'directory',
      oid: createHash('sha1').update(d).digest('hex'),
      size: 0,
      path: d,
    }));
    for (const f of this.files) {
      const entry: Record<string, unknown> = {
        type: 'file',
        oid: f.gitOid,
        size: f.content.length,
        path: f.path,
      };
      if (f.lfs) entry.lfs = { oid: f.sha256, size: f.content.length, pointerSize: 134 };
      entries.push(entry);
    }
    return entries;
  }

  private async serve(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    file: RepoFile,
    rec: RequestRecord,
    headers: Record<string, string>,
  ): Promise<void> {
    const fault = this.takeFault(file.path);
    if (fault === 'status500') {
      rec.status = 500;
      res.writeHead(500).end('internal error');
      return;
    }
    const size = file.content.length;
    const range = req.headers.range?.match(/^bytes=(\d+)-$/);
    const start = range ? Number(range[1]) : 0;
    if (start >= size && size > 0) {
      rec.status = 416;
      res.writeHead(416, { 'content-range': `bytes */${size}` }).end();
      return;
    }
    let body = file.content.subarray(start);
    if (fault === 'corrupt') {
      body = Buffer.from(body);
      const i = Math.floor(body.length / 2);
      body[i] ^= 0xff;
    }
    const out: Record<string, string> = {
      ...headers,
      'accept-ranges': 'bytes',
      'content-type': 'application/octet-stream',
    };
    if (fault !== 'truncate') out['content-length'] = String(body.length);
    if (range) out['content-range'] = `bytes ${start}-${size - 1}/${size}`;
    rec.status = range ? 206 : 200;
    res.writeHead(rec.status, out);
    const limit = fault === 'reset' || fault === 'truncate' ? Math.floor(body.length / 2) : body.length;
    const chunk =
      this.throttleBytesPerSec > 0 ? Math.max(1024, Math.floor(this.throttleBytesPerSec / 20)) : 64 * 1024;
    for (let off = 0; off < limit && !res.destroyed; off += chunk) {
      const piece = body.subarray(off, Math.min(limit, off + chunk));
      const ok = res.write(piece);
      rec.bytesSent += piece.length;
      if (!ok) {
        await new Promise<void>((resolve) => {
          const done = () => {
            res.off('drain', done).off('close', done);
            resolve();
          };
          res.on('drain', done).on('close', done);
        });
      }
      if (this.throttleBytesPerSec > 0) {
        await new Promise((r) => setTimeout(r, (piece.length / this.throttleBytesPerSec) * 1000));
      }
    }
    if (fault === 'reset') {
      res.socket?.destroy();
      return;
    }
    res.end();
  }
}

export async function startFakeHub(opts: FakeHubOptions): Promise<FakeHub> {
  return new FakeHub(opts).start();
}
