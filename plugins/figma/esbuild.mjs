// Builds the Figma plugin into plugins/figma/dist/: the sandbox bundle (code.js, the `main`
// of manifest.json) and the UI (ui.html with its script inlined: Figma loads one HTML file).
// Called by scripts/build.mjs (`node scripts/build.mjs figma`) through `build()`.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const here = path.dirname(fileURLToPath(import.meta.url));
const dist = path.join(here, 'dist');

/** Figma's sandbox runs an older JS engine: keep the output plain ES2017. */
const SANDBOX_TARGET = 'es2017';

async function buildSandbox() {
  await esbuild.build({
    entryPoints: [path.join(here, 'src/sandbox/code.ts')],
    outfile: path.join(dist, 'code.js'),
    bundle: true,
    format: 'iife',
    platform: 'neutral',
    mainFields: ['module', 'main'],
    target: SANDBOX_TARGET,
    minify: true,
    legalComments: 'none',
    logLevel: 'warning',
  });
}

async function buildUi() {
  const result = await esbuild.build({
    entryPoints: [path.join(here, 'src/ui/ui.ts')],
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: 'es2020',
    minify: true,
    legalComments: 'none',
    write: false,
    logLevel: 'warning',
  });
  // `</script` inside the bundle would end the inline script early.
  const js = result.outputFiles[0].text.replace(/<\/script/gi, '<\\/script');
  const template = await readFile(path.join(here, 'src/ui/ui.html'), 'utf8');
  const marker = '/*__UI_SCRIPT__*/';
  if (!template.includes(marker)) throw new Error(`ui.html has no ${marker} placeholder`);
  await writeFile(
    path.join(dist, 'ui.html'),
    template.replace(marker, () => js),
  );
}

export async function build() {
  await mkdir(dist, { recursive: true });
  await Promise.all([buildSandbox(), buildUi()]);
}
