// Runs the built extension inside a real VS Code (code-server 4.100.3 from .tools/, installed
// by scripts/install-code-server.sh) in an isolated user/extensions folder, and drives its
// workbench with Debian's Chromium through playwright-core.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium, type FrameLocator, type Page } from 'playwright-core';
import { fixturePath, haveFixtures } from '../../helpers/fixtures';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const codeServerBin = path.join(repoRoot, '.tools/code-server/node_modules/.bin/code-server');
export const artifactsDir = path.join(repoRoot, '.test-artifacts/vscode');

export function findChromium(): string | null {
  for (const p of ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome']) {
    if (existsSync(p)) return p;
  }
  return null;
}

/** Why the suite cannot run here, or null when it can. */
export function skipReason(): string | null {
  if (!existsSync(codeServerBin))
    return 'code-server is not installed: run scripts/install-code-server.sh (needs apt ripgrep libkrb5-dev)';
  if (!findChromium()) return 'chromium is not installed: apt-get install -y chromium';
  if (!haveFixtures || !existsSync(fixturePath('tiny-sd', 'sd15-tiny'))) return 'tiny-sd fixtures not found';
  return null;
}

/** Polls `probe` every 250 ms until it returns something truthy, and returns that. */
export async function waitFor<T>(
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

/** The files in `dir` whose names match `re` ([] when the folder does not exist yet). */
export function pngsIn(dir: string, re: RegExp): string[] {
  return existsSync(dir) ? readdirSync(dir).filter((f) => re.test(f)) : [];
}

/** The extension settings every e2e file starts with: the daemon's address and a tiny, fast job. */
export function stippleSettings(daemonPort: number): Record<string, unknown> {
  return {
    'stipple.daemonAddress': `127.0.0.1:${daemonPort}`,
    'stipple.defaultSize': '64x64',
    'stipple.steps': 2,
    'stipple.sampler': 'euler',
  };
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** Builds the .vsix once per process. */
let vsixPromise: Promise<string> | null = null;
export function buildVsix(): Promise<string> {
  vsixPromise ??= (async () => {
    const mod = (await import(path.join(repoRoot, 'plugins/vscode/esbuild.mjs'))) as {
      packageVsix(): Promise<string>;
    };
    return mod.packageVsix();
  })();
  return vsixPromise;
}

export interface CodeServer {
  url: string;
  dir: string;
  workspace: string;
  stop(): Promise<void>;
}

export async function startCodeServer(opts: {
  workspace: string;
  settings: Record<string, unknown>;
  env: Record<string, string>;
}): Promise<CodeServer> {
  const vsix = await buildVsix();
  const dir = await mkdtemp(path.join(tmpdir(), 'stipple-code-server-'));
  const userDir = path.join(dir, 'user');
  const extDir = path.join(dir, 'ext');
  await mkdir(path.join(userDir, 'User'), { recursive: true });
  await writeFile(path.join(dir, 'config.yaml'), 'auth: none\n');
  await writeFile(
    path.join(userDir, 'User', 'settings.json'),
    JSON.stringify({
      'workbench.startupEditor': 'none',
      'workbench.tips.enabled': false,
      'workbench.enableExperiments': false,
      'security.workspace.trust.enabled': false,
      'extensions.ignoreRecommendations': true,
      'telemetry.telemetryLevel': 'off',
      'update.mode': 'none',
      'editor.autoClosingBrackets': 'never',
      'editor.autoClosingQuotes': 'never',
      'editor.acceptSuggestionOnEnter': 'off',
      'editor.quickSuggestions': { other: false, comments: false, strings: false },
      'html.autoClosingTags': false,
      ...opts.settings,
    }),
  );
  const common = [
    '--config',
    path.join(dir, 'config.yaml'),
    '--user-data-dir',
    userDir,
    '--extensions-dir',
    extDir,
  ];
  execFileSync(codeServerBin, [...common, '--install-extension', vsix], { stdio: 'pipe' });
  const port = await freePort();
  const child: ChildProcess = spawn(
    codeServerBin,
    [
      ...common,
      '--disable-telemetry',
      '--disable-update-check',
      '--disable-workspace-trust',
      '--disable-getting-started-override',
      '--auth',
      'none',
      '--bind-addr',
      `127.0.0.1:${port}`,
      opts.workspace,
    ],
    { env: { ...process.env, ...opts.env }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let log = '';
  child.stdout?.on('data', (d: Buffer) => {
    log += d.toString();
  });
  child.stderr?.on('data', (d: Buffer) => {
    log += d.toString();
  });
  const url = `http://127.0.0.1:${port}/?folder=${encodeURIComponent(opts.workspace)}`;
  const deadline = Date.now() + 120_000;
  for (;;) {
    try {
      const r = await fetch(`http://127.0.0.1:${port}/healthz`);
      if (r.ok) break;
    } catch {
      // not listening yet
    }
    if (child.exitCode !== null || Date.now() > deadline)
      throw new Error(`code-server did not start (exit ${child.exitCode}):\n${log}`);
    await new Promise((r) => setTimeout(r, 250));
  }
  return {
    url,
    dir,
    workspace: opts.workspace,
    stop: async () => {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
        if (child.exitCode === null) child.kill('SIGKILL');
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: findChromium() ?? undefined,
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

export async function openWorkbench(browser: Browser, url: string): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  // Generous: on 2 busy cores the workbench's first load can take a minute.
  await page.goto(url, { waitUntil: 'domcontentloaded', timeout: 120_000 });
  await page.locator('.monaco-workbench').waitFor({ timeout: 120_000 });
  await page.locator('.statusbar').waitFor({ timeout: 60_000 });
  return page;
}

export async function screenshot(page: Page, name: string): Promise<void> {
  await mkdir(artifactsDir, { recursive: true });
  await page.screenshot({ path: path.join(artifactsDir, `${name}.png`) });
}

/** Runs a command from the command palette by its title. */
export async function runCommand(page: Page, title: string): Promise<void> {
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor();
  await input.fill(`>${title}`);
  await page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first().waitFor();
  await page.keyboard.press('Enter');
}

/** The title of the quick input on screen now ('' when none is open). */
export async function quickInputTitle(page: Page): Promise<string> {
  const w = page.locator('.quick-input-widget');
  if (!(await w.isVisible())) return '';
  return ((await w.locator('.quick-input-title').textContent()) ?? '').trim();
}

/**
 * Waits for the quick input titled `title` (input box or quick pick), types `value` if given,
 * and accepts it. Waiting on the title matters: VS Code reuses one widget for each step.
 */
export async function answerQuickInput(page: Page, title: string, value?: string): Promise<void> {
  const end = Date.now() + 30_000;
  while (!(await quickInputTitle(page)).includes(title)) {
    if (Date.now() > end)
      throw new Error(`no quick input titled "${title}" (now: "${await quickInputTitle(page)}")`);
    await page.waitForTimeout(100);
  }
  const input = page.locator('.quick-input-widget input');
  if (value !== undefined) await input.fill(value);
  await page.keyboard.press('Enter');
  // Let the widget move on, so the next call does not see this step's title.
  const moved = Date.now() + 10_000;
  while ((await quickInputTitle(page)).includes(title) && Date.now() < moved) await page.waitForTimeout(50);
}

/**
 * Chooses an item of the open context menu. VS Code ignores a click that comes right after the
 * menu opened (against accidental picks), so hover first, wait, and fall back to Enter.
 */
export async function chooseMenuItem(page: Page, label: string): Promise<void> {
  const item = page.locator('.monaco-menu .action-item', { hasText: label }).first();
  await item.waitFor();
  await page.waitForTimeout(400);
  await item.hover();
  await item.click();
  const menu = page.locator('.monaco-menu');
  const end = Date.now() + 3000;
  while ((await menu.count()) > 0 && (await menu.first().isVisible()) && Date.now() < end)
    await page.waitForTimeout(100);
  if ((await menu.count()) > 0 && (await menu.first().isVisible())) {
    await item.hover();
    await page.keyboard.press('Enter');
  }
}

export async function statusBarText(page: Page): Promise<string> {
  const item = page.locator('.statusbar-item[id$="stipple.status"]').first();
  if ((await item.count()) === 0) return '';
  return (await item.textContent({ timeout: 2000 }).catch(() => '')) ?? '';
}

/** The Stipple side panel's webview content (the inner frame of the view's webview). */
export function sidePanelView(page: Page): FrameLocator {
  return page.frameLocator('.webview.ready, iframe.webview').first().frameLocator('#active-frame');
}

/** Opens the Stipple side panel from the activity bar and returns its webview content. */
export async function openSidePanel(page: Page): Promise<FrameLocator> {
  await page.locator('.activitybar .action-item a[aria-label^="Stipple"]').first().click();
  return sidePanelView(page);
}

/** The side panel's notice line ('' when empty). */
export async function noticeText(view: FrameLocator): Promise<string> {
  return (await view.locator('#notice').textContent()) ?? '';
}

/** Waits until the side panel's prompt box reads `expected`. */
export async function waitForPrompt(view: FrameLocator, what: string, expected: string): Promise<void> {
  await waitFor(what, async () =>
    (await view.locator('#prompt').inputValue()) === expected ? true : undefined,
  );
}

/** Waits until the side panel's prompt box no longer reads `before`, and returns what it reads then. */
export function waitForPromptChange(view: FrameLocator, what: string, before: string): Promise<string> {
  return waitFor(what, async () => {
    const v = await view.locator('#prompt').inputValue();
    return v !== before ? v : undefined;
  });
}
