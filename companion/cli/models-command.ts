// `stipple models list | pull | rm | verify | import`: a thin shell over ModelManager that
// reads HF_ENDPOINT / HF_TOKEN, draws a progress bar (cli-progress) on stderr and turns
// ModelErrors into one readable line and a non-zero exit code.
import cliProgress from 'cli-progress';
import type { Command } from 'commander';
import { pino } from 'pino';
import { hubConfigFromEnv } from '../models/hub-client.js';
import { isModelError } from '../models/model-errors.js';
import { ModelManager } from '../models/model-manager.js';
import type { ModelManifest } from '../models/model-store.js';
import type { PullProgress } from '../models/pull-progress.js';

type Logger = pino.Logger;

export interface ModelsCommandContext {
  home: string;
  logger?: Logger;
  env?: Record<string, string | undefined>;
  /** Overrides for tests (disk budget, retry timing). */
  manager?: ModelManager;
}

function formatBytes(n: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(i === 0 ? 0 : 1)} ${units[i]}`;
}

function formatEta(sec: number | null): string {
  if (sec === null) return '--:--';
  const m = Math.floor(sec / 60);
  return `${m}:${String(Math.floor(sec % 60)).padStart(2, '0')}`;
}

function summary(m: ModelManifest): string {
  const src = m.source.kind === 'hub' ? `${m.source.repo}@${m.source.commit.slice(0, 10)}` : m.source.path;
  return `${m.id.padEnd(28)} ${formatBytes(m.totalBytes).padStart(9)}  ${(m.family ?? '-').padEnd(12)} ${src}`;
}

/** Runs an action, printing ModelErrors as `error [CODE]: message` and setting exit code 1. */
function guarded<A extends unknown[]>(fn: (...args: A) => Promise<void>): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      await fn(...args);
    } catch (err) {
      if (isModelError(err)) {
        process.stderr.write(`error [${err.code}]: ${err.message}\n`);
      } else {
        process.stderr.write(`error: ${err instanceof Error ? err.message : String(err)}\n`);
      }
      process.exitCode = 1;
    }
  };
}

function progressBar(): { update(e: PullProgress): void; stop(): void } {
  const bar = new cliProgress.SingleBar(
    {
      format: '{phase} |{bar}| {percentage}% {doneBytes}/{totalBytes} {rate}/s eta {etaText} {file}',
      stream: process.stderr,
      hideCursor: true,
      barsize: 30,
    },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  return {
    update(e) {
      const payload = {
        phase: e.phase.padEnd(11),
        doneBytes: formatBytes(e.bytesDone),
        totalBytes: formatBytes(e.bytesTotal),
        rate: formatBytes(e.rateBytesPerSec),
        etaText: formatEta(e.etaSec),
        file: e.file ?? '',
      };
      if (e.phase === 'resolving') return;
      if (!started) {
        bar.start(Math.max(1, e.bytesTotal), e.bytesDone, payload);
        started = true;
      }
      bar.setTotal(Math.max(1, e.bytesTotal));
      bar.update(e.bytesDone, payload);
    },
    stop() {
      if (started) bar.stop();
    },
  };
}

export function registerModelsCommand(program: Command, ctx: ModelsCommandContext): void {
  const env = ctx.env ?? process.env;
  const logger = ctx.logger ?? pino({ level: env.STIPPLE_LOG_LEVEL ?? 'warn' }, pino.destination(2));
  let manager = ctx.manager;
  const getManager = () => {
    manager ??= new ModelManager({ home: ctx.home, logger, hub: hubConfigFromEnv(env) });
    return manager;
  };

  const models = program.command('models').description('list, download, remove, verify and import models');

  models
    .command('list')
    .description('installed models (and, with --all, the catalog)')
    .option('--all', 'also show catalog models that are not installed')
    .option('--json', 'print JSON')
    .action(
      guarded(async (opts: { all?: boolean; json?: boolean }) => {
        const m = getManager();
        const installed = await m.list();
        if (opts.json) {
          const out = opts.all ? { installed, catalog: await m.catalog() } : installed;
          process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
          return;
        }
        if (installed.length === 0)
          process.stdout.write('no models installed (try `stipple models pull sd-turbo`)\n');
        for (const man of installed) process.stdout.write(`${summary(man)}\n`);
        if (opts.all) {
          process.stdout.write('\ncatalog:\n');
          for (const e of await m.catalog()) {
            const mark = e.installed ? '*' : ' ';
            const def = e.isDefault ? ' (default)' : '';
            process.stdout.write(
              `${mark} ${e.id.padEnd(18)} ~${formatBytes(e.approxSizeBytes).padStart(9)}  ${e.repo}${def}  [${e.license}]\n`,
            );
          }
        }
      }),
    );

  models
    .command('pull')
    .description('download a catalog model (e.g. sd-turbo) or a hub repo (owner/name[@revision])')
    .argument('<ref>', 'catalog id or owner/name[@revision]')
    .option('--force', 'download again even if installed')
    .action(
      guarded(async (ref: string, opts: { force?: boolean }) => {
        const plan = getManager().planPull(ref);
        const about = plan.catalog
          ? `~${formatBytes(plan.catalog.approxSizeBytes)}, license ${plan.catalog.license}`
          : 'check the repo license before use';
        process.stderr.write(
          `pulling ${plan.id} from ${plan.repo}@${plan.revision.slice(0, 12)} (${about})\n`,
        );
        const controller = new AbortController();
        const onSigint = () => controller.abort();
        process.once('SIGINT', onSigint);
        const bar = progressBar();
        try {
          const manifest = await getManager().pull(ref, {
            force: opts.force,
            signal: controller.signal,
            onProgress: (e) => bar.update(e),
          });
          bar.stop();
          const where = getManager().store.modelDir(manifest.id);
          process.stdout.write(
            `installed ${manifest.id}: ${manifest.files.length} files, ${formatBytes(manifest.totalBytes)} in ${where}\n`,
          );
        } catch (err) {
          bar.stop();
          if (isModelError(err, 'E_CANCELLED')) {
            process.stderr.write('cancelled; run the same command again to resume\n');
            process.exitCode = 130;
            return;
          }
          throw err;
        } finally {
          process.removeListener('SIGINT', onSigint);
        }
      }),
    );

  models
    .command('rm')
    .description('remove an installed model')
    .argument('<id>')
    .action(
      guarded(async (id: string) => {
        await getManager().remove(id);
        process.stdout.write(`removed ${id}\n`);
      }),
    );

  models
    .command('verify')
    .description('re-hash every file of an installed model against its manifest')
    .argument('<id>')
    .action(
      guarded(async (id: string) => {
        const report = await getManager().verify(id);
        if (report.ok) {
          process.stdout.write(`${id}: ${report.filesChecked} files OK\n`);
          return;
        }
        for (const p of report.problems) process.stdout.write(`${id}: ${p.path}: ${p.problem}\n`);
        process.exitCode = 1;
      }),
    );

  models
    .command('import')
    .description('copy (or link) a local diffusers ONNX folder into the store')
    .argument('<folder>')
    .option('--link', 'record a link to the folder instead of copying it')
    .option('--id <id>', 'model id (default: the folder name)')
    .action(
      guarded(async (folder: string, opts: { link?: boolean; id?: string }) => {
        const manifest = await getManager().import(folder, {
          mode: opts.link ? 'link' : 'copy',
          id: opts.id,
        });
        process.stdout.write(
          `imported ${manifest.id}: ${manifest.files.length} files, ${formatBytes(manifest.totalBytes)}\n`,
        );
      }),
    );
}
