// Headless Debian Chromium driven by playwright-core (never a downloaded browser), with the
// flags PLATFORM-NOTES lists for this machine. Tests skip with a message when it is absent.
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { type Browser, chromium } from 'playwright-core';
import { repoRoot } from './fixtures';

export const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const skipNoChromium = existsSync(chromiumPath)
  ? false
  : `Chromium not found at ${chromiumPath} (apt-get install chromium)`;

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-dev-shm-usage',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
    ],
  });
}

/** Where screenshots go; CI keeps this folder as artifacts. */
export function artifactPath(...parts: string[]): string {
  const p = path.join(repoRoot, '.test-artifacts', ...parts);
  mkdirSync(path.dirname(p), { recursive: true });
  return p;
}
