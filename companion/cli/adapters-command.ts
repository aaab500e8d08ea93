// `stipple lora | embedding | vae  list | import | rm`: the LoRA, embedding and VAE entries of the store
// (companion/models/adapter-store.ts). Imports are verified (strict safetensors, parsed as a LoRA or an
// embedding; pickles refused with the reason) before anything is written.
import type { Command } from 'commander';
import { type AdapterEntry, type AdapterKind, AdapterStore } from '../models/adapter-store.js';
import { AdapterError } from '../pipeline/lora/adapter-errors.js';

export interface AdaptersCommandContext {
  /** The data home (models/, loras/, embeddings/, vaes/). */
  home: string;
  stdout?: (text: string) => void;
}

function line(e: AdapterEntry): string {
  const extra =
    e.kind === 'embedding'
      ? `token ${e.token ?? e.name} (${e.vectors ?? '?'} vectors)`
      : e.kind === 'lora'
        ? e.triggerWords?.length
          ? `triggers: ${e.triggerWords.join(', ')}`
          : ''
        : '';
  const mb = `${(e.sizeBytes / 1e6).toFixed(1)} MB`;
  return `${e.name.padEnd(28)} ${mb.padStart(10)}  ${e.familyLabel.padEnd(22)} ${e.verified ? '' : '(unverified) '}${extra}`;
}

export function registerAdaptersCommands(program: Command, ctx: AdaptersCommandContext): void {
  const out = ctx.stdout ?? ((t: string) => void process.stdout.write(t));
  const store = () => new AdapterStore(ctx.home);
  const fail = (err: unknown): never => {
    if (err instanceof AdapterError)
      throw Object.assign(new Error(`${err.code}: ${err.message}`), { code: err.code });
    throw err;
  };
  const kinds: [AdapterKind, string][] = [
    ['lora', 'LoRAs (<lora:name:weight> in prompts, --lora in generate)'],
    ['embedding', 'textual-inversion embeddings (type their token in a prompt)'],
    ['vae', 'VAEs (--vae in generate)'],
  ];
  for (const [kind, what] of kinds) {
    const cmd = program.command(kind).description(`installed ${what}`);
    cmd
      .command('list')
      .option('--json', 'print JSON')
      .action(async (o: { json?: boolean }) => {
        const list = await store().list(kind);
        if (o.json) out(`${JSON.stringify(list, null, 2)}\n`);
        else
          out(
            list.length
              ? `${list.map(line).join('\n')}\n`
              : `no ${kind}s installed (${store().folder(kind)})\n`,
          );
      });
    cmd
      .command('import')
      .argument(kind === 'vae' ? '<folder>' : '<file.safetensors>')
      .option('--name <name>', 'name to install it under (default: the file or folder name)')
      .action(async (src: string, o: { name?: string }) => {
        try {
          const opts = o.name ? { name: o.name } : {};
          const e =
            kind === 'vae' ? await store().importVae(src, opts) : await store().importFile(kind, src, opts);
          out(`${line(e)}\n`);
        } catch (err) {
          fail(err);
        }
      });
    cmd
      .command('rm')
      .argument('<name>')
      .action(async (name: string) => {
        try {
          await store().remove(kind, name);
          out(`removed ${kind} ${name}\n`);
        } catch (err) {
          fail(err);
        }
      });
  }
}
