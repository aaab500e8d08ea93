// A minimal `stipple models …` entry used by tests (and usable by hand) until the main CLI
// wires registerModelsCommand in. Home: STIPPLE_HOME, else the platform data folder.
import os from 'node:os';
import { Command } from 'commander';
import { stipplePaths } from '../../shared/protocol/home-paths.js';
import { registerModelsCommand } from '../cli/models-command.js';

const program = new Command('stipple');
registerModelsCommand(program, { home: stipplePaths(process.env, process.platform, os.homedir()).data });
await program.parseAsync(process.argv);
