import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PAIRING_TTL_MS, PairingCodes } from '../../../companion/server/pairing-codes';

test('a pairing code is six digits and works once', () => {
  const p = new PairingCodes();
  const { code } = p.issue();
  assert.match(code, /^\d{6}$/);
  assert.deepEqual(p.redeem(code), { ok: true });
  assert.deepEqual(p.redeem(code), { ok: false, reason: 'no_code' });
});

test('a pairing code expires after five minutes', () => {
  let now = 1_000_000;
  const p = new PairingCodes(() => now);
  const { code } = p.issue();
  now += PAIRING_TTL_MS + 1;
  assert.deepEqual(p.redeem(code), { ok: false, reason: 'expired' });
});

test('five wrong attempts void the code, so the sixth attempt fails even with the right code', () => {
  const p = new PairingCodes();
  const { code } = p.issue();
  const wrong = code === '000000' ? '111111' : '000000';
  for (let i = 0; i < 4; i++) assert.deepEqual(p.redeem(wrong), { ok: false, reason: 'wrong' });
  assert.deepEqual(p.redeem(wrong), { ok: false, reason: 'exhausted' });
  assert.equal(p.redeem(code).ok, false);
});
