// End to end in a real VS Code (code-server 4.100.3) with the packaged .vsix installed, a real
// daemon on 127.0.0.1 with the tiny fixture model, and Debian's Chromium driving the workbench.
// One code-server for the whole file (it takes ~20 s to start on 2 cores); the steps run in order.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { deflateSync } from 'node:zlib';
import type { Browser, FrameLocator, Page } from 'playwright-core';
import { startDaemon, type TestDaemon } from '../../helpers/daemon';
import { fixturePath, haveFixtures } from '../../helpers/fixtures';
import { crc32 } from '../../unit/vscode/png-builder';
import {
  answerQuickInput,
  type CodeServer,
  chooseMenuItem,
  freePort,
  launchBrowser,
  openWorkbench,
  quickInputTitle,
  runCommand,
  screenshot,
  skipReason,
  startCodeServer,
  statusBarText,
} from './code-server-harness';

const reason =
  skipReason() ??
  (haveFixtures && existsSync(fixturePath('tiny-sd', 'sd15-tiny')) ? null : 'tiny-sd fixtures not found');
if (reason) console.log(`# vscode e2e skipped: ${reason}`);

/** The bits of a canvas the checks read (the root tsconfig has no DOM types). */
interface CanvasLike {
  width: number;
  height: number;
  getContext(
    kind: '2d',
  ): { getImageData(x: number, y: number, w: number, h: number): { data: ArrayLike<number> } } | null;
}

/** A 64×64 RGB gradient PNG, for the Edit image step. */
function gradientPng(size = 64): Uint8Array {
  const raw = Buffer.alloc((size * 3 + 1) * size);
  for (let y = 0; y < size; y++) {
    raw[y * (size * 3 + 1)] = 0;
    for (let x = 0; x < size; x++) {
      const o = y * (size * 3 + 1) + 1 + x * 3;
      raw[o] = x * 4;
      raw[o + 1] = y * 4;
      raw[o + 2] = 128;
    }
  }
  const chunk = (type: string, data: Uint8Array) => {
    const b = Buffer.alloc(12 + data.length);
    b.writeUInt32BE(data.length, 0);
    b.write(type, 4, 'latin1');
    Buffer.from(data).copy(b, 8);
    b.writeUInt32BE(crc32(b.subarray(4, 8 + data.length)), 8 + data.length);
    return b;
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr.set([8, 2, 0, 0, 0], 8);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', new Uint8Array()),
  ]);
}

async function waitFor<T>(
  what: string,
  probe: () => T | undefined | false | Promise<T | undefined | false>,
  ms = 120_000,
): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

function pngsIn(dir: string, re: RegExp): string[] {
  return existsSync(dir) ? readdirSync(dir).filter((f) => re.test(f)) : [];
}

async function openFile(page: Page, name: string): Promise<void> {
  await page.keyboard.press('Control+P');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor();
  await input.fill(name);
  await page.locator('.quick-input-list .monaco-list-row', { hasText: name }).first().waitFor();
  await page.keyboard.press('Enter');
  await page.locator(`.tab.active[aria-label*="${name}"], .tab.active:has-text("${name}")`).first().waitFor();
  await page.locator('.editor-instance .monaco-editor textarea').first().focus();
}

async function generateHere(page: Page, prompt: string): Promise<void> {
  await runCommand(page, 'Stipple: Generate image asset…');
  await answerQuickInput(page, 'generate image asset', prompt);
  // The preset step appears only when the daemon serves presets.
  const end = Date.now() + 15_000;
  for (;;) {
    const title = await quickInputTitle(page);
    if (title.includes('Style preset')) {
      await answerQuickInput(page, 'Style preset'); // "No preset" comes first
      break;
    }
    if (title.includes('Size') || Date.now() > end) break;
    await page.waitForTimeout(100);
  }
  await answerQuickInput(page, 'Size'); // default from settings
  await answerQuickInput(page, 'How many candidates?'); // 1
}

