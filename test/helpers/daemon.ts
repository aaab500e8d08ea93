// Starts a real daemon (`stipple serve` from source, in its own process) on 127.0.0.1 with a
// free port and a temporary STIPPLE_HOME, optionally with tiny fixture models imported.
// Always call stop() (use t.after / after hooks).
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { silentLogger } from '../../companion/logger';
import { ModelManager } from '../../companion/models/model-manager';
import { fixturePath, repoRoot } from './fixtures';

export interface TestDaemon {
  port: number;
  url: string;
  wsUrl: string;
  token: string;
  home: string;
  proc: ChildProcess;
  /** Everything the daemon printed (stdout + stderr), for diagnostics. */
  output(): string;
  pairingCode(): Promise<string>;
  /** Stops the process (SIGTERM, SIGKILL after 5 s). */
  stop(signal?: NodeJS.Signals): Promise<void>;
  /** Starts it again on the same port and home. */
  restart(): Promise<void>;
  /** Stops and deletes the temporary home (unless keepHome). */
  dispose(): Promise<void>;
}

export interface StartOptions {
  home?: string;
  /** Fixture folders under tiny-sd/ to import, as id → folder name. */
  models?: Record<string, string>;
  /** Written to config.json before start. */
  config?: Record<string, unknown>;
  port?: number;
  env?: NodeJS.ProcessEnv;
  keepHome?: boolean;
}

export async function importFixtureModels(home: string, models: Record<string, string>): Promise<void> {
  const manager = new ModelManager({ home, logger: silentLogger(), hub: { endpoint: 'http://127.0.0.1:9' } });
  for (const [id, folder] of Object.entries(models)) {
    await manager.import(fixturePath('tiny-sd', folder), { mode: 'link', id });
  }
}

async function waitForInfo(
  home: string,
  proc: ChildProcess,
  out: () => string,
  since: number,
): Promise<{ port: number }> {
  const file = path.join(home, 'daemon.json');
  for (let i = 0; i < 300; i++) {
    if (proc.exitCode !== null) throw new Error(`daemon exited (${proc.exitCode}):\n${out()}`);
    try {
      const info = JSON.parse(readFileSync(file, 'utf8')) as { port: number; pid: number };
      if (info.pid === proc.pid) return info;
    } catch {
      // not written yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`daemon did not start within 30 s (since ${since}):\n${out()}`);
}

export async function startDaemon(opts: StartOptions = {}): Promise<TestDaemon> {
  const home = opts.home ?? mkdtempSync(path.join(os.tmpdir(), 'stipple-test-'));
  if (opts.config) {
    const { writeFileSync, mkdirSync } = await import('node:fs');
    mkdirSync(home, { recursive: true });
    writeFileSync(path.join(home, 'config.json'), JSON.stringify(opts.config));
  }
  if (opts.models) await importFixtureModels(home, opts.models);
  let log = '';
  let proc!: ChildProcess;
  let port = opts.port ?? 0;
  const launch = async () => {
    proc = spawn(
      process.execPath,
      ['--import', 'tsx', path.join(repoRoot, 'companion/main.ts'), 'serve', '--port', String(port)],
      {
        cwd: repoRoot,
        env: {
          ...process.env,
          STIPPLE_LOG_LEVEL: process.env.STIPPLE_LOG_LEVEL ?? 'warn',
          ...opts.env,
          STIPPLE_HOME: home,
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    proc.stdout?.on('data', (d) => {
      log += d;
    });
    proc.stderr?.on('data', (d) => {
      log += d;
    });
    const info = await waitForInfo(home, proc, () => log, Date.now());
    port = info.port;
  };
  await launch();
  const d: TestDaemon = {
    get port() {
      return port;
    },
    get url() {
      return `http://127.0.0.1:${port}`;
    },
    get wsUrl() {
      return `ws://127.0.0.1:${port}/ws`;
    },
    get token() {
      return readFileSync(path.join(home, 'token'), 'utf8').trim();
    },
    home,
    get proc() {
      return proc;
    },
    output: () => log,
    async pairingCode() {
      const res = await fetch(`http://127.0.0.1:${port}/api/pairing-code`, {
        method: 'POST',
        headers: { authorization: `Bearer ${d.token}`, 'content-type': 'application/json' },
        body: '{}',
      });
      if (!res.ok) throw new Error(`pairing-code: ${res.status}`);
      return ((await res.json()) as { code: string }).code;
    },
    async stop(signal: NodeJS.Signals = 'SIGTERM') {
      const p = proc;
      if (p.exitCode !== null || p.signalCode !== null) return;
      await new Promise<void>((resolve) => {
        const t = setTimeout(() => p.kill('SIGKILL'), 5000);
        p.once('exit', () => {
          clearTimeout(t);
          resolve();
        });
        p.kill(signal);
      });
    },
    async restart() {
      await d.stop();
      await launch();
    },
    async dispose() {
      await d.stop();
      if (!opts.keepHome && !opts.home) await rm(home, { recursive: true, force: true });
    },
  };
  return d;
}
