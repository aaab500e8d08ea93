// The extension's one connection to the daemon: resolves the address and token (token file on
// this machine, else the token paired earlier and kept in SecretStorage), owns the shared
// StippleClient (reconnect with backoff, heartbeat), and reports state for the status bar.
// The token never leaves the extension host.
import type * as vscode from 'vscode';
import {
  type ConnectionState,
  type SocketLike,
  StippleClient,
} from '../../../../shared/protocol/stipple-client';
import { type Endpoint, resolveEndpoint } from './daemon-endpoint';
import { type JobProgress, type StatusView, statusView } from './status-text';

export interface DaemonConnectionDeps {
  createSocket(url: string): SocketLike;
  secrets: Pick<vscode.SecretStorage, 'get' | 'store'>;
  log(line: string): void;
  onStatus(view: StatusView, state: ConnectionState): void;
  readText(path: string): Promise<string | undefined>;
  daemonAddress(): string;
  env: Record<string, string | undefined>;
  platform: string;
  homedir: string;
  clientVersion: string;
  heartbeatMs?: number;
  reconnect?: { minMs: number; maxMs: number };
}

const SECRET_PREFIX = 'stipple.token:';

export class DaemonConnection {
  private client: StippleClient | null = null;
  private endpoint: Endpoint | null = null;
  private state: ConnectionState = 'idle';
  private job: JobProgress | undefined;
  private readonly listeners = new Set<(s: ConnectionState) => void>();
  private generation = 0;
  private currentToken: string | undefined;

  constructor(private readonly deps: DaemonConnectionDeps) {}

  get connectionState(): ConnectionState {
    return this.state;
  }

  get url(): string {
    return this.endpoint?.url ?? '';
  }

  /** The client, once `start` has run. */
  get stipple(): StippleClient | null {
    return this.client;
  }

  onState(cb: (s: ConnectionState) => void): () => void {
    this.listeners.add(cb);
    return () => this.listeners.delete(cb);
  }

  private async token(ep: Endpoint): Promise<string | undefined> {
    return ep.fileToken ?? (await this.deps.secrets.get(SECRET_PREFIX + ep.url));
  }

  private emit(): void {
    this.deps.onStatus(statusView(this.state, this.job, this.url), this.state);
    for (const l of this.listeners) l(this.state);
  }

  async start(): Promise<void> {
    const gen = ++this.generation;
    this.client?.close();
    this.client = null;
    const ep = await resolveEndpoint({
      setting: this.deps.daemonAddress(),
      env: this.deps.env,
      platform: this.deps.platform,
      homedir: this.deps.homedir,
      readText: this.deps.readText,
    });
    if (gen !== this.generation) return;
    this.endpoint = ep;
    const token = await this.token(ep);
    this.currentToken = token;
    this.deps.log(
      `connecting to ${ep.url} (${token ? (ep.fileToken ? 'token file' : 'paired token') : 'no token yet'})`,
    );
    const client = new StippleClient({
      url: ep.url,
      token,
      client: { name: 'vscode', version: this.deps.clientVersion },
      createSocket: this.deps.createSocket,
      heartbeatMs: this.deps.heartbeatMs ?? 15_000,
      reconnect: this.deps.reconnect ?? { minMs: 500, maxMs: 5_000 },
    });
    this.client = client;
    client.onState((s, detail) => {
      if (this.client !== client) return;
      // While retrying an absent daemon, keep saying "daemon not running" instead of flickering
      // to "connecting" on every backoff attempt.
      if (s === 'connecting' && this.state === 'daemon_unreachable') return;
      const changed = s !== this.state;
      this.state = s;
      if (changed) this.deps.log(`state ${s}${detail ? `: ${detail}` : ''}`);
      if (s === 'daemon_unreachable') void this.refreshToken(client, false);
      if (s === 'unauthorized') void this.refreshToken(client, true);
      if (s !== 'connected') this.job = undefined;
      if (changed) this.emit();
    });
    client.connect();
  }

  /**
   * The daemon may have been (re)started since: pick up its token file before the next try.
   * After an "unauthorized", a token that differs from the one refused is tried at once.
   */
  private async refreshToken(client: StippleClient, retryIfChanged: boolean): Promise<void> {
    const ep = await resolveEndpoint({
      setting: this.deps.daemonAddress(),
      env: this.deps.env,
      platform: this.deps.platform,
      homedir: this.deps.homedir,
      readText: this.deps.readText,
    });
    if (this.client !== client || ep.url !== this.endpoint?.url) return;
    const t = await this.token(ep);
    if (!t || this.client !== client) return;
    const changed = t !== this.currentToken;
    this.currentToken = t;
    client.setToken(t);
    if (retryIfChanged && changed) {
      this.deps.log('found a new token: reconnecting');
      void this.start();
    }
  }

  /** Exchanges a pairing code for a token, keeps it in SecretStorage, and reconnects with it. */
  async pair(code: string): Promise<void> {
    if (!this.client || !this.endpoint) await this.start();
    const client = this.client;
    const ep = this.endpoint;
    if (!client || !ep) throw new Error('no daemon address');
    const { token, tokenId } = await client.pair(code.trim());
    await this.deps.secrets.store(SECRET_PREFIX + ep.url, token);
    this.deps.log(`paired with ${ep.url} (token ${tokenId})`);
    await this.start();
  }

  setJobProgress(p: JobProgress | undefined): void {
    this.job = p;
    this.emit();
  }

  /** Resolves when connected, or rejects after `timeoutMs`. */
  async whenConnected(timeoutMs: number): Promise<StippleClient> {
    const client = this.client;
    if (client && this.state === 'connected') return client;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        off();
        reject(new Error(`the Stipple daemon at ${this.url} did not answer (${this.state})`));
      }, timeoutMs);
      const off = this.onState((s) => {
        if (s === 'connected' && this.client) {
          clearTimeout(timer);
          off();
          resolve(this.client);
        } else if (s === 'unauthorized' || s === 'version_mismatch') {
          clearTimeout(timer);
          off();
          reject(
            new Error(s === 'unauthorized' ? 'the daemon refused the token' : 'protocol version mismatch'),
          );
        }
      });
    });
  }

  dispose(): void {
    this.generation++;
    this.client?.close();
    this.client = null;
  }
}
