// The composition root and CLI: `stipple serve | pair | models | generate | tokenize | parse-prompt | prompt`.
// Reads the environment once and hands each command what it needs.
import { Command, CommanderError } from 'commander';
import { registerAdaptersCommands } from './cli/adapters-command';
import { registerGenerateCommand } from './cli/generate-command';
import { registerModelsCommand } from './cli/models-command';
import { registerPairCommand } from './cli/pair-command';
import { registerPresetsCommand } from './cli/presets-command';
import { registerPromptCommand } from './cli/prompt-command';
import { registerServeCommand } from './cli/serve-command';
import { registerTokenizeCommands } from './cli/tokenize-command';
import { resolveHome } from './config/stipple-home';
import { silentLogger } from './logger';
import { hubConfigFromEnv } from './models/hub-client';
import { ModelManager } from './models/model-manager';
import { STIPPLE_VERSION } from './version';

export function buildProgram(env: NodeJS.ProcessEnv = process.env): Command {
  const home = () => resolveHome(env);
  const program = new Command('stipple')
    .description('Stipple: local Stable Diffusion for Figma and VS Code')
    .version(STIPPLE_VERSION)
    .showHelpAfterError()
    .exitOverride();
  registerServeCommand(program, { home });
  registerPairCommand(program, { home });
  registerModelsCommand(program, { home: home().data, env });
  // One model store view for every command that resolves a model (built lazily: most commands never need it).
  const manager = () =>
    new ModelManager({ home: home().data, logger: silentLogger(), hub: hubConfigFromEnv(env) });
  const resolveModel = async (idOrDir: string) => {
    const r = await manager().resolve(idOrDir);
    return { dir: r.dir, name: r.manifest?.name ?? r.manifest?.id ?? idOrDir, family: r.manifest?.family };
  };
  registerGenerateCommand(program, {
    home: home().data,
    resolveModel,
    installedTinyDecoder: (family) => manager().installedTinyDecoder(family),
  });
  registerTokenizeCommands(program, { resolveModel });
  registerPresetsCommand(program, { home });
  registerAdaptersCommands(program, { home: home().data });
  registerPromptCommand(program, {
    home,
    resolveModel,
    defaultModel: async () => (await manager().list()).find((m) => m.kind === 'pipeline')?.id ?? null,
  });
  return program;
}

async function main(): Promise<void> {
  const program = buildProgram();
  try {
    await program.parseAsync(process.argv);
  } catch (e) {
    if (e instanceof CommanderError) process.exit(e.exitCode);
    const err = e as Error & { code?: string };
    process.stderr.write(`stipple: ${err.message}\n`);
    process.exit(1);
  }
}

await main();
