// Where Stipple keeps its state. Pure (takes env, platform and home dir) so the daemon and
// the VS Code extension, which reads the daemon's token file, agree on the same folder.
// STIPPLE_HOME puts everything under one root; otherwise the platform's conventional config
// folder holds config + token and its data folder holds models and outputs.

export interface StipplePaths {
  /** config.json, token, tokens.json, daemon.json */
  config: string;
  /** models/, outputs/, presets/ */
  data: string;
}

function join(sep: string, ...parts: string[]): string {
  return parts
    .map((p, i) => (i === 0 ? p.replace(/[\\/]+$/, '') : p.replace(/^[\\/]+|[\\/]+$/g, '')))
    .join(sep);
}

export function stipplePaths(
  env: Record<string, string | undefined>,
  platform: string,
  homedir: string,
): StipplePaths {
  const sep = platform === 'win32' ? '\\' : '/';
  if (env.STIPPLE_HOME) return { config: env.STIPPLE_HOME, data: env.STIPPLE_HOME };
  if (platform === 'darwin') {
    return {
      config: join(sep, homedir, 'Library', 'Preferences', 'stipple'),
      data: join(sep, homedir, 'Library', 'Application Support', 'stipple'),
    };
  }
  if (platform === 'win32') {
    const appData = env.APPDATA ?? join(sep, homedir, 'AppData', 'Roaming');
    const localAppData = env.LOCALAPPDATA ?? join(sep, homedir, 'AppData', 'Local');
    return {
      config: join(sep, appData, 'stipple', 'Config'),
      data: join(sep, localAppData, 'stipple', 'Data'),
    };
  }
  return {
    config: join(sep, env.XDG_CONFIG_HOME || join(sep, homedir, '.config'), 'stipple'),
    data: join(sep, env.XDG_DATA_HOME || join(sep, homedir, '.local', 'share'), 'stipple'),
  };
}

export const TOKEN_FILE = 'token';
export const DAEMON_INFO_FILE = 'daemon.json';
export const CONFIG_FILE = 'config.json';
export const DEFAULT_PORT = 7787;
