import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { renderProtocolDoc } from '../../../scripts/protocol-doc';
import { ClientMessage } from '../../../shared/protocol/client-messages';
import { ErrorCodes } from '../../../shared/protocol/error-codes';
import { CLIENT_EXAMPLES, SERVER_EXAMPLES } from '../../../shared/protocol/examples';
import { ServerMessage } from '../../../shared/protocol/server-messages';
import { repoRoot } from '../../helpers/fixtures';

test('every documented example is valid against its schema', () => {
  for (const [type, ex] of Object.entries(CLIENT_EXAMPLES)) {
    const r = ClientMessage.safeParse(ex);
    assert.ok(r.success, `${type}: ${r.success ? '' : r.error.message}`);
  }
  for (const [type, ex] of Object.entries(SERVER_EXAMPLES)) {
    const r = ServerMessage.safeParse(ex);
    assert.ok(r.success, `${type}: ${r.success ? '' : r.error.message}`);
  }
});

test('docs/PROTOCOL.md is generated from the current schemas (run `npx tsx scripts/protocol-doc.ts`)', () => {
  const onDisk = readFileSync(path.join(repoRoot, 'docs/PROTOCOL.md'), 'utf8');
  assert.equal(onDisk, renderProtocolDoc());
});

function walk(dir: string, out: string[] = []): string[] {
  for (const f of readdirSync(dir)) {
    const p = path.join(dir, f);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (p.endsWith('.ts')) out.push(p);
  }
  return out;
}

test('every error code used in the daemon, shared code and plugins is in the registry and documented', () => {
  const used = new Set<string>();
  for (const dir of ['companion', 'shared', 'plugins/figma/src', 'plugins/vscode/src']) {
    let files: string[] = [];
    try {
      files = walk(path.join(repoRoot, dir));
    } catch {
      continue;
    }
    for (const f of files)
      for (const m of readFileSync(f, 'utf8').matchAll(/['"`](E_[A-Z0-9_]{4,})['"`]/g)) used.add(m[1]);
  }
  const missing = [...used].filter((c) => !Object.hasOwn(ErrorCodes, c));
  assert.deepEqual(missing, [], 'codes missing from shared/protocol/error-codes.ts');
  const doc = readFileSync(path.join(repoRoot, 'docs/PROTOCOL.md'), 'utf8');
  for (const code of Object.keys(ErrorCodes)) assert.ok(doc.includes(`\`${code}\``), `${code} documented`);
});
