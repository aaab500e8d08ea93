// Type-checks every TypeScript project in the repo: the root (daemon, shared, tests) and
// each plugin runtime, which has its own tsconfig (Figma sandbox vs UI, VS Code host vs webview).
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const projects = ['tsconfig.json'];
for (const plugin of ['figma', 'vscode']) {
  const dir = path.join(root, 'plugins', plugin);
  if (!existsSync(dir)) continue;
  for (const f of readdirSync(dir).sort()) {
    if (/^tsconfig.*\.json$/.test(f)) projects.push(path.join('plugins', plugin, f));
  }
}
const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');
let failed = false;
for (const p of projects) {
  const r = spawnSync(process.execPath, [tsc, '-p', p, '--noEmit'], { cwd: root, stdio: 'inherit' });
  console.log(`typecheck ${p}: ${r.status === 0 ? 'ok' : 'FAILED'}`);
  if (r.status !== 0) failed = true;
}
process.exit(failed ? 1 : 0);
