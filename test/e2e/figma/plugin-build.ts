// Builds the Figma plugin once per test process, so e2e tests run against what ships.
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { repoRoot } from '../../helpers/fixtures';

let built: Promise<void> | null = null;

export function buildFigmaPlugin(): Promise<void> {
  built ??= import(pathToFileURL(path.join(repoRoot, 'plugins/figma/esbuild.mjs')).href).then(
    (m: { build(): Promise<void> }) => m.build(),
  );
  return built;
}
