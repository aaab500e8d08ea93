// A client for the daemon's WebSocket protocol, shared by the Figma UI, the VS Code extension
// host, the CLI and the tests. Pure: the socket is injected (browser WebSocket or the `ws`
// package, which has the same API), so it runs in every runtime. It authenticates, reconnects
// with backoff, correlates requests with replies and routes job events to job handles.
import { decodeBinaryFrame, encodeBinaryFrame } from './binary-frame';
import type { ClientMessageInput } from './client-messages';
import type { GenerateRequestInput } from './generate-request';
import { type ServerMessage, ServerMessage as ServerMessageSchema } from './server-messages';
import { CloseCode, PROTOCOL_VERSION } from './version';

export interface SocketLike {
  binaryType: string;
  readonly readyState: number;
  send(data: string | Uint8Array): void;
  close(code?: number, reason?: string): void;
  onopen: ((ev: unknown) => void) | null;
  onclose: ((ev: { code: number; reason: string }) => void) | null;
  onerror: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
}

export type ConnectionState =
  | 'idle'
  | 'connecting'
  | 'connected'
  | 'unauthorized'
  | 'version_mismatch'
  | 'daemon_unreachable'
  | 'closed';

export interface ClientOptions {
  url: string;
  token?: string;
  client: { name: string; version?: string };
  createSocket(url: string): SocketLike;
  /** Reconnect backoff bounds; set `maxMs` to 0 to disable reconnecting. */
  reconnect?: { minMs: number; maxMs: number };
  /** Application-level heartbeat: a `queue` request every interval; no answer → reconnect. */
  heartbeatMs?: number;
  requestTimeoutMs?: number;
}

export class ClientError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly field?: string,
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = 'ClientError';
  }
}

export interface JobImage {
  index: number;
  seed: number;
  width: number;
  height: number;
  png: Uint8Array;
}

export interface JobEvents {
  onQueued?(jobId: string, position: number): void;
  onStarted?(jobId: string): void;
  onProgress?(p: { image: number; step: number; steps: number }): void;
  onPreview?(p: {
    image: number;
    step: number;
    steps: number;
    width: number;
    height: number;
    png: Uint8Array;
  }): void;
  onResult?(img: JobImage): void;
}

export type DoneMessage = Extract<ServerMessage, { type: 'done' }>;

export interface JobHandle {
  /** Resolves with the job id once the daemon queued the job. */
  readonly jobId: Promise<string>;
  /** Resolves when the job is done, with its result images; rejects with ClientError on error/cancel. */
  readonly done: Promise<{ done: DoneMessage; images: JobImage[] }>;
  cancel(): Promise<void>;
}

interface PendingRequest {
  resolve(msg: ServerMessage): void;
  reject(err: Error): void;
  timer: ReturnType<typeof setTimeout>;
}

interface JobRecord {
  events: JobEvents;
  images: JobImage[];
  resolve(v: { done: DoneMessage; images: JobImage[] }): void;
  reject(err: Error): void;
  finished: boolean;
  doneMsg?: DoneMessage;
}

const OPEN = 1;

function bytesOf(data: unknown): Uint8Array | null {
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  return null;
}

export class StippleClient {
  private socket: SocketLike | null = null;
  private state: ConnectionState = 'idle';
  private readonly stateListeners = new Set<(s: ConnectionState, detail?: string) => void>();
  private readonly messageListeners = new Set<(m: ServerMessage) => void>();
  private readonly pending = new Map<string, PendingRequest>();
  private readonly jobs = new Map<string, JobRecord>();
  private nextId = 1;
  private attempt = 0;
  private reconnectTimer: ReturnType<typeof setTimeout> | null = null;
  private heartbeatTimer: ReturnType<typeof setInterval> | null = null;
  private wanted = false;
  private waiters: Array<{ resolve(): void; reject(e: Error): void }> = [];
  serverInfo: Extract<ServerMessage, { type: 'welcome' }>['serverInfo'] | null = null;

  constructor(private readonly opts: ClientOptions) {}

  get connectionState(): ConnectionState {
    return this.state;
  }

