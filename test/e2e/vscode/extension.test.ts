// End to end in a real VS Code (code-server 4.100.3) with the packaged .vsix installed, a real
// daemon on 127.0.0.1 with the tiny fixture model, and Debian's Chromium driving the workbench.
// One code-server for the whole file (it takes ~20 s to start on 2 cores); the steps run in order.
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { deflateSync } from 'node:zlib';
import type { Browser, Frame, Page } from 'playwright-core';
import { silentLogger } from '../../../companion/logger';
import { ModelManager } from '../../../companion/models/model-manager';
import { readPngText } from '../../../shared/png/png-text-chunks';
import { startDaemon, type TestDaemon } from '../../helpers/daemon';
import { type FakeHub, startFakeHub } from '../../helpers/fake-hub';
import { fixturePath } from '../../helpers/fixtures';
import { buildTinyClip } from '../../helpers/tiny-clip';
import { connectClient } from '../../helpers/ws-client';
import { crc32 } from '../../unit/vscode/png-builder';
import {
  answerQuickInput,
  type CodeServer,
  chooseMenuItem,
  freePort,
  launchBrowser,
  noticeText,
  openSidePanel,
  openWorkbench,
  pngsIn,
  quickInputTitle,
  runCommand,
  screenshot,
  sidePanelView,
  skipReason,
  startCodeServer,
  statusBarText,
  stippleSettings,
  waitFor,
  waitForPromptChange,
} from './code-server-harness';

const reason = skipReason();
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

function pngSize(bytes: Uint8Array): { width: number; height: number } {
  const b = Buffer.from(bytes);
  return { width: b.readUInt32BE(16), height: b.readUInt32BE(20) };
}

/** Concatenated IDAT payloads: the pixels as encoded, without the text chunks. */
function idat(bytes: Uint8Array): Buffer {
  const b = Buffer.from(bytes);
  const parts: Buffer[] = [];
  for (let o = 8; o + 8 <= b.length; ) {
    const len = b.readUInt32BE(o);
    if (b.toString('latin1', o + 4, o + 8) === 'IDAT') parts.push(b.subarray(o + 8, o + 8 + len));
    o += 12 + len;
  }
  return Buffer.concat(parts);
}

/** The workbench's toast notifications' text. */
async function notificationTexts(page: Page): Promise<string[]> {
  return page.locator('.notifications-toasts .notification-toast').allTextContents();
}

async function clearNotifications(page: Page): Promise<void> {
  await runCommand(page, 'Notifications: Clear All Notifications');
}

/** The frame of an editor webview (mask editor, candidate picker) that holds `selector`. */
async function webviewFrameWith(page: Page, selector: string): Promise<Frame> {
  return waitFor(`a webview with ${selector}`, async () => {
    for (const f of page.frames()) {
      if (
        await f
          .locator(selector)
          .count()
          .catch(() => 0)
      )
        return f;
    }
    return undefined;
  });
}

/** Accepts the `n`th item (0-based) of the quick pick titled `title`, by keyboard. */
async function pickNth(page: Page, title: string, n: number): Promise<void> {
  await waitFor(`quick pick "${title}"`, async () => (await quickInputTitle(page)).includes(title), 30_000);
  for (let i = 0; i < n; i++) await page.keyboard.press('ArrowDown');
  await page.keyboard.press('Enter');
  await waitFor(
    `quick pick "${title}" gone`,
    async () => !(await quickInputTitle(page)).includes(title),
    10_000,
  );
}

/** Opens a workspace file by name (any editor: text or image preview) and reveals it in the explorer. */
async function revealFile(page: Page, name: string) {
  await page.keyboard.press('Control+P');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor();
  await input.fill(name);
  await page.locator('.quick-input-list .monaco-list-row', { hasText: name }).first().waitFor();
  await page.keyboard.press('Enter');
  await page.locator(`.tab.active[aria-label*="${name}"], .tab.active:has-text("${name}")`).first().waitFor();
  await runCommand(page, 'File: Reveal Active File in Explorer View');
  return explorerRow(page, name);
}

/** Picks a file in VS Code's own (simple) open dialog: types the full path, then OK until it closes. */
async function pickFileInDialog(page: Page, title: string, fullPath: string): Promise<void> {
  await waitFor(`dialog "${title}"`, async () => (await quickInputTitle(page)).includes(title), 30_000);
  const input = page.locator('.quick-input-widget input');
  await input.fill(fullPath);
  await waitFor('the typed path', async () => (await input.inputValue()) === fullPath, 10_000);
  const ok = page.locator('.quick-input-widget .monaco-button', { hasText: /^OK$/ });
  await waitFor(
    `dialog "${title}" accepted`,
    async () => {
      if (!(await quickInputTitle(page)).includes(title)) return true;
      await ok.click().catch(() => undefined);
      await page.waitForTimeout(500);
      return !(await quickInputTitle(page)).includes(title);
    },
    30_000,
  );
}

