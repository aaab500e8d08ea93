// Builds the VS Code extension: the host bundle (CommonJS for the extension host, with `ws`,
// zod and shared/ inside, `vscode` left to the host) and one browser bundle per webview.
// `build()` is called by scripts/build.mjs; `packageVsix()` builds then runs vsce into dist/.
import { spawnSync } from 'node:child_process';
import { copyFile, mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const here = path.dirname(fileURLToPath(import.meta.url));
const dist = path.join(here, 'dist');

export async function build({ minify = false } = {}) {
  await mkdir(path.join(dist, 'webview'), { recursive: true });
  await esbuild.build({
    entryPoints: { extension: path.join(here, 'src/host/extension.ts') },
    outdir: dist,
    outExtension: { '.js': '.cjs' },
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    external: ['vscode', 'bufferutil', 'utf-8-validate'],
    sourcemap: 'linked',
    minify,
    logLevel: 'warning',
  });
  await esbuild.build({
    entryPoints: {
      'side-panel': path.join(here, 'src/webview/side-panel-main.ts'),
      'mask-editor': path.join(here, 'src/webview/mask-editor-main.ts'),
      candidates: path.join(here, 'src/webview/candidates-main.ts'),
    },
    outdir: path.join(dist, 'webview'),
    bundle: true,
    platform: 'browser',
    target: 'es2022',
    format: 'iife',
    minify,
    logLevel: 'warning',
  });
  await copyFile(path.join(here, 'src/webview/webview.css'), path.join(dist, 'webview/webview.css'));
}

/** Builds and packages `dist/stipple-vscode-<version>.vsix`; returns its path. */
export async function packageVsix() {
  await build({ minify: true });
  const manifest = JSON.parse(await readFile(path.join(here, 'package.json'), 'utf8'));
  const out = path.join(dist, `${manifest.name}-${manifest.version}.vsix`);
  const vsce = path.join(here, '../../node_modules/@vscode/vsce/vsce');
  const r = spawnSync(
    process.execPath,
    [
      vsce,
      'package',
      '--allow-missing-repository',
      '--no-dependencies',
      '--no-rewrite-relative-links',
      '--out',
      out,
    ],
    { cwd: here, stdio: 'inherit' },
  );
  if (r.status !== 0) throw new Error(`vsce package failed with exit code ${r.status}`);
  return out;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const cmd = process.argv[2] ?? 'build';
  if (cmd === 'package') console.log(await packageVsix());
  else await build();
}
