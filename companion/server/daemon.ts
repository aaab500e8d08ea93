// Builds and runs the daemon: HTTP + WebSocket on one port, the job queue, the supervised
// pipeline process and the model manager. `startDaemon` is what `stipple serve` and the tests
// call; `close()` shuts everything down (and marks nothing as lost: history stays on disk).
import { readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import { Limits } from '../../shared/protocol/limits';
import { CloseCode, PROTOCOL_VERSION } from '../../shared/protocol/version';
import { writeFileAtomic } from '../config/atomic-write';
import type { DaemonConfig } from '../config/daemon-config';
import type { HomeLayout } from '../config/stipple-home';
import { JobQueue } from '../jobs/job-queue';
import { OutputHistory } from '../jobs/output-history';
import type { PipelinePort } from '../jobs/pipeline-port';
import { WorkerSupervisor } from '../jobs/worker-supervisor';
import type { Logger } from '../logger';
import { hubConfigFromEnv } from '../models/hub-client';
import { ModelManager } from '../models/model-manager';
import { STIPPLE_VERSION } from '../version';
import { ClientSession } from './client-session';
import { createHttpApp, tooManyHeaders } from './http-app';
import { ModelCatalogView } from './model-catalog-view';
import { PairingCodes } from './pairing-codes';
import { createPromptServices } from './prompt-services-impl';
import { checkRequest } from './request-guard';
import type { SessionContext } from './session-context';
import { TokenStore } from './token-store';

export interface DaemonOptions {
  home: HomeLayout;
  config: DaemonConfig;
  logger: Logger;
  /** Overrides config.port; 0 picks a free port. */
  port?: number;
  host?: string;
  allowRemote?: boolean;
  /** Replaces the pipeline process (unit tests only). */
  pipeline?: PipelinePort;
  env?: NodeJS.ProcessEnv;
  pingIntervalMs?: number;
}

export interface Daemon {
  port: number;
  host: string;
  url: string;
  wsUrl: string;
  ctx: SessionContext;
  sessions: Set<ClientSession>;
  close(): Promise<void>;
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1']);
/** Browsers send about 20 headers; a request with this many is refused (431), never half-read. */
const MAX_HEADERS_COUNT = 100;
/** Our clients never fragment messages; `ws` would allow 16384 one-byte fragments per message. */
const MAX_FRAGMENTS_PER_MESSAGE = 1024;

/**
 * The pipeline process's environment: its execution providers (a set variable wins over config) and
 * warm-up, where pipeline-worker-main.ts preloads the default model and warms it.
 */
async function pipelineEnv(
  env: NodeJS.ProcessEnv,
  config: DaemonConfig,
  catalog: ModelCatalogView,
  defaultModel: string | null,
): Promise<NodeJS.ProcessEnv> {
  const out: NodeJS.ProcessEnv = {
    ...env,
    STIPPLE_EXECUTION_PROVIDERS: env.STIPPLE_EXECUTION_PROVIDERS || config.executionProviders.join(','),
  };
  const warmup = env.STIPPLE_WARMUP ? /^(1|true|yes)$/i.test(env.STIPPLE_WARMUP) : config.warmup;
  if (warmup && !env.STIPPLE_PRELOAD_MODEL) {
    const chosen = await catalog.forJob(defaultModel ?? undefined).catch(() => undefined);
    if (chosen) {
      out.STIPPLE_PRELOAD_MODEL = chosen.dir;
      out.STIPPLE_PRELOAD_MODEL_NAME = chosen.name;
    }
  }
  out.STIPPLE_WARMUP = warmup ? '1' : '0';
  return out;
}

export async function startDaemon(o: DaemonOptions): Promise<Daemon> {
  const { config, logger, home } = o;
  const host = o.host ?? config.host;
  const allowRemote = o.allowRemote ?? config.allowRemote;
  if (!LOOPBACK.has(host) && !allowRemote) {
    throw Object.assign(
      new Error(`refusing to listen on ${host}: only loopback unless --allow-remote is given`),
      {
        code: 'E_CONFIG',
      },
    );
  }

  const tokens = new TokenStore(home.tokenFile, home.tokensFile);
  await tokens.load();
  const history = new OutputHistory(home.outputs, config.historyLimit);
  const interrupted = await history.load();
  if (interrupted)
    logger.warn({ interrupted }, 'jobs interrupted by the previous shutdown were marked failed');
  const env = o.env ?? process.env;
  const models = new ModelManager({ home: home.data, logger, hub: hubConfigFromEnv(env) });
  const catalog = new ModelCatalogView(models, config.defaultModel, home.data);
  let defaultModel: string | null = await catalog.defaultModelId();
  const pipeline =
    o.pipeline ??
    new WorkerSupervisor({ logger, env: await pipelineEnv(env, config, catalog, defaultModel) });
  const queue = new JobQueue({
    port: pipeline,
    history,
    logger,
    limit: config.queueLimit,
    perClientLimit: config.perClientQueueLimit,
  });
  const sessions = new Set<ClientSession>();

  const ctx: SessionContext = {
    config,
    logger,
    tokens,
    pairing: new PairingCodes(),
    queue,
    history,
    pipeline,
    models,
    catalog,
    prompts: createPromptServices({ presetsDir: home.presets, logger }),
    serverInfo: () => ({
      name: 'stipple',
      version: STIPPLE_VERSION,
      protocolVersion: PROTOCOL_VERSION,
      executionProviders: pipeline.info().executionProviders,
      executionProvider: pipeline.info().executionProvider,
      loadedModel: pipeline.info().loadedModel,
      defaultModel,
      queueLength: queue.length,
    }),
  };

  queue.onEvent((clientKey, e) => {
    for (const s of sessions) if (s.clientKey === clientKey) s.deliver(e);
    if (e.type === 'done' || e.type === 'error' || e.type === 'cancelled') {
      void catalog.defaultModelId().then((d) => {
        defaultModel = d;
      });
    }
  });
  tokens.onRevoke((tokenId) => {
    for (const s of sessions) {
      if (s.identity?.tokenId === tokenId) s.close(4004, 'token revoked');
    }
  });

  let port = o.port ?? config.port;
  const guard = { port, extraHosts: allowRemote && !LOOPBACK.has(host) ? [host] : [] };
  const app = createHttpApp({
    ctx,
    guard,
    address: () => `http://${host}:${port}`,
    version: STIPPLE_VERSION,
    logger,
    maxHeadersCount: MAX_HEADERS_COUNT,
  });
  // Slow-loris defences: Node checks these timeouts only every `connectionsCheckingInterval`
  // (30 s by default), so the check runs at a quarter of the header timeout.
  const serverOpts = {
    maxHeaderSize: 16 * 1024,
    requestTimeout: config.requestTimeoutMs,
    headersTimeout: config.headersTimeoutMs,
    connectionsCheckingInterval: Math.max(50, Math.min(5_000, Math.floor(config.headersTimeoutMs / 4))),
    keepAliveTimeout: 5_000,
  };
  const server = config.tls
    ? https.createServer(
        { ...serverOpts, cert: readFileSync(config.tls.certFile), key: readFileSync(config.tls.keyFile) },
        app,
      )
    : http.createServer(serverOpts, app);
  server.maxHeadersCount = MAX_HEADERS_COUNT;
  server.on('clientError', (_err, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
    else socket.destroy();
  });

  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: Limits.maxBinaryMessageBytes + 8 + 4096,
    maxFragments: MAX_FRAGMENTS_PER_MESSAGE,
  });
  server.on('upgrade', (req, socket, head) => {
    const r = tooManyHeaders(req.rawHeaders, MAX_HEADERS_COUNT)
      ? ({ ok: false, status: '431 Request Header Fields Too Large' } as const)
      : checkRequest({ host: req.headers.host, origin: req.headers.origin }, guard);
    const path = (req.url ?? '').split('?')[0];
    if (!r.ok || path !== '/ws') {
      const status = r.ok ? '404 Not Found' : 'status' in r ? r.status : '403 Forbidden';
      socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      const s = new ClientSession(ws, ctx, req.socket.remoteAddress);
      sessions.add(s);
      // An idle unauthenticated socket holds a file descriptor and nothing else: bound its life.
      const helloTimer = setTimeout(() => {
        if (!s.authenticated) s.close(CloseCode.unauthorized, 'no hello in time');
      }, config.helloTimeoutMs);
      let alive = true;
      ws.on('pong', () => {
        alive = true;
      });
      const ping = setInterval(() => {
        if (!alive) {
          // After the daemon's own event loop stalled, timers run before pending socket reads:
          // decide after this loop turn's I/O, so a pong already received still counts.
          setImmediate(() => {
            if (alive) return;
            s.log.info('peer did not answer ping; closing');
            ws.terminate();
          });
          return;
        }
        alive = false;
        ws.ping();
      }, o.pingIntervalMs ?? config.pingIntervalMs);
      ws.on('message', (data, isBinary) => {
        const buf = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer);
        if (isBinary) s.onBinary(new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength));
        else void s.onText(buf.toString('utf8'));
      });
      ws.on('error', (err) => s.log.debug({ err: err.message }, 'socket error'));
      ws.on('close', () => {
        clearInterval(ping);
        clearTimeout(helloTimer);
        sessions.delete(s);
        s.attachments.clear();
      });
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  port = (server.address() as AddressInfo).port;
  guard.port = port;
  const scheme = config.tls ? 'https' : 'http';
  const urlHost = host === '::1' ? '[::1]' : host;
  await writeFileAtomic(
    home.daemonInfoFile,
    `${JSON.stringify({ pid: process.pid, host, port, version: STIPPLE_VERSION, url: `${scheme}://${urlHost}:${port}` }, null, 2)}\n`,
    0o600,
  );
  if (pipeline instanceof WorkerSupervisor) {
    void pipeline.start().catch((e) => logger.error({ err: e }, 'pipeline process failed to start'));
  }
  logger.info({ host, port }, 'daemon listening');

  let closed = false;
  return {
    port,
    host,
    url: `${scheme}://${urlHost}:${port}`,
    wsUrl: `${scheme === 'https' ? 'wss' : 'ws'}://${urlHost}:${port}/ws`,
    ctx,
    sessions,
    close: async () => {
      if (closed) return;
      closed = true;
      try {
        for (const s of sessions) s.close(1001, 'daemon shutting down');
        await queue.close();
        wss.close();
        server.closeAllConnections?.();
        await new Promise<void>((r) => server.close(() => r()));
        await pipeline.close();
      } finally {
        // Whatever failed above, a stale daemon.json must not point clients at a dead port.
        await rm(home.daemonInfoFile, { force: true });
      }
      logger.info('daemon stopped');
    },
  };
}