async function explorerRow(page: Page, name: string) {
  const row = page.locator('.explorer-folders-view .monaco-list-row', { hasText: name }).first();
  await row.waitFor();
  return row;
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
  let hub: FakeHub | undefined;
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
    await writeFile(path.join(workspace, 'clip-me.png'), gradientPng(32)); // no parameters: for CLIP
    port = await freePort();
    server = await startCodeServer({
      workspace,
      env: { STIPPLE_HOME: home },
      settings: stippleSettings(port),
    });
    browser = await launchBrowser();
    page = await openWorkbench(browser, server.url);
  });

  after(async () => {
    if (page) await screenshot(page, 'zz-last').catch(() => undefined);
    await browser?.close();
    await server?.stop();
    await daemon?.dispose();
    await hub?.close();
    await rm(workspace, { recursive: true, force: true });
    await rm(home, { recursive: true, force: true });
  });

  it('the status bar says "daemon not running" while no daemon listens', async () => {
    await waitFor('status "daemon not running"', async () =>
      (await statusBarText(page)).includes('daemon not running'),
    );
    await screenshot(page, '01-daemon-not-running');
  });

  it('Generate with no daemon: a notification says it is not running and how to start it; no file', async () => {
    await openFile(page, 'README.md');
    await generateHere(page, 'nobody home');
    const text = await waitFor('the "not running" notification', async () =>
      (await notificationTexts(page)).find((t) => t.includes('daemon is not running')),
    );
    assert.match(text, /daemon is not running at ws:\/\/127\.0\.0\.1:\d+\/ws/);
    assert.match(text, /stipple serve/);
    assert.match(text, /Reconnect/);
    assert.deepEqual(pngsIn(path.join(workspace, 'assets/generated'), /^nobody-home/), []);
    await screenshot(page, '01b-daemon-not-running-notification');
    await clearNotifications(page);
  });

  it('the status bar turns "connected" once the daemon starts (token read from STIPPLE_HOME)', async () => {
    // A LoRA in the daemon's store, for the side panel's LoRA picker.
    mkdirSync(path.join(home, 'loras'), { recursive: true });
    copyFileSync(
      fixturePath('tiny-sd', 'lora', 'tiny_lora_kohya.safetensors'),
      path.join(home, 'loras', 'tiny.safetensors'),
    );
    // A (tiny) CLIP interrogator, for the side panel's reverse prompt.
    const manager = new ModelManager({
      home,
      logger: silentLogger(),
      hub: { endpoint: 'http://127.0.0.1:9' },
    });
    await manager.import(buildTinyClip(), { mode: 'copy', id: 'tiny-clip' });
    mkdirSync(path.join(home, 'embeddings'), { recursive: true });
    copyFileSync(
      fixturePath('tiny-sd', 'embeddings', 'tiny-style.safetensors'),
      path.join(home, 'embeddings', 'tiny-style.safetensors'),
    );
    // A local hub serving the tiny model (throttled, so the download takes a few seconds).
    hub = await startFakeHub({
      repo: 'stipple-test/sd15-tiny',
      dir: fixturePath('tiny-sd', 'sd15-tiny'),
      throttleBytesPerSec: 2 * 1024 * 1024,
    });
    daemon = await startDaemon({
      env: { HF_ENDPOINT: hub.endpoint },
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
    await answerQuickInput(page, 'save the variation of photo.png'); // "Save as a new file" comes first
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
    await answerQuickInput(page, 'save the inpaint of photo.png', 'Save as a new file');
    const [file] = await waitFor('photo-inpaint-*.png', () => {
      const f = pngsIn(path.join(workspace, 'images'), /^photo-inpaint-\d+\.png$/);
      return f.length ? f : undefined;
    });
    assert.ok(file);
  });

  it('Outpaint to a wider canvas, replacing the original (kept in .stipple/history), then Restore', async () => {
    const original = readFileSync(path.join(workspace, 'images', 'photo.png'));
    await (await explorerRow(page, 'photo.png')).click({ button: 'right' });
    await chooseMenuItem(page, 'Edit image…');
    await answerQuickInput(page, 'Stipple: edit photo.png', 'Outpaint');
    await answerQuickInput(page, 'prompt for the edit', 'a wide gradient');
    await pickNth(page, 'Outpaint: new size', 3); // Right by 256 px
    await answerQuickInput(page, 'save the outpaint of photo.png', 'Replace photo.png');
    const dialog = page.locator('.monaco-dialog-box');
    await dialog.waitFor();
    assert.match((await dialog.textContent()) ?? '', /Replace photo\.png with the edited image\?/);
    await screenshot(page, '05c-replace-confirm');
    await dialog.locator('.monaco-button', { hasText: /^Replace$/ }).click();
    const photo = path.join(workspace, 'images', 'photo.png');
    await waitFor(
      'photo.png replaced by the 320×64 outpaint',
      () => pngSize(readFileSync(photo)).width === 320,
    );
    assert.deepEqual(pngSize(readFileSync(photo)), { width: 64 + 256, height: 64 });
    assert.match(readPngText(readFileSync(photo), 'parameters') ?? '', /^a wide gradient\n/);
    const historyDir = path.join(workspace, '.stipple', 'history');
    const copies = pngsIn(historyDir, /^photo-\d{8}-\d{6}\.png$/);
    assert.equal(copies.length, 1);
    assert.deepEqual(readFileSync(path.join(historyDir, copies[0] ?? '')), original, 'the original is kept');
    const index = JSON.parse(readFileSync(path.join(historyDir, 'index.json'), 'utf8'));
    assert.deepEqual(
      index.entries.map((e: { original: string; reason: string }) => [e.original, e.reason]),
      [['images/photo.png', 'outpaint']],
    );

    await clearNotifications(page);
    await (await explorerRow(page, 'photo.png')).click({ button: 'right' });
    await chooseMenuItem(page, 'Restore previous version…');
    await answerQuickInput(page, 'restore a previous version of photo.png');
    await waitFor('photo.png restored', () => readFileSync(photo).equals(original));
    // The outpainted version went into the history too, so the restore can be undone.
    const after = JSON.parse(readFileSync(path.join(historyDir, 'index.json'), 'utf8'));
    assert.deepEqual(
      after.entries.map((e: { reason: string }) => e.reason),
      ['outpaint', 'restore'],
    );
    await screenshot(page, '05d-restored');
  });

  it('the side panel lists the generated assets and fixes a prompt', async () => {
    const view = await openSidePanel(page);
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
    await view.locator('#proposal-accept').click(); // Fix all proposes a diff; Accept applies it
    const fixed = await waitForPromptChange(view, 'the fixed prompt', '(fox:2.5), fox, snow');
    assert.equal(fixed, '(fox:1.4), snow');
    assert.notEqual(await view.locator('#negative').inputValue(), '', 'a negative prompt is suggested');
    await screenshot(page, '07-side-panel-fixed');
  });

  it('the side panel offers the installed LoRA and embedding with weights, and a generation uses them', async () => {
    const view = sidePanelView(page);
    assert.equal(await view.locator('#model').inputValue(), 'tiny');
    const row = view.locator('#loras li[data-name="tiny"]');
    await row.waitFor();
    assert.equal(await row.locator('input.weight').inputValue(), '1', 'LoRA weight defaults to 1');
    await row.locator('input[type="checkbox"]').check();
    await row.locator('input.weight').fill('0.7');
    await row.locator('input.weight').press('Tab'); // commits the weight (change event)
    // The embedding goes into the prompt as (token:weight).
    const emb = view.locator('#embeddings li').first();
    const token = await emb.getAttribute('data-token');
    assert.ok(token, 'the installed embedding is offered');
    await emb.locator('input[type="checkbox"]').check();
    await emb.locator('input.weight').fill('1.2');
    await emb.locator('input.weight').press('Tab');
    await view.locator('#prompt').fill('a lora fox');
    await view.locator('#negative').fill('');
    await screenshot(page, '07b-lora-picker');
    await view.locator('#generate').click();
    const dir = path.join(workspace, 'assets/generated');
    await waitFor('a-lora-fox-*.png', () => pngsIn(dir, /^a-lora-fox.*\.png$/).length > 0);
    // The job the daemon ran carried the LoRA in its request list, with the weight set in the panel.
    const c = await connectClient(daemon!.wsUrl, daemon!.token, 'e2e-check');
    try {
      const h = await c.request({ type: 'history', scope: 'all', limit: 20 });
      assert.equal(h.type, 'history');
      const entry =
        h.type === 'history' ? h.entries.find((e) => e.params?.prompt.startsWith('a lora fox')) : undefined;
      assert.equal(entry?.params?.prompt, `a lora fox, (${token}:1.2)`);
      assert.equal(entry?.status, 'done');
      assert.equal(entry?.params?.model, 'tiny');
      assert.deepEqual(entry?.params?.loras, [{ name: 'tiny', weight: 0.7 }]);
    } finally {
      c.close();
    }
    await row.locator('input[type="checkbox"]').uncheck();
    await emb.locator('input[type="checkbox"]').uncheck();
  });

  it('Download from the model picker shows progress, then the model is a checkpoint choice', async () => {
    const view = sidePanelView(page);
    await view.locator('#pull-ref').fill('stipple-test/sd15-tiny');
    // First a download that the user stops: slow the hub so Cancel lands mid-way.
    const speed = hub!.throttleBytesPerSec;
    hub!.throttleBytesPerSec = 64 * 1024;
    await view.locator('#pull').click();
    await view.locator('#pull-cancel').waitFor({ state: 'visible', timeout: 60_000 });
    await view.locator('#pull-cancel').click();
    await waitFor('the cancelled download reported', async () =>
      /cancel/i.test(await noticeText(view)) ? true : undefined,
    );
    await waitFor('the progress and Cancel hidden', async () =>
      !(await view.locator('#pull-progress').isVisible()) && !(await view.locator('#pull-cancel').isVisible())
        ? true
        : undefined,
    );
    assert.equal(await view.locator('#model option').count(), 1, 'nothing installed by the cancelled pull');
    hub!.throttleBytesPerSec = speed;
    // Then the full download (it resumes what the first one verified).
    await view.locator('#pull').click();
    const label = await waitFor('a progress line with MB and percent', async () => {
      const t = (await view.locator('#pull-status').textContent()) ?? '';
      return /^stipple-test\/sd15-tiny: \w+ [\d.]+\/[\d.]+ MB \(\d+%\)$/.test(t) ? t : undefined;
    });
    assert.ok(label);
    assert.equal(await view.locator('#pull-progress').isVisible(), true, 'the progress bar is shown');
    await screenshot(page, '07d-download-progress');
    const options = await waitFor('the downloaded model in the checkpoint picker', async () => {
      const o = await view.locator('#model option').allTextContents();
      return o.length === 2 ? o : undefined;
    });
    assert.ok(
      options.includes('stipple-test/sd15-tiny'),
      `the pulled model is listed: ${options.join(', ')}`,
    );
    const values = await view
      .locator('#model option')
      .evaluateAll((os) => os.map((o) => (o as unknown as { value: string }).value));
    assert.ok(values.includes('tiny') && values.length === 2, values.join(', '));
    await waitFor('the progress bar hidden', async () => !(await view.locator('#pull-progress').isVisible()));
    assert.match(await noticeText(view), /installed/);
  });

  it('Reverse prompt: a Stipple PNG gives its prompt back; a plain image gets a CLIP-proposed prompt', async () => {
    const view = sidePanelView(page);
    const notice = () => noticeText(view);
    const [fox] = pngsIn(path.join(workspace, 'assets/generated'), /^a-red-fox-\d+\.png$/);
    await view.locator('#reverse').click();
    await pickFileInDialog(
      page,
      'Reverse prompt from an image',
      path.join(workspace, 'assets/generated', fox ?? ''),
    );
    await waitFor(`the fox prompt (notice: ${await notice()})`, async () =>
      (await view.locator('#prompt').inputValue()) === 'a red fox' ? true : undefined,
    ).catch(async (e) => {
      await screenshot(page, '07e-reverse-fox-failed');
      throw new Error(`${e.message}; notice: ${await notice()}`);
    });
    assert.match(await notice(), /read from a-red-fox-\d+\.png's generation parameters/);

    await view.locator('#reverse').click();
    await pickFileInDialog(page, 'Reverse prompt from an image', path.join(workspace, 'clip-me.png'));
    const text = await waitFor(
      'the reverse prompt of clip-me.png',
      async () => {
        const t = await notice();
        return t.includes('clip-me.png') && !t.startsWith('Reading a prompt') ? t : undefined;
      },
      180_000,
    ).catch(async (e) => {
      await screenshot(page, '07e-reverse-clip-failed');
      throw new Error(`${e.message}; notice: ${await notice()}`);
    });
    assert.match(text, /proposed by CLIP from clip-me\.png/);
    const proposed = await view.locator('#prompt').inputValue();
    assert.ok(proposed.split(', ').length >= 3, `ranked keywords: ${proposed}`);
    await screenshot(page, '07e-reverse-prompt');
  });

  it('count 2: the candidate picker shows both and the chosen one is written', async () => {
    const view = sidePanelView(page);
    await view.locator('#count').selectOption('2');
    await view.locator('#prompt').fill('two cats');
    await view.locator('#generate').click();
    const picker = await webviewFrameWith(page, '#candidates button');
    await waitFor('two candidates', async () => (await picker.locator('#candidates button').count()) === 2);
    await screenshot(page, '07c-candidates');
    const second = picker.locator('#candidates button').nth(1);
    const seed = /seed (\d+)/.exec((await second.textContent()) ?? '')?.[1];
    assert.ok(seed, 'the candidate shows its seed');
    await second.click();
    const dir = path.join(workspace, 'assets/generated');
    await waitFor(`two-cats-${seed}.png`, () => existsSync(path.join(dir, `two-cats-${seed}.png`)));
    assert.deepEqual(
      pngsIn(dir, /^two-cats-/),
      [`two-cats-${seed}.png`],
      'only the chosen candidate is written',
    );
    assert.match(
      readPngText(readFileSync(path.join(dir, `two-cats-${seed}.png`)), 'parameters') ?? '',
      new RegExp(`Seed: ${seed},`),
    );
    await view.locator('#count').selectOption('1');
  });

  it('Regenerate and Copy parameters on a Stipple-made PNG', async () => {
    await page.context().grantPermissions(['clipboard-read', 'clipboard-write']);
    const dir = path.join(workspace, 'assets/generated');
    const [fox] = pngsIn(dir, /^a-red-fox-\d+\.png$/);
    assert.ok(fox);
    await (await revealFile(page, fox)).click({ button: 'right' });
    await chooseMenuItem(page, 'Regenerate image');
    const stem = fox.replace(/\.png$/, '');
    const [regen] = await waitFor('the regenerated PNG', () => {
      const f = pngsIn(dir, new RegExp(`^${stem}-regen-\\d+\\.png$`));
      return f.length ? f : undefined;
    });
    const a = readFileSync(path.join(dir, fox));
    const b = readFileSync(path.join(dir, regen ?? ''));
    const params = readPngText(a, 'parameters');
    assert.ok(params);
    assert.equal(readPngText(b, 'parameters'), params, 'same prompt, settings and seed');
    assert.ok(idat(a).equals(idat(b)), 'the same image');

    await (await explorerRow(page, fox)).click({ button: 'right' });
    await chooseMenuItem(page, 'Copy generation parameters');
    const copied = await waitFor('the clipboard', async () => {
      const t = await page.evaluate<string>('navigator.clipboard.readText()').catch(() => '');
      return t || undefined;
    });
    assert.equal(copied, params);
  });

  it('Cancel on a waiting job: "cancelled; no file was written", and no file is', async () => {
    // Another client's long job holds the daemon (one job at a time), so the extension's job is
    // still waiting when Cancel is clicked: deterministic on any machine, however fast.
    const blocker = await connectClient(daemon!.wsUrl, daemon!.token, 'e2e-blocker');
    const long = blocker.generate({
      prompt: 'a long job',
      model: 'tiny',
      width: 512,
      height: 512,
      steps: 150,
      sampler: 'euler',
      previewEvery: 0,
    });
    long.done.catch(() => undefined);
    try {
      await clearNotifications(page);
      await runCommand(page, 'Stipple: Generate image asset…');
      await answerQuickInput(page, 'generate image asset', 'cancel me');
      await answerQuickInput(page, 'Style preset');
      await answerQuickInput(page, 'Size');
      await answerQuickInput(page, 'How many candidates?');
      const toast = page.locator('.notifications-toasts .notification-toast', {
        hasText: 'generating "cancel me"',
      });
      await waitFor('the job waiting behind the other', async () =>
        /queued/.test((await toast.textContent()) ?? ''),
      );
      await screenshot(page, '09-cancel-queued');
      await toast.hover();
      await toast.locator('.monaco-button', { hasText: 'Cancel' }).click();
      await waitFor('the cancelled notice', async () =>
        (await notificationTexts(page)).some((t) => t.includes('generation cancelled; no file was written')),
      );
      const h = await blocker.request({ type: 'history', scope: 'all', limit: 20 });
      const entry =
        h.type === 'history' ? h.entries.find((e) => e.params?.prompt === 'cancel me') : undefined;
      assert.equal(entry?.status, 'cancelled');
      assert.deepEqual(pngsIn(path.join(workspace, 'assets/generated'), /^cancel-me/), []);
    } finally {
      await long.cancel().catch(() => undefined);
      blocker.close();
    }
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