describe('VS Code extension in code-server', { skip: reason ?? false, timeout: 600_000 }, () => {
  let home: string;
  let workspace: string;
  let port: number;
  let daemon: TestDaemon | undefined;
  let server: CodeServer;
  let browser: Browser;
  let page: Page;

  before(async () => {
    home = await mkdtemp(path.join(tmpdir(), 'stipple-vscode-home-'));
    workspace = await mkdtemp(path.join(tmpdir(), 'stipple-vscode-ws-'));
    await writeFile(path.join(workspace, 'README.md'), '# Site\n\nThe hero image:\n\n');
    await mkdir(path.join(workspace, 'site'));
    await writeFile(path.join(workspace, 'site', 'index.html'), '<main>\n<p>Logo:</p>\n\n</main>\n');
    await mkdir(path.join(workspace, 'images'));
    await writeFile(path.join(workspace, 'images', 'photo.png'), gradientPng());
    port = await freePort();
    server = await startCodeServer({
      workspace,
      env: { STIPPLE_HOME: home },
      settings: {
        'stipple.daemonAddress': `127.0.0.1:${port}`,
        'stipple.defaultSize': '64x64',
        'stipple.steps': 2,
        'stipple.sampler': 'euler',
      },
    });
    browser = await launchBrowser();
    page = await openWorkbench(browser, server.url);
  });

  after(async () => {
    if (page) await screenshot(page, 'zz-last').catch(() => undefined);
    await browser?.close();
    await server?.stop();
    await daemon?.dispose();
    await rm(workspace, { recursive: true, force: true });
    await rm(home, { recursive: true, force: true });
  });

  it('the status bar says "daemon not running" while no daemon listens', async () => {
    await waitFor('status "daemon not running"', async () =>
      (await statusBarText(page)).includes('daemon not running'),
    );
    await screenshot(page, '01-daemon-not-running');
  });

  it('the status bar turns "connected" once the daemon starts (token read from STIPPLE_HOME)', async () => {
    daemon = await startDaemon({
      home,
      port,
      models: { tiny: 'sd15-tiny' },
      config: { defaultModel: 'tiny' },
    });
    await waitFor(
      'status "connected"',
      async () => (await statusBarText(page)).includes('connected'),
      30_000,
    );
    await screenshot(page, '02-connected');
  });

  it('Generate in a Markdown file writes a PNG and inserts ![alt](path) at the cursor', async () => {
    await openFile(page, 'README.md');
    await page.keyboard.press('Control+End');
    await generateHere(page, 'a red fox');
    const dir = path.join(workspace, 'assets/generated');
    const [file] = await waitFor('a-red-fox-*.png', () => {
      const f = pngsIn(dir, /^a-red-fox-\d+\.png$/);
      return f.length ? f : undefined;
    });
    await screenshot(page, '03-markdown-generated');
    await page.keyboard.press('Control+S');
    const text = await waitFor('README saved with the reference', () => {
      const t = readFileSync(path.join(workspace, 'README.md'), 'utf8');
      return t.includes('![') ? t : undefined;
    });
    assert.equal(text, `# Site\n\nThe hero image:\n\n![a red fox](assets/generated/${file})`);
    const png = readFileSync(path.join(dir, file ?? ''));
    assert.deepEqual([...png.subarray(1, 4)], [0x50, 0x4e, 0x47]);
  });

  it('Generate in an HTML file in a sub-folder inserts <img> with a ../ path', async () => {
    await openFile(page, 'index.html');
    await page.keyboard.press('Control+End');
    await page.keyboard.press('ArrowUp');
    await page.keyboard.press('ArrowUp');
    await generateHere(page, 'blue bird logo');
    const dir = path.join(workspace, 'assets/generated');
    const [file] = await waitFor('blue-bird-logo-*.png', () => {
      const f = pngsIn(dir, /^blue-bird-logo-\d+\.png$/);
      return f.length ? f : undefined;
    });
    await page.keyboard.press('Control+S');
    const text = await waitFor('index.html saved', () => {
      const t = readFileSync(path.join(workspace, 'site/index.html'), 'utf8');
      return t.includes('<img') ? t : undefined;
    });
    assert.equal(
      text,
      `<main>\n<p>Logo:</p>\n<img src="../assets/generated/${file}" alt="blue bird logo" width="64" height="64">\n</main>\n`,
    );
    await screenshot(page, '04-html-generated');
  });

  it('Edit image… from the explorer context menu makes a new PNG next to the original', async () => {
    const row = page.locator('.explorer-folders-view .monaco-list-row', { hasText: 'images' }).first();
    await row.click();
    const photo = page.locator('.explorer-folders-view .monaco-list-row', { hasText: 'photo.png' }).first();
    await photo.waitFor();
    await photo.click({ button: 'right' });
    await chooseMenuItem(page, 'Edit image…');
    await answerQuickInput(page, 'Stipple: edit photo.png'); // Variations
    await answerQuickInput(page, 'prompt for the edit', 'a colourful gradient');
    await answerQuickInput(page, 'How far from the original?', '0.75'); // 2 steps × 0.75 leaves 1 step to run
    const [file] = await waitFor('photo-variation-*.png', () => {
      const f = pngsIn(path.join(workspace, 'images'), /^photo-variation-\d+\.png$/);
      return f.length ? f : undefined;
    });
    assert.ok(file);
    assert.ok(existsSync(path.join(workspace, 'images', 'photo.png')), 'the original is kept');
    await screenshot(page, '05-edit-image');
  });

  it('Inpaint: the mask painted in the webview goes to the daemon and a new PNG is saved', async () => {
    const photo = page.locator('.explorer-folders-view .monaco-list-row', { hasText: 'photo.png' }).first();
    await photo.click({ button: 'right' });
    await chooseMenuItem(page, 'Edit image…');
    await answerQuickInput(page, 'Stipple: edit photo.png', 'Inpaint');
    const editor = page.frameLocator('iframe.webview').first().frameLocator('#active-frame');
    const mask = editor.locator('#mask');
    await mask.waitFor();
    await waitFor(
      'the image in the mask editor',
      async () => (await mask.evaluate((c) => (c as unknown as CanvasLike).width)) === 64,
    );
    const box = await mask.boundingBox();
    assert.ok(box, 'the mask canvas is on screen');
    await page.mouse.move(box.x + box.width * 0.2, box.y + box.height * 0.5);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.5, box.y + box.height * 0.4, { steps: 5 });
    await page.mouse.move(box.x + box.width * 0.8, box.y + box.height * 0.6, { steps: 5 });
    await page.mouse.up();
    const painted = await mask.evaluate((el) => {
      const c = el as unknown as CanvasLike;
      const d = c.getContext('2d')?.getImageData(0, 0, c.width, c.height).data ?? [];
      let n = 0;
      for (let i = 3; i < d.length; i += 4) if ((d[i] ?? 0) > 0) n++;
      return n;
    });
    assert.ok(painted > 50, `the brush painted the mask (${painted} pixels)`);
    await editor.locator('#prompt').fill('a glowing orb');
    await screenshot(page, '05b-mask-editor');
    await editor.locator('#done').click();
    const [file] = await waitFor('photo-inpaint-*.png', () => {
      const f = pngsIn(path.join(workspace, 'images'), /^photo-inpaint-\d+\.png$/);
      return f.length ? f : undefined;
    });
    assert.ok(file);
  });

  it('the side panel lists the generated assets and fixes a prompt', async () => {
    await page.locator('.activitybar .action-item a[aria-label^="Stipple"]').first().click();
    const outer = page.frameLocator('.webview.ready, iframe.webview').first();
    const view: FrameLocator = outer.frameLocator('#active-frame');
    await waitFor('gallery with 2 assets', async () => (await view.locator('#gallery figure').count()) >= 2);
    await view.locator('#search').fill('fox');
    await waitFor(
      'search narrows to the fox',
      async () => (await view.locator('#gallery figure').count()) === 1,
    );
    await view.locator('#prompt').fill('(fox:2.5), fox, snow');
    await waitFor('findings', async () => (await view.locator('#findings li').count()) >= 2);
    await screenshot(page, '06-side-panel-findings');
    await view.locator('#fix-all').click();
    const fixed = await waitFor('the fixed prompt', async () => {
      const v = await view.locator('#prompt').inputValue();
      return v !== '(fox:2.5), fox, snow' ? v : undefined;
    });
    assert.equal(fixed, '(fox:1.4), snow');
    assert.notEqual(await view.locator('#negative').inputValue(), '', 'a negative prompt is suggested');
    await screenshot(page, '07-side-panel-fixed');
  });

  it('the status bar says "daemon not running" again when the daemon stops', async () => {
    await daemon?.stop();
    await waitFor(
      'status "daemon not running"',
      async () => (await statusBarText(page)).includes('daemon not running'),
      30_000,
    );
    await screenshot(page, '08-daemon-stopped');
  });
});
