// One WebSocket client: authentication (hello / pair), attachments, dispatch of validated
// messages, and delivery of job events with backpressure. Every bad input gets an `error`
// (or a close code for protocol violations) — a session never throws into the server.
import { randomBytes } from 'node:crypto';
import type { WebSocket } from 'ws';
import { decodeBinaryFrame, encodeBinaryFrame } from '../../shared/protocol/binary-frame';
import { CLIENT_MESSAGE_TYPES, ClientMessage } from '../../shared/protocol/client-messages';
import type { ErrorCode } from '../../shared/protocol/error-codes';
import { jsonDepthExceeds } from '../../shared/protocol/json-depth';
import { Limits } from '../../shared/protocol/limits';
import type { ServerMessage } from '../../shared/protocol/server-messages';
import { validate } from '../../shared/protocol/validation';
import { CloseCode, PROTOCOL_VERSION } from '../../shared/protocol/version';
import type { JobEvent } from '../jobs/job-queue';
import type { Logger } from '../logger';
import { handleMessage } from './message-handlers';
import type { SessionContext } from './session-context';
import type { TokenIdentity } from './token-store';

/** At most this many bad messages per ERROR_WINDOW_MS before the socket is closed (4005). */
const MAX_ERRORS = 50;
const ERROR_WINDOW_MS = 10_000;

export interface Attachment {
  bytes: Uint8Array;
  mime: string;
}

export class ClientSession {
  readonly id = randomBytes(6).toString('hex');
  identity: TokenIdentity | null = null;
  clientName = 'unknown';
  readonly attachments = new Map<string, Attachment>();
  private errors = 0;
  private errorWindowStart = 0;
  readonly log: Logger;

  constructor(
    readonly ws: WebSocket,
    readonly ctx: SessionContext,
    readonly remoteAddress: string | undefined,
  ) {
    this.log = ctx.logger.child({ session: this.id });
  }

  /** Key for fairness and history ownership: one per paired token and client name. */
  get clientKey(): string {
    return `${this.identity?.tokenId ?? 'anon'}:${this.clientName}`;
  }

  get authenticated(): boolean {
    return this.identity !== null;
  }

  /**
   * Above `sendBufferSoftBytes` buffered (unread by the peer) previews and progress are dropped;
   * above `sendBufferHardBytes` the socket is closed, whatever the message: a client that stops
   * reading cannot make the daemon buffer without bound.
   */
  private overHardBound(): boolean {
    if (this.ws.bufferedAmount <= this.ctx.config.sendBufferHardBytes) return false;
    this.log.warn({ buffered: this.ws.bufferedAmount }, 'client stopped reading; closing');
    this.ws.terminate();
    return true;
  }

  private get overSoftBound(): boolean {
    return this.ws.bufferedAmount > this.ctx.config.sendBufferSoftBytes;
  }

  send(msg: ServerMessage): void {
    if (this.ws.readyState !== this.ws.OPEN || this.overHardBound()) return;
    this.ws.send(JSON.stringify(msg));
  }

  sendError(
    code: ErrorCode,
    message: string,
    extra: { replyTo?: string; field?: string; jobId?: string; retryAfterMs?: number } = {},
  ): void {
    this.send({ type: 'error', code, message, ...extra });
  }

  sendBinary(bytes: Uint8Array, droppable: boolean): void {
    if (this.ws.readyState !== this.ws.OPEN || this.overHardBound()) return;
    if (droppable && this.overSoftBound) return;
    this.ws.send(bytes);
  }

  close(code: number, reason: string): void {
    if (this.ws.readyState === this.ws.OPEN) this.ws.close(code, reason);
  }

  /**
   * A protocol error: answered, counted, and past a bound per window the socket is closed. The
   * window keeps a plugin open all day from being cut for typos spread over hours, while a
   * client spraying bad messages is still stopped.
   */
  private fault(code: ErrorCode, message: string, extra: { replyTo?: string; field?: string } = {}): void {
    this.sendError(code, message, extra);
    const now = Date.now();
    if (now - this.errorWindowStart > ERROR_WINDOW_MS) {
      this.errorWindowStart = now;
      this.errors = 0;
    }
    if (++this.errors > MAX_ERRORS) this.close(CloseCode.tooManyErrors, 'too many errors');
  }

