// The status page in a real browser: it renders the address, pairing help, models, the queue
// and recent results (with their thumbnails served by the daemon).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { artifactPath, launchChromium, skipNoChromium } from '../helpers/browser';
import { startDaemon, type TestDaemon } from '../helpers/daemon';
import { skipNoFixtures } from '../helpers/fixtures';
import { connectClient } from '../helpers/ws-client';

const skip = skipNoChromium || skipNoFixtures;
let d: TestDaemon;
let browser: Browser;
before(async () => {
  if (skip) return;
  d = await startDaemon({ models: { 'sd15-tiny': 'sd15-tiny' } });
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
  await d?.dispose();
});

test('the status page shows address, pairing, models and a recent result', { skip }, async () => {
  const c = await connectClient(d.wsUrl, d.token);
  await c.generate({
    prompt: 'status page sample',
    width: 64,
    height: 64,
    steps: 2,
    sampler: 'euler',
    seed: 3,
  }).done;
  c.close();
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${d.url}/`);
  assert.match((await page.textContent('#address')) ?? '', new RegExp(`127\\.0\\.0\\.1:${d.port}`));
  assert.match((await page.textContent('body')) ?? '', /npx stipple pair/);
  assert.match((await page.textContent('#models')) ?? '', /sd15-tiny/);
  assert.match((await page.textContent('#recent')) ?? '', /status page sample/);
  const natural = await page.$eval(
    '#recent img',
    (img) => (img as unknown as { naturalWidth: number }).naturalWidth,
  );
  assert.equal(natural, 64, 'the thumbnail loads from /outputs');
  await page.screenshot({ path: artifactPath('status-page.png'), fullPage: true });
  assert.deepEqual(errors, []);
});
