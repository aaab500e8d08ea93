// The plugin's two runtimes stay apart: the UI never imports sandbox code and the sandbox never
// imports UI code or the network client; the contract between them imports only zod/mini.
// (tsconfig `include` alone cannot enforce this: imports are followed wherever they lead.)
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { repoRoot } from '../../helpers/fixtures';

const src = path.join(repoRoot, 'plugins/figma/src');

function imports(dir: string): { file: string; spec: string; typeOnly: boolean }[] {
  return readdirSync(path.join(src, dir))
    .filter((f) => f.endsWith('.ts'))
    .flatMap((f) => {
      const text = readFileSync(path.join(src, dir, f), 'utf8');
      return [...text.matchAll(/^import\s+(type\s+)?[^;]*?from\s+'([^']+)'/gms)].map((m) => ({
        file: `${dir}/${f}`,
        spec: m[2],
        typeOnly: Boolean(m[1]),
      }));
    });
}

test('UI code imports nothing from the sandbox', () => {
  const found = imports('ui');
  assert.ok(found.length > 20, `the import scan finds the UI's imports (${found.length})`);
  const bad = found.filter((i) => i.spec.includes('/sandbox/'));
  assert.deepEqual(bad, []);
});

test('sandbox code imports no UI code, no DOM helpers and no network client', () => {
  const bad = imports('sandbox').filter(
    (i) => i.spec.includes('/ui/') || i.spec.includes('stipple-client') || i.spec.includes('shared/prompt'),
  );
  assert.deepEqual(bad, []);
});

test('the contract depends on zod/mini only', () => {
  assert.deepEqual(
    imports('contract').map((i) => i.spec),
    ['zod/mini'],
  );
});

test('plugins never import the daemon', () => {
  const all = [...imports('ui'), ...imports('sandbox'), ...imports('contract')];
  assert.deepEqual(
    all.filter((i) => i.spec.includes('companion/')),
    [],
  );
});
