// The built Figma UI in headless Chromium with no daemon: what the user sees when the daemon
// is not running, unusable selections, weight nudging and the dark theme.
import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { type Harness, launchBrowser, openHarness, skipNoChromium } from './figma-harness';
import { buildFigmaPlugin } from './plugin-build';

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

describe('Figma UI without a daemon', { skip: skipNoChromium }, () => {
  let browser: Browser;
  let h: Harness;
  before(async () => {
    await buildFigmaPlugin();
    browser = await launchBrowser();
    const port = await closedPort();
    h = await openHarness(browser, (s) => {
      s.prefs = JSON.stringify({ port });
    });
  });
  after(async () => {
    await h?.close();
    await browser?.close();
  });

  test('daemon not running: the panel says so and how to start it', async () => {
    await h.ui.locator('#unreachable').waitFor({ state: 'visible', timeout: 15_000 });
    const text = String(await h.ui.locator('#unreachable').textContent());
    assert.match(text, /not running/);
    assert.match(text, /npx stipple serve/);
    assert.match(text, /npm start/);
    assert.equal(await h.ui.locator('#generate').isDisabled(), true);
    await h.screenshot('daemon-not-running');
  });

  test('an unusable selection says why', async () => {
    await h.sandbox.setSelection({
      mode: null,
      label: 'text',
      reason: 'A text layer cannot hold an image. Select a frame, a shape or an image, or nothing.',
    });
    await h.ui.locator('#selection-reason').waitFor({ state: 'visible' });
    assert.match(
      String(await h.ui.locator('#selection-reason').textContent()),
      /text layer cannot hold an image/,
    );
    await h.screenshot('unusable-selection');
  });

  test('Ctrl/Cmd+Up/Down changes the weight of the word under the cursor', async () => {
    const prompt = h.ui.locator('#prompt');
    await prompt.fill('a red fox');
    await prompt.evaluate((el) => {
      const area = el as unknown as { setSelectionRange(a: number, b: number): void };
      area.setSelectionRange(3, 3);
    });
    await prompt.press('Control+ArrowUp');
    await prompt.press('Control+ArrowUp');
    assert.equal(await prompt.inputValue(), 'a (red:1.2) fox');
    await prompt.press('Meta+ArrowDown');
    assert.equal(await prompt.inputValue(), 'a (red:1.1) fox');
  });

  test('follows Figma’s dark theme through the injected colour variables', async () => {
    await h.ui.evaluate(() => {
      const root = (
        globalThis as unknown as {
          document: {
            documentElement: { className: string; style: { setProperty(k: string, v: string): void } };
          };
        }
      ).document.documentElement;
      root.className = 'figma-dark';
      root.style.setProperty('--figma-color-bg', '#2c2c2c');
      root.style.setProperty('--figma-color-text', '#ffffff');
      root.style.setProperty('--figma-color-bg-secondary', '#383838');
      root.style.setProperty('--figma-color-border', '#444444');
    });
    const bg = await h.ui
      .locator('body')
      .evaluate(
        (b) =>
          (
            globalThis as unknown as { getComputedStyle(e: unknown): { backgroundColor: string } }
          ).getComputedStyle(b).backgroundColor,
      );
    assert.equal(bg, 'rgb(44, 44, 44)');
    await h.screenshot('dark-theme');
  });
});
