// Resolves the folders the daemon uses from the environment (composition-root helper).
import os from 'node:os';
import path from 'node:path';
import { type StipplePaths, stipplePaths } from '../../shared/protocol/home-paths';

export interface HomeLayout extends StipplePaths {
  models: string;
  outputs: string;
  presets: string;
  tokenFile: string;
  tokensFile: string;
  daemonInfoFile: string;
}

export function resolveHome(env: NodeJS.ProcessEnv = process.env): HomeLayout {
  const p = stipplePaths(env, process.platform, os.homedir());
  return {
    ...p,
    models: path.join(p.data, 'models'),
    outputs: path.join(p.data, 'outputs'),
    presets: path.join(p.data, 'presets'),
    tokenFile: path.join(p.config, 'token'),
    tokensFile: path.join(p.config, 'tokens.json'),
    daemonInfoFile: path.join(p.config, 'daemon.json'),
  };
}
