import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { TokenStore } from '../../../companion/server/token-store';

function store() {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'stipple-tokens-'));
  return { dir, s: new TokenStore(path.join(dir, 'token'), path.join(dir, 'tokens.json')) };
}

test('the token file is created with mode 0600 and at least 128 bits of entropy', async () => {
  const { dir, s } = store();
  await s.load();
  const file = path.join(dir, 'token');
  assert.equal(statSync(file).mode & 0o777, 0o600);
  const token = readFileSync(file, 'utf8').trim();
  assert.ok(Buffer.from(token, 'base64url').length >= 16);
  assert.ok(s.verify(token)?.primary);
});

test('the same token survives a restart; a wrong token is refused', async () => {
  const { dir, s } = store();
  await s.load();
  const again = new TokenStore(path.join(dir, 'token'), path.join(dir, 'tokens.json'));
  await again.load();
  assert.equal(again.primaryToken, s.primaryToken);
  assert.equal(again.verify(`${s.primaryToken}x`), null);
  assert.equal(again.verify(''), null);
});

test('paired tokens are stored hashed, listed and revocable', async () => {
  const { dir, s } = store();
  await s.load();
  const { token, tokenId } = await s.issue('figma');
  assert.ok(!readFileSync(path.join(dir, 'tokens.json'), 'utf8').includes(token));
  assert.equal(s.verify(token)?.tokenId, tokenId);
  assert.ok(s.list().some((t) => t.tokenId === tokenId && t.client === 'figma'));
  const revoked: string[] = [];
  s.onRevoke((id) => revoked.push(id));
  assert.equal(await s.revoke(tokenId), true);
  assert.equal(s.verify(token), null);
  assert.deepEqual(revoked, [tokenId]);
});

test('regenerating the primary token invalidates the old one', async () => {
  const { s } = store();
  await s.load();
  const old = s.primaryToken;
  await s.regeneratePrimary();
  assert.equal(s.verify(old), null);
  assert.ok(s.verify(s.primaryToken));
});
