// HTTP routes (express): /health, the status page, stored outputs, and the token-protected
// state-changing API. The Host/Origin guard runs first on every request; state-changing
// routes need `Authorization: Bearer <token>` and a JSON body (a cross-site `text/plain` POST,
// which needs no preflight, is refused).
import express, { type NextFunction, type Request, type Response } from 'express';
import { PROTOCOL_VERSION } from '../../shared/protocol/version';
import type { Logger } from '../logger';
import { checkRequest, type GuardOptions } from './request-guard';
import type { SessionContext } from './session-context';
import { renderStatusPage } from './status-page';

export interface HttpAppOptions {
  ctx: SessionContext;
  guard: GuardOptions;
  address: () => string;
  version: string;
  logger: Logger;
  /** The server's `maxHeadersCount`: Node silently drops headers past it, the daemon refuses the request. */
  maxHeadersCount: number;
}

/** Largest JSON body of the token-protected API. */
export const API_BODY_LIMIT_BYTES = 64 * 1024;

/** True when Node stopped counting headers at the limit: the request had at least that many. */
export function tooManyHeaders(rawHeaders: string[], maxHeadersCount: number): boolean {
  return rawHeaders.length / 2 >= maxHeadersCount;
}

export function createHttpApp(o: HttpAppOptions): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);

  app.use((req, res, next) => {
    if (tooManyHeaders(req.rawHeaders, o.maxHeadersCount)) {
      res.status(431).setHeader('Connection', 'close');
      res.type('text/plain').send('431 too many header fields');
      return;
    }
    const r = checkRequest({ host: req.headers.host, origin: req.headers.origin }, o.guard);
    if (!r.ok) {
      res.status(403).type('text/plain').send(`403 ${r.reason}`);
      return;
    }
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Referrer-Policy', 'no-referrer');
    res.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
    res.setHeader('X-Frame-Options', 'DENY');
    next();
  });

  app.get('/health', (_req, res) => {
    const info = o.ctx.serverInfo();
    res.json({
      status: 'ok',
      version: info.version,
      protocolVersion: PROTOCOL_VERSION,
      executionProviders: info.executionProviders,
      executionProvider: info.executionProvider,
      loadedModel: info.loadedModel,
      defaultModel: info.defaultModel,
      queueLength: info.queueLength,
    });
  });

  app.get('/', async (_req, res, next) => {
    try {
      const info = o.ctx.serverInfo();
      const html = renderStatusPage({
        address: o.address(),
        version: o.version,
        protocolVersion: PROTOCOL_VERSION,
        executionProviders: info.executionProviders,
        loadedModel: info.loadedModel,
        models: await o.ctx.catalog.entries(),
        queue: o.ctx.queue.snapshot('').jobs,
        recent: o.ctx.history.list({ limit: 12 }),
      });
      res.setHeader(
        'Content-Security-Policy',
        "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; frame-ancestors 'none'",
      );
      res.type('html').send(html);
    } catch (e) {
      next(e);
    }
  });

  app.get('/outputs/:day/:file', (req, res) => {
    const abs = o.ctx.history.resolveImage(`${req.params.day}/${req.params.file}`);
    if (!abs) {
      res.status(404).type('text/plain').send('404 not found');
      return;
    }
    res.sendFile(abs, { dotfiles: 'deny', headers: { 'Cache-Control': 'no-store' } });
  });

  const requireToken = (req: Request, res: Response, next: NextFunction) => {
    const auth = req.headers.authorization ?? '';
    const m = /^Bearer (\S+)$/.exec(auth);
    if (!m || !o.ctx.tokens.verify(m[1])) {
      res.status(401).json({
        code: 'E_UNAUTHORIZED',
        message: 'send `Authorization: Bearer <token>` (see the token file)',
      });
      return;
    }
    if (!req.is('application/json')) {
      res.status(415).json({
        code: 'E_BAD_REQUEST',
        message: 'state-changing requests must be `Content-Type: application/json`',
      });
      return;
    }
    // body-parser drains an oversize body before answering; a declared length over the limit is
    // answered at once and the connection closed, so a lying Content-Length holds nothing.
    if (Number(req.headers['content-length'] ?? 0) > API_BODY_LIMIT_BYTES) {
      res.setHeader('Connection', 'close');
      res.status(413).json({ code: 'E_BAD_REQUEST', message: 'request body too large (limit 64 KiB)' });
      return;
    }
    next();
  };
  const api = express.Router();
  api.use(requireToken);
  api.use(express.json({ limit: API_BODY_LIMIT_BYTES, strict: true }));
  api.post('/pairing-code', (_req, res) => {
    const { code, expiresAt } = o.ctx.pairing.issue();
    res.json({ code, expiresAt: new Date(expiresAt).toISOString() });
  });
  api.post('/token/regenerate', async (_req, res, next) => {
    try {
      await o.ctx.tokens.regeneratePrimary();
      res.json({ ok: true });
    } catch (e) {
      next(e);
    }
  });
  app.use('/api', api);

  app.use((_req, res) => {
    res.status(404).type('text/plain').send('404 not found');
  });

  app.use(
    (err: Error & { status?: number; type?: string }, _req: Request, res: Response, _next: NextFunction) => {
      const status = err.status && err.status >= 400 && err.status < 500 ? err.status : 500;
      if (status === 500) o.logger.error({ err }, 'http request failed');
      const code = status === 413 ? 'E_BAD_REQUEST' : status === 400 ? 'E_MALFORMED' : 'E_INTERNAL';
      const message =
        status === 413
          ? 'request body too large (limit 64 KiB)'
          : status === 400
            ? 'malformed JSON body'
            : 'internal error';
      res.status(status).json({ code, message });
    },
  );
  return app;
}