  setToken(token: string): void {
    this.opts.token = token;
  }

  onState(cb: (s: ConnectionState, detail?: string) => void): () => void {
    this.stateListeners.add(cb);
    return () => this.stateListeners.delete(cb);
  }

  /** Every validated server message (after routing to requests and jobs). */
  onMessage(cb: (m: ServerMessage) => void): () => void {
    this.messageListeners.add(cb);
    return () => this.messageListeners.delete(cb);
  }

  connect(): void {
    this.wanted = true;
    if (this.socket) return;
    this.open();
  }

  /** Resolves once connected and authenticated; rejects if that fails for good. */
  ready(): Promise<void> {
    if (this.state === 'connected') return Promise.resolve();
    this.connect();
    return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }));
  }

  close(): void {
    this.wanted = false;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = null;
    this.stopHeartbeat();
    const s = this.socket;
    this.socket = null;
    s?.close(CloseCode.normal, 'client closing');
    this.failAll(new ClientError('E_CLOSED', 'client closed'));
    this.setState('closed');
  }

  /** Exchanges a pairing code for a token on a dedicated socket, then uses that token. */
  pair(code: string): Promise<{ token: string; tokenId: string }> {
    return new Promise((resolve, reject) => {
      const s = this.opts.createSocket(this.opts.url);
      s.binaryType = 'arraybuffer';
      let settled = false;
      const finish = (err: Error | null, v?: { token: string; tokenId: string }) => {
        if (settled) return;
        settled = true;
        s.close(CloseCode.normal, 'paired');
        if (err) reject(err);
        else if (v) {
          this.opts.token = v.token;
          resolve(v);
        }
      };
      s.onopen = () =>
        s.send(
          JSON.stringify({ type: 'pair', code, client: this.opts.client, protocolVersion: PROTOCOL_VERSION }),
        );
      s.onmessage = (ev) => {
        if (typeof ev.data !== 'string') return;
        const parsed = ServerMessageSchema.safeParse(JSON.parse(ev.data));
        if (!parsed.success) return;
        const m = parsed.data;
        if (m.type === 'paired') finish(null, { token: m.token, tokenId: m.tokenId });
        else if (m.type === 'error') finish(new ClientError(m.code, m.message, m.field));
      };
      s.onerror = () =>
        finish(new ClientError('E_UNREACHABLE', `cannot reach the Stipple daemon at ${this.opts.url}`));
      s.onclose = (ev) =>
        finish(new ClientError('E_PAIRING_CODE', `pairing closed (${ev.code}) ${ev.reason}`));
    });
  }

  /**
   * Sends a request and resolves with the daemon's direct answer (matched by id). `attachments`
   * (ref → image bytes) go first as binary frames, for requests that name them (interrogate).
   * `timeoutMs` overrides the client's `requestTimeoutMs` for this request: an LLM rewrite or a
   * first interrogation (model load) may take minutes, a tokenize should not.
   */
  request(
    msg: ClientMessageInput,
    attachments: Record<string, Uint8Array> = {},
    opts: { timeoutMs?: number } = {},
  ): Promise<ServerMessage> {
    const id = `r${this.nextId++}`;
    const timeoutMs = opts.timeoutMs ?? this.opts.requestTimeoutMs ?? 30000;
    return new Promise((resolve, reject) => {
      if (!this.socket || this.state !== 'connected' || this.socket.readyState !== OPEN) {
        reject(new ClientError('E_NOT_CONNECTED', 'not connected to the Stipple daemon'));
        return;
      }
      for (const [ref, bytes] of Object.entries(attachments)) {
        this.socket.send(encodeBinaryFrame({ kind: 'attachment', ref, mime: sniffMime(bytes) }, bytes));
      }
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new ClientError('E_TIMEOUT', `no answer to ${msg.type} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, { resolve, reject, timer });
      this.socket.send(JSON.stringify({ ...msg, id }));
    });
  }

  /** Sends the attachments as binary frames, then the generate request naming them. */
  generate(
    request: GenerateRequestInput,
    attachments: Record<string, Uint8Array> = {},
    events: JobEvents = {},
  ): JobHandle {
    let resolveDone!: (v: { done: DoneMessage; images: JobImage[] }) => void;
    let rejectDone!: (e: Error) => void;
    const done = new Promise<{ done: DoneMessage; images: JobImage[] }>((res, rej) => {
      resolveDone = res;
      rejectDone = rej;
    });
    done.catch(() => undefined); // callers that only await jobId must not see an unhandled rejection
    const jobId = (async () => {
      if (!this.socket || this.state !== 'connected')
        throw new ClientError('E_NOT_CONNECTED', 'not connected to the Stipple daemon');
      const reply = await this.request({ type: 'generate', request } as ClientMessageInput, attachments);
      if (reply.type === 'error')
        throw new ClientError(reply.code, reply.message, reply.field, reply.retryAfterMs);
      if (reply.type !== 'queued') throw new ClientError('E_PROTOCOL', `unexpected answer ${reply.type}`);
      this.jobs.set(reply.jobId, {
        events,
        images: [],
        resolve: resolveDone,
        reject: rejectDone,
        finished: false,
      });
      events.onQueued?.(reply.jobId, reply.position);
      return reply.jobId;
    })();
    jobId.catch((e: Error) => rejectDone(e));
    return {
      jobId,
      done,
      cancel: async () => {
        const id = await jobId;
        const reply = await this.request({ type: 'cancel', jobId: id });
        if (reply.type === 'error' && reply.code !== 'E_JOB_NOT_FOUND')
          throw new ClientError(reply.code, reply.message);
      },
    };
  }

  private open(): void {
    this.setState('connecting');
    let s: SocketLike;
    try {
      s = this.opts.createSocket(this.opts.url);
    } catch (e) {
      this.setState('daemon_unreachable', (e as Error).message);
      this.scheduleReconnect();
      return;
    }
    this.socket = s;
    s.binaryType = 'arraybuffer';
    s.onopen = () => {
      if (!this.opts.token) {
        this.setState('unauthorized', 'no token: pair with the daemon first');
        s.close(CloseCode.normal, 'no token');
        return;
      }
      s.send(
        JSON.stringify({
          type: 'hello',
          id: 'hello',
          token: this.opts.token,
          client: this.opts.client,
          protocolVersion: PROTOCOL_VERSION,
        }),
      );
    };
    s.onmessage = (ev) => this.handleData(ev.data);
    s.onerror = () => undefined; // onclose follows and carries the details
    s.onclose = (ev) => {
      if (this.socket !== s) return;
      this.socket = null;
      this.stopHeartbeat();
      this.failAll(new ClientError('E_DISCONNECTED', `connection closed (${ev.code})`));
      if (ev.code === CloseCode.unauthorized || ev.code === CloseCode.tokenRevoked) {
        this.setState('unauthorized', ev.reason);
        this.rejectWaiters(new ClientError('E_UNAUTHORIZED', ev.reason || 'unauthorized'));
        return;
      }
      if (ev.code === CloseCode.versionMismatch) {
        this.setState('version_mismatch', ev.reason);
        this.rejectWaiters(new ClientError('E_VERSION_MISMATCH', ev.reason));
        return;
      }
      if (this.state === 'unauthorized') return;
      this.setState('daemon_unreachable', ev.reason);
      this.scheduleReconnect();
    };
  }

  private handleData(data: unknown): void {
    if (typeof data !== 'string') {
      const bytes = bytesOf(data);
      if (!bytes) return;
      const decoded = decodeBinaryFrame(bytes);
      if (!decoded.ok) return;
      const h = decoded.frame.header;
      if (h.kind === 'attachment') return;
      const job = this.jobs.get(h.jobId);
      if (!job) return;
      if (h.kind === 'preview') job.events.onPreview?.({ ...h, png: decoded.frame.payload });
      else {
        const img = {
          index: h.index,
          seed: h.seed,
          width: h.width,
          height: h.height,
          png: decoded.frame.payload,
        };
        job.images.push(img);
        job.events.onResult?.(img);
        this.maybeFinish(h.jobId);
      }
      return;
    }
    let json: unknown;
    try {
      json = JSON.parse(data);
    } catch {
      return;
    }
    const parsed = ServerMessageSchema.safeParse(json);
    if (!parsed.success) return;
    const m = parsed.data;
    if (m.type === 'welcome') {
      this.serverInfo = m.serverInfo;
      this.attempt = 0;
      this.setState('connected');
      this.startHeartbeat();
      const w = this.waiters;
      this.waiters = [];
      for (const x of w) x.resolve();
    }
    const replyTo = 'replyTo' in m ? m.replyTo : undefined;
    if (replyTo && this.pending.has(replyTo)) {
      const p = this.pending.get(replyTo)!;
      this.pending.delete(replyTo);
      clearTimeout(p.timer);
      p.resolve(m);
    }
    if ('jobId' in m && m.jobId) this.routeJob(m);
    for (const l of this.messageListeners) l(m);
  }

  private routeJob(m: ServerMessage): void {
    const jobId = (m as { jobId: string }).jobId;
    const job = this.jobs.get(jobId);
    if (!job) return;
    switch (m.type) {
      case 'started':
        job.events.onStarted?.(jobId);
        break;
      case 'progress':
        job.events.onProgress?.({ image: m.image, step: m.step, steps: m.steps });
        break;
      case 'done':
        job.doneMsg = m;
        this.maybeFinish(jobId);
        break;
      case 'cancelled':
        this.jobs.delete(jobId);
        job.reject(new ClientError('E_CANCELLED', 'the job was cancelled'));
        break;
      case 'error':
        this.jobs.delete(jobId);
        job.reject(new ClientError(m.code, m.message, m.field));
        break;
      default:
        break;
    }
  }

  /** `done` is sent after the result frames; finish when both are in. */
  private maybeFinish(jobId: string): void {
    const job = this.jobs.get(jobId);
    if (!job?.doneMsg || job.images.length < job.doneMsg.images.length) return;
    this.jobs.delete(jobId);
    job.images.sort((a, b) => a.index - b.index);
    job.resolve({ done: job.doneMsg, images: job.images });
  }

  private failAll(err: Error): void {
    for (const [id, p] of this.pending) {
      clearTimeout(p.timer);
      p.reject(err);
      this.pending.delete(id);
    }
    for (const [id, j] of this.jobs) {
      j.reject(err);
      this.jobs.delete(id);
    }
  }

  private rejectWaiters(err: Error): void {
    const w = this.waiters;
    this.waiters = [];
    for (const x of w) x.reject(err);
  }

  private scheduleReconnect(): void {
    const r = this.opts.reconnect ?? { minMs: 500, maxMs: 10_000 };
    if (!this.wanted || r.maxMs === 0) {
      this.rejectWaiters(
        new ClientError('E_UNREACHABLE', `cannot reach the Stipple daemon at ${this.opts.url}`),
      );
      return;
    }
    const delay = Math.min(r.maxMs, r.minMs * 2 ** this.attempt);
    this.attempt++;
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      if (this.wanted && !this.socket) this.open();
    }, delay);
  }

  private startHeartbeat(): void {
    const every = this.opts.heartbeatMs;
    if (!every) return;
    this.stopHeartbeat();
    this.heartbeatTimer = setInterval(() => {
      const s = this.socket;
      this.request({ type: 'queue' }).catch(() => {
        if (this.socket === s) s?.close(CloseCode.goingAway, 'heartbeat timeout');
      });
    }, every);
  }

  private stopHeartbeat(): void {
    if (this.heartbeatTimer) clearInterval(this.heartbeatTimer);
    this.heartbeatTimer = null;
  }

  private setState(s: ConnectionState, detail?: string): void {
    this.state = s;
    for (const l of this.stateListeners) l(s, detail);
  }
}

function sniffMime(b: Uint8Array): 'image/png' | 'image/jpeg' | 'image/webp' {
  if (b[0] === 0xff && b[1] === 0xd8) return 'image/jpeg';
  if (b[0] === 0x52 && b[1] === 0x49 && b[2] === 0x46 && b[3] === 0x46) return 'image/webp';
  return 'image/png';
}
