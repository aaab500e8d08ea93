// Tokens that authenticate clients. The primary token lives in the token file (mode 0600,
// 256 random bits) that same-machine clients read; pairing hands out further tokens, stored
// only as sha256 hashes in tokens.json, listable and revocable. All comparisons are constant-time.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { writeFileAtomic } from '../config/atomic-write';

const PairedToken = z.object({
  tokenId: z.string(),
  client: z.string(),
  createdAt: z.string(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
});
const TokensFile = z.object({ tokens: z.array(PairedToken) });
type PairedToken = z.infer<typeof PairedToken>;

export interface TokenIdentity {
  tokenId: string;
  client: string;
  primary: boolean;
}

function sha256(s: string): Buffer {
  return createHash('sha256').update(s, 'utf8').digest();
}

/** Constant-time equality of two strings (hashing first equalises lengths). */
export function safeEqual(a: string, b: string): boolean {
  return timingSafeEqual(sha256(a), sha256(b));
}

export function newToken(): string {
  return randomBytes(32).toString('base64url');
}

export class TokenStore {
  private primary = '';
  private paired: PairedToken[] = [];
  private readonly revokeListeners = new Set<(tokenId: string) => void>();

  constructor(
    private readonly tokenFile: string,
    private readonly tokensFile: string,
  ) {}

  async load(): Promise<void> {
    await mkdir(path.dirname(this.tokenFile), { recursive: true, mode: 0o700 });
    if (existsSync(this.tokenFile)) {
      this.primary = (await readFile(this.tokenFile, 'utf8')).trim();
      await chmod(this.tokenFile, 0o600);
    }
    if (this.primary.length < 22) await this.regeneratePrimary();
    if (existsSync(this.tokensFile)) {
      const parsed = TokensFile.safeParse(JSON.parse(await readFile(this.tokensFile, 'utf8')));
      this.paired = parsed.success ? parsed.data.tokens : [];
    }
  }

  get primaryToken(): string {
    return this.primary;
  }

  onRevoke(cb: (tokenId: string) => void): void {
    this.revokeListeners.add(cb);
  }

  /** Writes a new primary token; sessions authenticated with the old one are cut. */
  async regeneratePrimary(): Promise<string> {
    this.primary = newToken();
    await writeFileAtomic(this.tokenFile, `${this.primary}\n`, 0o600);
    await chmod(this.tokenFile, 0o600);
    for (const l of this.revokeListeners) l('primary');
    return this.primary;
  }

  verify(token: string): TokenIdentity | null {
    if (this.primary && safeEqual(token, this.primary))
      return { tokenId: 'primary', client: 'local', primary: true };
    const h = sha256(token);
    let found: PairedToken | null = null;
    for (const t of this.paired) {
      if (timingSafeEqual(h, Buffer.from(t.sha256, 'hex'))) found = t;
    }
    return found ? { tokenId: found.tokenId, client: found.client, primary: false } : null;
  }

  async issue(client: string): Promise<{ token: string; tokenId: string }> {
    const token = newToken();
    const tokenId = randomBytes(6).toString('hex');
    this.paired.push({
      tokenId,
      client,
      createdAt: new Date().toISOString(),
      sha256: sha256(token).toString('hex'),
    });
    await this.save();
    return { token, tokenId };
  }

  list(): Array<{ tokenId: string; client: string; createdAt: string; primary: boolean }> {
    return [
      { tokenId: 'primary', client: 'local (token file)', createdAt: '', primary: true },
      ...this.paired.map((t) => ({
        tokenId: t.tokenId,
        client: t.client,
        createdAt: t.createdAt,
        primary: false,
      })),
    ];
  }

  async revoke(tokenId: string): Promise<boolean> {
    if (tokenId === 'primary') {
      await this.regeneratePrimary();
      return true;
    }
    const before = this.paired.length;
    this.paired = this.paired.filter((t) => t.tokenId !== tokenId);
    if (this.paired.length === before) return false;
    await this.save();
    for (const l of this.revokeListeners) l(tokenId);
    return true;
  }

  private async save(): Promise<void> {
    await writeFileAtomic(this.tokensFile, `${JSON.stringify({ tokens: this.paired }, null, 2)}\n`, 0o600);
  }
}
