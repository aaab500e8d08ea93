// Issue 8, item 7: SECURITY.md exists at the root and covers the threat model and reporting.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { repoRoot } from '../helpers/fixtures';

test('SECURITY.md names the four adversaries, the defences and how to report', () => {
  const doc = readFileSync(path.join(repoRoot, 'SECURITY.md'), 'utf8');
  for (const heading of [
    '## Threat model',
    '## What the daemon defends, and how',
    '## Reporting a problem',
  ]) {
    assert.ok(doc.includes(heading), heading);
  }
  for (const adversary of [
    'Local web pages',
    'Other local users',
    'Malicious model files',
    'Hostile networks',
  ]) {
    assert.ok(doc.includes(adversary), adversary);
  }
  assert.match(doc, /--allow-remote/);
  assert.match(doc, /timingSafeEqual/);
});
