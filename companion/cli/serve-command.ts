// `stipple serve`: loads the config (writing defaults on first run) and runs the daemon until
// SIGINT/SIGTERM. Listening beyond loopback needs --allow-remote, and then TLS or a loud warning.
import type { Command } from 'commander';
import { loadConfig } from '../config/daemon-config';
import type { HomeLayout } from '../config/stipple-home';
import { createLogger } from '../logger';
import { startDaemon } from '../server/daemon';

export function registerServeCommand(program: Command, ctx: { home: () => HomeLayout }): void {
  program
    .command('serve')
    .description('run the companion daemon (HTTP status page + WebSocket API)')
    .option('-p, --port <port>', 'port to listen on (default from config: 7787)', (v) => parsePort(v))
    .option('--host <host>', 'address to bind (loopback only unless --allow-remote)')
    .option('--allow-remote', 'allow binding a non-loopback address (use TLS in config.json)')
    .action(async (opts: { port?: number; host?: string; allowRemote?: boolean }) => {
      const home = ctx.home();
      const logger = createLogger();
      // Handlers go in before the daemon writes daemon.json: a SIGTERM that arrives as soon as a
      // supervisor sees that file must still run the clean shutdown (which removes it), not
      // Node's default kill.
      let daemon: Awaited<ReturnType<typeof startDaemon>> | undefined;
      let stopRequested = false;
      let stopping = false;
      const stop = async () => {
        stopRequested = true;
        if (stopping || !daemon) return;
        stopping = true;
        try {
          await daemon.close();
        } catch (e) {
          logger.error({ err: e }, 'error during shutdown');
        }
        process.exit(0);
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
      const { config, file, created } = await loadConfig(home.config);
      if (created) logger.info({ file }, 'wrote default config');
      const allowRemote = opts.allowRemote ?? config.allowRemote;
      const host = opts.host ?? config.host;
      if (allowRemote && !config.tls) {
        process.stderr.write(
          `\n!!! WARNING: --allow-remote without TLS. Tokens and images cross the network in clear text.\n` +
            `!!! Anyone on this network who learns a token can run jobs. Set "tls" in ${file}.\n\n`,
        );
      }
      daemon = await startDaemon({ home, config, logger, port: opts.port, host, allowRemote });
      process.stdout.write(
        `Stipple daemon on ${daemon.url}  (status page: ${daemon.url}/, pair a plugin: npx stipple pair)\n`,
      );
      if (stopRequested) await stop();
    });
}

function parsePort(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65535)
    throw new Error(`--port must be an integer 0–65535, got ${v}`);
  return n;
}
