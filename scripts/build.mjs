// Builds the daemon CLI and both plugins with esbuild.
// Usage: node scripts/build.mjs [daemon|figma|vscode|package-vscode ...]   (no argument: all but packaging)
// Each plugin owns its build in plugins/<name>/esbuild.mjs (exporting `build()`), so the
// plugin teams never edit this file.
import { existsSync } from 'node:fs';
import { chmod } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as esbuild from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

async function buildDaemon() {
  const common = {
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    packages: 'external',
    sourcemap: true,
    logLevel: 'warning',
  };
  await esbuild.build({
    ...common,
    entryPoints: {
      stipple: path.join(root, 'companion/main.ts'),
      'pipeline-worker': path.join(root, 'companion/jobs/pipeline-worker-main.ts'),
    },
    outdir: path.join(root, 'dist'),
    banner: { js: '#!/usr/bin/env node' },
  });
  await chmod(path.join(root, 'dist/stipple.js'), 0o755);
}

async function buildPlugin(name) {
  const script = path.join(root, 'plugins', name, 'esbuild.mjs');
  if (!existsSync(script)) return;
  const mod = await import(pathToFileURL(script).href);
  await mod.build();
}

const targets = process.argv.slice(2);
const all = targets.length === 0;
if (all || targets.includes('daemon')) await buildDaemon();
if (all || targets.includes('figma')) await buildPlugin('figma');
if (all || targets.includes('vscode')) await buildPlugin('vscode');
if (targets.includes('package-vscode')) {
  const mod = await import(pathToFileURL(path.join(root, 'plugins/vscode/esbuild.mjs')).href);
  console.log(`packaged ${await mod.packageVsix()}`);
}
