// Where the daemon listens and which token to use when it runs on this machine: the
// `stipple.daemonAddress` setting wins; otherwise `<STIPPLE_HOME>/daemon.json` says the port,
// and `<STIPPLE_HOME>/token` holds the token. File reading is injected so this stays testable.
import {
  DAEMON_INFO_FILE,
  DEFAULT_PORT,
  stipplePaths,
  TOKEN_FILE,
} from '../../../../shared/protocol/home-paths';

export interface EndpointInputs {
  /** `stipple.daemonAddress`: `host:port`, `ws://host:port/ws`, or empty for automatic. */
  setting: string;
  env: Record<string, string | undefined>;
  platform: string;
  homedir: string;
  readText(path: string): Promise<string | undefined>;
}

export interface Endpoint {
  url: string;
  /** Token from the local token file, when the daemon is local and the file is readable. */
  fileToken?: string;
  isLocal: boolean;
  configDir: string;
}

const LOCAL_HOSTS = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);

/** `host:port` or a ws:// URL → a `ws://…/ws` URL, or null when it cannot be read. */
export function normalizeDaemonAddress(address: string): string | null {
  const a = address.trim();
  if (!a) return null;
  const withScheme = /^wss?:\/\//.test(a) ? a : `ws://${a}`;
  let u: URL;
  try {
    u = new URL(withScheme);
  } catch {
    return null;
  }
  if (u.pathname === '/' || u.pathname === '') u.pathname = '/ws';
  return u.toString();
}

function joinConfig(dir: string, name: string, platform: string): string {
  const sep = platform === 'win32' ? '\\' : '/';
  return dir.endsWith(sep) ? dir + name : dir + sep + name;
}

export async function resolveEndpoint(i: EndpointInputs): Promise<Endpoint> {
  const configDir = stipplePaths(i.env, i.platform, i.homedir).config;
  let url = normalizeDaemonAddress(i.setting);
  if (!url) {
    let port = DEFAULT_PORT;
    let host = '127.0.0.1';
    const info = await i.readText(joinConfig(configDir, DAEMON_INFO_FILE, i.platform));
    if (info) {
      try {
        const parsed = JSON.parse(info) as { port?: unknown; host?: unknown };
        if (typeof parsed.port === 'number' && Number.isInteger(parsed.port)) port = parsed.port;
        if (typeof parsed.host === 'string' && LOCAL_HOSTS.has(parsed.host)) host = parsed.host;
      } catch {
        // A half-written daemon.json: fall back to the default port.
      }
    }
    url = `ws://${host.includes(':') && !host.startsWith('[') ? `[${host}]` : host}:${port}/ws`;
  }
  const isLocal = LOCAL_HOSTS.has(new URL(url).hostname);
  let fileToken: string | undefined;
  if (isLocal) {
    const t = await i.readText(joinConfig(configDir, TOKEN_FILE, i.platform));
    const line = t?.split(/\r?\n/)[0]?.trim();
    if (line) fileToken = line;
  }
  return { url, fileToken, isLocal, configDir };
}
