// Host and Origin checks for every HTTP request and WebSocket upgrade, run before any work.
// Host must name this daemon (DNS rebinding defence); Origin must be absent, `null` (Figma's
// plugin iframe), a VS Code webview, or the daemon's own page. Everything else gets 403.

export interface GuardOptions {
  port: number;
  /** Extra host names accepted (only with --allow-remote: the configured host). */
  extraHosts?: string[];
}

const LOOPBACK_NAMES = ['127.0.0.1', 'localhost', '[::1]'];

export function allowedHost(hostHeader: string | undefined, opts: GuardOptions): boolean {
  if (!hostHeader) return false;
  const names = [...LOOPBACK_NAMES, ...(opts.extraHosts ?? [])];
  const h = hostHeader.toLowerCase();
  return names.some((n) => h === `${n.toLowerCase()}:${opts.port}`);
}

export function allowedOrigin(origin: string | undefined, opts: GuardOptions): boolean {
  if (origin === undefined) return true;
  if (origin === 'null') return true;
  if (/^vscode-webview:\/\/[a-z0-9-]+$/i.test(origin)) return true;
  const names = [...LOOPBACK_NAMES, ...(opts.extraHosts ?? [])];
  return names.some(
    (n) =>
      origin.toLowerCase() === `http://${n.toLowerCase()}:${opts.port}` ||
      origin.toLowerCase() === `https://${n.toLowerCase()}:${opts.port}`,
  );
}

export function checkRequest(
  headers: { host?: string; origin?: string | string[] },
  opts: GuardOptions,
): { ok: true } | { ok: false; reason: string } {
  if (!allowedHost(headers.host, opts)) return { ok: false, reason: 'forbidden host' };
  const origin = Array.isArray(headers.origin) ? headers.origin[0] : headers.origin;
  if (!allowedOrigin(origin, opts)) return { ok: false, reason: 'forbidden origin' };
  return { ok: true };
}

export function isLoopbackAddress(addr: string | undefined): boolean {
  if (!addr) return false;
  return addr === '::1' || addr.startsWith('127.') || addr.startsWith('::ffff:127.');
}
