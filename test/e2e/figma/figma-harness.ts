// Runs the built plugin UI in headless Chromium inside the Figma-like harness page, with the
// sandbox side played by the test (SandboxPlayer): it validates every UI message against the
// same contract the real sandbox uses, answers prepare-job with inputs the test chooses, and
// records what reaches it (inserted images and their parameters, saved token and prefs).
import { existsSync, mkdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { type Browser, chromium, type Frame, type Page } from 'playwright-core';
import sharp from 'sharp';
import {
  type JobInput,
  parseUiToSandbox,
  type SandboxToUi,
  type SelectionInfo,
  type Sizing,
  type UiToSandbox,
} from '../../../plugins/figma/src/contract/plugin-messages';
import { repoRoot } from '../../helpers/fixtures';
import { decodeBytes, encodeBytes, HARNESS_HTML } from './harness-page';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const skipNoChromium = existsSync(CHROMIUM)
  ? false
  : `no Chromium at ${CHROMIUM} (apt-get install -y chromium)`;
export const ARTIFACTS = path.join(repoRoot, '.test-artifacts/figma');

export type InsertMessage = Extract<UiToSandbox, { type: 'insert-result' }>;

/** Panel prefs for fast jobs on the tiny fixture model (the daemon's port is added by smallPrefs). */
export const SMALL = {
  model: 'sd15-tiny',
  width: 64,
  height: 64,
  steps: 4,
  sampler: 'euler',
  cfg: 7,
  maxSide: 64,
  seed: 7,
};

/** The prefs clientStorage holds for a panel talking to the daemon on `port` with SMALL settings. */
export function smallPrefs(port: number): string {
  return JSON.stringify({ port, ...SMALL });
}

/** The parameters an inserted image carries (what the UI stores on the layer). */
export function storedParams(m: InsertMessage): { params: Record<string, unknown>; infotext: string } {
  return JSON.parse(m.params);
}

/** A PNG's decoded pixels, to compare two images by content rather than by encoding. */
export async function rawPixels(png: Uint8Array): Promise<Buffer> {
  return sharp(png).raw().toBuffer();
}

/** An RGB gradient PNG; `pixel` gives each pixel's colour. */
export async function gradientPng(
  width: number,
  height: number,
  pixel: (x: number, y: number) => [number, number, number] = (x, y) => [x * 4, y * 4, 128],
): Promise<Uint8Array> {
  const raw = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) raw.set(pixel(x, y), (y * width + x) * 3);
  }
  return new Uint8Array(
    await sharp(raw, { raw: { width, height, channels: 3 } })
      .png()
      .toBuffer(),
  );
}
type Prepare = (sizing: Sizing) => Omit<JobInput, 'targetId'> | { error: string };

export class SandboxPlayer {
  readonly received: UiToSandbox[] = [];
  readonly invalid: string[] = [];
  readonly inserts: InsertMessage[] = [];
  token: string | null = null;
  prefs: string | null = null;
  /** Prompt history as clientStorage holds it (sent in init, replaced by save-history). */
  history: string | null = null;
  /** Last prefs the UI saved. */
  savedPrefs: string | null = null;
  /** What "Reverse prompt" reads from the selection (the image's file bytes), or why it cannot. */
  image: { png: Uint8Array; name: string } | { reason: string } = { reason: 'Select an image layer.' };
  selection: SelectionInfo = { mode: 'txt2img', label: 'Nothing selected: new image in the viewport' };
  prepare: Prepare = (s) => ({ mode: 'txt2img', width: s.width, height: s.height, notices: [] });
  private nextTarget = 1;
  private waiters: (() => void)[] = [];

  constructor(private readonly send: (m: SandboxToUi) => Promise<void>) {}