  async onText(text: string): Promise<void> {
    if (Buffer.byteLength(text) > Limits.maxTextMessageBytes) {
      this.close(
        CloseCode.messageTooBig,
        `text messages must be at most ${Limits.maxTextMessageBytes} bytes`,
      );
      return;
    }
    if (!this.authenticated && Buffer.byteLength(text) > Limits.maxUnauthenticatedMessageBytes) {
      this.close(
        CloseCode.messageTooBig,
        `before hello, text messages must be at most ${Limits.maxUnauthenticatedMessageBytes} bytes`,
      );
      return;
    }
    if (jsonDepthExceeds(text, Limits.maxJsonDepth)) {
      this.fault('E_MALFORMED', `message nests deeper than ${Limits.maxJsonDepth} levels`);
      if (!this.authenticated) this.close(CloseCode.unauthorized, 'malformed message before hello');
      return;
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      this.fault('E_MALFORMED', 'message is not valid JSON');
      if (!this.authenticated) this.close(CloseCode.unauthorized, 'malformed message before hello');
      return;
    }
    if (typeof json !== 'object' || json === null || Array.isArray(json)) {
      this.fault('E_MALFORMED', 'message must be a JSON object');
      if (!this.authenticated) this.close(CloseCode.unauthorized, 'malformed message before hello');
      return;
    }
    const raw = json as { type?: unknown; id?: unknown };
    const replyTo = typeof raw.id === 'string' && raw.id.length <= 64 ? raw.id : undefined;
    if (typeof raw.type !== 'string' || !(CLIENT_MESSAGE_TYPES as string[]).includes(raw.type)) {
      this.fault('E_UNKNOWN_TYPE', `unknown message type ${JSON.stringify(String(raw.type)).slice(0, 80)}`, {
        replyTo,
        field: 'type',
      });
      if (!this.authenticated) this.close(CloseCode.unauthorized, 'unknown message before hello');
      return;
    }
    if (!this.authenticated && raw.type !== 'hello' && raw.type !== 'pair') {
      this.sendError('E_NOT_AUTHENTICATED', `send hello (or pair) before ${raw.type}`, { replyTo });
      this.close(CloseCode.unauthorized, 'not authenticated');
      return;
    }
    const v = validate(ClientMessage, json);
    if (!v.ok) {
      this.fault(v.error.code, v.error.message, { replyTo, field: v.error.field });
      if (!this.authenticated) this.close(CloseCode.unauthorized, 'invalid message before hello');
      return;
    }
    try {
      await handleMessage(this, v.data);
    } catch (e) {
      const err = e as Error & { code?: string; field?: string };
      const code = (err.code && /^E_[A-Z_]+$/.test(err.code) ? err.code : 'E_INTERNAL') as ErrorCode;
      if (code === 'E_INTERNAL') this.log.error({ err }, 'handler failed');
      this.sendError(code, code === 'E_INTERNAL' ? 'internal error (see the daemon log)' : err.message, {
        replyTo,
        field: err.field,
      });
    }
  }

  onBinary(bytes: Uint8Array): void {
    if (!this.authenticated) {
      this.sendError('E_NOT_AUTHENTICATED', 'binary frames are only accepted after hello');
      this.close(CloseCode.unauthorized, 'binary frame before hello');
      return;
    }
    const d = decodeBinaryFrame(bytes);
    if (!d.ok) {
      this.fault('E_ATTACHMENT', d.reason);
      return;
    }
    const h = d.frame.header;
    if (h.kind !== 'attachment') {
      this.fault('E_ATTACHMENT', `clients may only send attachment frames, got ${h.kind}`);
      return;
    }
    if (!this.attachments.has(h.ref) && this.attachments.size >= Limits.maxPendingAttachments) {
      this.fault('E_ATTACHMENT', `at most ${Limits.maxPendingAttachments} unused attachments per connection`);
      return;
    }
    this.attachments.set(h.ref, { bytes: new Uint8Array(d.frame.payload), mime: h.mime });
  }

  deliver(e: JobEvent): void {
    switch (e.type) {
      case 'preview':
        this.sendBinary(
          encodeBinaryFrame(
            {
              kind: 'preview',
              jobId: e.jobId,
              image: e.image,
              step: e.step,
              steps: e.steps,
              width: e.width,
              height: e.height,
              mime: 'image/png',
            },
            e.png,
          ),
          true,
        );
        break;
      case 'result':
        this.sendBinary(
          encodeBinaryFrame(
            {
              kind: 'result',
              jobId: e.jobId,
              index: e.index,
              seed: e.seed,
              width: e.width,
              height: e.height,
              mime: 'image/png',
            },
            e.png,
          ),
          false,
        );
        break;
      case 'progress':
        if (this.overSoftBound) return;
        this.send(e);
        break;
      case 'started':
      case 'cancelled':
        this.send(e);
        break;
      case 'done':
        this.send(e);
        break;
      case 'error':
        this.sendError(e.code as ErrorCode, e.message, { jobId: e.jobId, field: e.field });
        break;
    }
  }

  protocolVersionOk(v: number): boolean {
    return v === PROTOCOL_VERSION;
  }
}
