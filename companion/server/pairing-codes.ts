// Short-lived pairing codes: one active code at a time, valid for 5 minutes; 5 wrong
// attempts invalidate it (so guessing a 6-digit code is hopeless). Codes are only
// accepted from loopback peers (checked by the caller).
import { randomInt } from 'node:crypto';
import { safeEqual } from './token-store';

export const PAIRING_TTL_MS = 5 * 60 * 1000;
export const PAIRING_MAX_ATTEMPTS = 5;

export type PairingResult =
  | { ok: true }
  | { ok: false; reason: 'no_code' | 'expired' | 'wrong' | 'exhausted' };

export class PairingCodes {
  private code: string | null = null;
  private expiresAt = 0;
  private failures = 0;

  constructor(private readonly now: () => number = Date.now) {}

  /** A fresh code, replacing any previous one. */
  issue(): { code: string; expiresAt: number } {
    this.code = String(randomInt(0, 1_000_000)).padStart(6, '0');
    this.expiresAt = this.now() + PAIRING_TTL_MS;
    this.failures = 0;
    return { code: this.code, expiresAt: this.expiresAt };
  }

  /** Checks a code; a correct one is consumed. */
  redeem(candidate: string): PairingResult {
    if (this.code === null)
      return { ok: false, reason: this.failures >= PAIRING_MAX_ATTEMPTS ? 'exhausted' : 'no_code' };
    if (this.now() > this.expiresAt) {
      this.code = null;
      return { ok: false, reason: 'expired' };
    }
    if (safeEqual(candidate.trim(), this.code)) {
      this.code = null;
      return { ok: true };
    }
    this.failures++;
    if (this.failures >= PAIRING_MAX_ATTEMPTS) {
      this.code = null;
      return { ok: false, reason: 'exhausted' };
    }
    return { ok: false, reason: 'wrong' };
  }
}