  async receive(raw: unknown): Promise<void> {
    const parsed = parseUiToSandbox(decodeBytes(raw));
    if (!parsed.ok) {
      this.invalid.push(parsed.reason);
      return;
    }
    const m = parsed.message;
    this.received.push(m);
    switch (m.type) {
      case 'ui-ready':
        await this.send({
          type: 'init',
          token: this.token,
          prefs: this.prefs,
          editorType: 'figma',
          history: this.history,
        });
        await this.send({ type: 'selection', info: this.selection });
        break;
      case 'save-token':
        this.token = m.token;
        break;
      case 'save-prefs':
        this.savedPrefs = m.prefs;
        break;
      case 'save-history':
        this.history = m.history;
        break;
      case 'export-image': {
        const r = this.image;
        await this.send(
          'png' in r
            ? { type: 'image-bytes', requestId: m.requestId, png: r.png, name: r.name }
            : { type: 'image-error', requestId: m.requestId, reason: r.reason },
        );
        break;
      }
      case 'prepare-job': {
        const r = this.prepare(m.sizing);
        if ('error' in r)
          await this.send({ type: 'job-input-error', requestId: m.requestId, reason: r.error });
        else {
          await this.send({
            type: 'job-input',
            requestId: m.requestId,
            input: { ...r, targetId: `t${this.nextTarget++}` },
          });
        }
        break;
      }
      case 'insert-result':
        this.inserts.push(m);
        await this.send({ type: 'inserted', requestId: m.requestId, nodeId: `9:${this.inserts.length}` });
        break;
      case 'keep-live':
        await this.send({ type: 'inserted', requestId: m.requestId, nodeId: '9:live' });
        break;
      default:
        break;
    }
    for (const w of this.waiters.splice(0)) w();
  }

  async setSelection(info: SelectionInfo): Promise<void> {
    this.selection = info;
    await this.send({ type: 'selection', info });
  }

  /** Resolves when `check` holds after some message from the UI. */
  async waitFor<T>(check: () => T | undefined | false, timeoutMs = 60_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const v = check();
      if (v) return v;
      if (Date.now() > deadline)
        throw new Error(`timed out waiting; received: ${this.received.map((m) => m.type)}`);
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 200);
      });
    }
  }
}

export interface Harness {
  browser: Browser;
  page: Page;
  ui: Frame;
  sandbox: SandboxPlayer;
  screenshot(name: string): Promise<string>;
  close(): Promise<void>;
}

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
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

/** Serves the harness page and the built ui.html on 127.0.0.1. */
async function serveHarness(): Promise<{ url: string; close(): Promise<void> }> {
  const uiHtml = await readFile(path.join(repoRoot, 'plugins/figma/dist/ui.html'), 'utf8');
  const server = http.createServer((req, res) => {
    if (req.url === '/ui.html') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(uiHtml);
    } else {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(HARNESS_HTML);
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

export async function openHarness(
  browser: Browser,
  setup: (sandbox: SandboxPlayer) => void,
): Promise<Harness> {
  const server = await serveHarness();
  const context = await browser.newContext({ viewport: { width: 400, height: 1120 } });
  const page = await context.newPage();
  const sandbox = new SandboxPlayer(async (m) => {
    await page.evaluate(
      (msg) => (globalThis as unknown as { __toUi(m: unknown): void }).__toUi(msg),
      encodeBytes(m),
    );
  });
  setup(sandbox);
  await page.exposeFunction('__toSandbox', (m: unknown) => sandbox.receive(m));
  await page.goto(server.url);
  let ui: Frame | undefined;
  for (let i = 0; i < 100 && !ui; i++) {
    ui = page.frames().find((f) => f !== page.mainFrame() && f.url() === 'about:srcdoc');
    if (!ui) await new Promise((r) => setTimeout(r, 50));
  }
  if (!ui) throw new Error('the plugin iframe did not load');
  await sandbox.waitFor(() => sandbox.received.some((m) => m.type === 'ui-ready'));
  mkdirSync(ARTIFACTS, { recursive: true });
  return {
    browser,
    page,
    ui,
    sandbox,
    async screenshot(name) {
      const file = path.join(ARTIFACTS, `${name}.png`);
      await page.screenshot({ path: file, fullPage: true });
      return file;
    },
    async close() {
      await context.close();
      await server.close();
    },
  };
}

/**
 * The image inserted at index `index` once it reaches the sandbox. On timeout, keeps a screenshot
 * named `failureShot` and throws with what the panel's error line and the daemon's log say.
 */
export async function nextInsert(
  h: Harness,
  index: number,
  opts: { timeoutMs: number; failureShot: string; daemonLog: () => string },
): Promise<InsertMessage> {
  try {
    return await h.sandbox.waitFor(
      () => h.sandbox.inserts.length > index && h.sandbox.inserts[index],
      opts.timeoutMs,
    );
  } catch (e) {
    const shown = String(await h.ui.locator('#error').textContent());
    await h.screenshot(opts.failureShot);
    throw new Error(
      `${(e as Error).message}; panel error: ${shown}; daemon log: ${opts.daemonLog().slice(-2000)}`,
    );
  }
}
