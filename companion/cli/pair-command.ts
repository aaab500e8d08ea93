// `stipple pair`: asks the running daemon for a fresh pairing code (authenticated with the token
// file) and prints it for the user to type into a plugin.
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import type { HomeLayout } from '../config/stipple-home';

export async function readDaemonInfo(home: HomeLayout): Promise<{ url: string; token: string }> {
  let info: { url?: string };
  try {
    info = JSON.parse(await readFile(home.daemonInfoFile, 'utf8'));
  } catch {
    throw new Error(
      `the Stipple daemon is not running (no ${home.daemonInfoFile}); start it with \`npm start\` or \`npx stipple serve\``,
    );
  }
  const token = (await readFile(home.tokenFile, 'utf8')).trim();
  if (!info.url) throw new Error(`${home.daemonInfoFile} has no url`);
  return { url: info.url, token };
}

export function registerPairCommand(program: Command, ctx: { home: () => HomeLayout }): void {
  program
    .command('pair')
    .description('print a fresh pairing code of the running daemon (valid 5 minutes)')
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }) => {
      const { url, token } = await readDaemonInfo(ctx.home());
      let res: Response;
      try {
        res = await fetch(`${url}/api/pairing-code`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: '{}',
        });
      } catch {
        throw new Error(
          `cannot reach the Stipple daemon at ${url}; start it with \`npm start\` or \`npx stipple serve\``,
        );
      }
      if (!res.ok) throw new Error(`the daemon refused: ${res.status} ${await res.text()}`);
      const body = (await res.json()) as { code: string; expiresAt: string };
      if (opts.json) process.stdout.write(`${JSON.stringify(body)}\n`);
      else
        process.stdout.write(
          `Pairing code: ${body.code}\n(type it into the Stipple plugin; valid until ${body.expiresAt})\n`,
        );
    });
}
