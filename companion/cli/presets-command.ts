// `stipple presets list | import <file> | export [file]`: built-in and user style presets. User
// presets are JSON files in <STIPPLE_HOME>/presets (ours or Fooocus/SDXL-styles packs, as they are).
import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import type { HomeLayout } from '../config/stipple-home';
import { PresetStore } from '../server/preset-store';

export function registerPresetsCommand(program: Command, ctx: { home: () => HomeLayout }): void {
  const presets = program.command('presets').description('list, import and export style presets');
  const store = () => new PresetStore(ctx.home().presets);
  presets
    .command('list')
    .description('built-in and user presets')
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }) => {
      const { presets: all, problems } = await store().all();
      if (opts.json) process.stdout.write(`${JSON.stringify({ presets: all, problems }, null, 2)}\n`);
      else {
        for (const p of all) process.stdout.write(`${p.id.padEnd(28)} ${p.source.padEnd(8)} ${p.name}\n`);
        for (const p of problems) process.stderr.write(`skipped ${p.message}\n`);
      }
    });
  presets
    .command('import')
    .description('validate a style pack (ours or Fooocus/SDXL-styles JSON) and add it to the user presets')
    .argument('<file>', 'JSON file')
    .action(async (file: string) => {
      const added = await store().import(file);
      process.stdout.write(`imported ${added.length} preset(s): ${added.map((p) => p.id).join(', ')}\n`);
    });
  presets
    .command('export')
    .description('write the user presets as one style pack (stdout without a file)')
    .argument('[file]', 'output file')
    .action(async (file?: string) => {
      const text = await store().exportUser();
      if (file) await writeFile(file, text);
      else process.stdout.write(text);
    });
}
