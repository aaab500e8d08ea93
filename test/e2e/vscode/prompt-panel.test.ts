// End to end: the side panel's prompt editor in a real VS Code (code-server with the packaged
// .vsix) against a real daemon (tiny fixture model and LoRA): findings highlighted inline at their
// spans, a fix computed for older text re-checks instead of editing, Ctrl+Up on a keyword, "Fix
// all" as a before/after diff that Accept applies, Optimize / Rewrite (LLM) through the daemon's
// endpoint (a local OpenAI-compatible fake LLM) / Preset into prompt proposed the same way, an LLM
// failure shown with the prompt untouched, and a gallery entry that puts its prompt,
// negative prompt, size, checkpoint and LoRA back. One code-server for the file; steps in order.
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, FrameLocator, Page } from 'playwright-core';
import { startDaemon, type TestDaemon } from '../../helpers/daemon';
import { type FakeLlm, startFakeLlm } from '../../helpers/fake-llm';
import { fixturePath } from '../../helpers/fixtures';
import {
  type CodeServer,
  freePort,
  launchBrowser,
  openSidePanel,
  openWorkbench,
  pngsIn,
  screenshot,
  skipReason,
  startCodeServer,
  statusBarText,
  stippleSettings,
  waitFor,
  waitForPrompt,
  waitForPromptChange,
} from './code-server-harness';

const reason = skipReason();
if (reason) console.log(`# vscode prompt panel e2e skipped: ${reason}`);

/** The bits of the webview's DOM the in-page checks touch (the root tsconfig has no DOM types). */
interface AreaLike {
  value: string;
  ownerDocument: {
    querySelector(s: string): { dataset: Record<string, string | undefined>; click(): void } | null;
  };
  dispatchEvent(e: unknown): boolean;
}

describe('VS Code side panel prompt editor', { skip: reason ?? false, timeout: 600_000 }, () => {
  let home: string;
  let workspace: string;
  let daemon: TestDaemon;
  let llm: FakeLlm;
  let server: CodeServer;
  let browser: Browser;
  let page: Page;
  let view: FrameLocator;

  before(async () => {
    home = await mkdtemp(path.join(tmpdir(), 'stipple-prompt-panel-home-'));
    workspace = await mkdtemp(path.join(tmpdir(), 'stipple-prompt-panel-ws-'));
    await writeFile(path.join(workspace, 'README.md'), '# Site\n');
    mkdirSync(path.join(home, 'loras'), { recursive: true });
    copyFileSync(
      fixturePath('tiny-sd', 'lora', 'tiny_lora_kohya.safetensors'),
      path.join(home, 'loras', 'tiny.safetensors'),
    );
    const port = await freePort();
    llm = await startFakeLlm();
    daemon = await startDaemon({
      home,
      port,
      models: { tiny: 'sd15-tiny' },
      config: { defaultModel: 'tiny', llm: { url: llm.url, model: 'tiny-llm', timeoutMs: 10_000 } },
    });
    server = await startCodeServer({
      workspace,
      env: { STIPPLE_HOME: home },
      settings: stippleSettings(port),
    });
    browser = await launchBrowser();
    page = await openWorkbench(browser, server.url);
    await waitFor('status "connected"', async () => (await statusBarText(page)).includes('connected'));
    view = await openSidePanel(page);
    await view.locator('#prompt').waitFor({ timeout: 120_000 });
  });

  after(async () => {
    if (page) await screenshot(page, 'prompt-panel-zz-last').catch(() => undefined);
    await browser?.close();
    await server?.stop();
    await daemon?.dispose();
    await llm?.close();
    if (workspace) await rm(workspace, { recursive: true, force: true });
    if (home) await rm(home, { recursive: true, force: true });
  });

  it('highlights each finding at its span behind the prompt text', async () => {
    const text = '(fox:2.5), fox, snow';
    await view.locator('#prompt').fill(text);
    const mirror = view.locator('.hl-mirror[data-for="prompt"]');
    const weight = mirror.locator('mark[data-codes~="P_WEIGHT_RANGE"]');
    const duplicate = mirror.locator('mark[data-codes~="P_DUPLICATE_KEYWORD"]');
    await weight.first().waitFor({ timeout: 120_000 });
    await duplicate.first().waitFor();
    assert.equal(await weight.first().textContent(), '(fox:2.5)');
    assert.equal(await duplicate.first().textContent(), 'fox');
    // The mirror holds the same text as the box (plus a zero-width space for a trailing newline).
    assert.equal((await mirror.textContent())?.replace(/\u200b$/, ''), text);
    // The marks sit inside the textarea's box, where the text is drawn.
    const area = await view.locator('#prompt').boundingBox();
    const mark = await weight.first().boundingBox();
    assert.ok(area && mark, 'both are laid out');
    assert.ok(mark.x >= area.x && mark.y >= area.y && mark.x + mark.width <= area.x + area.width + 1);
    assert.ok(mark.y + mark.height <= area.y + area.height + 1, 'the mark is within the box');
    // Hovering a finding's line emphasises its marks.
    await view.locator('#findings li[data-code="P_DUPLICATE_KEYWORD"]').hover();
    await waitFor('the hovered finding emphasised', async () =>
      ((await duplicate.first().getAttribute('class')) ?? '').includes('active') ? true : undefined,
    );
    assert.equal(((await weight.first().getAttribute('class')) ?? '').includes('active'), false);
    await screenshot(page, 'prompt-panel-01-highlights');
  });

  it('a fix for text edited since the check re-checks instead of editing the wrong span', async () => {
    const text = '(fox:2.5), fox, snow';
    // Edit and click in one go, before the debounced re-check can run.
    const r = await view.locator('#prompt').evaluate((el) => {
      const area = el as unknown as AreaLike;
      area.value = `sky, ${area.value}`;
      area.dispatchEvent(new Event('input', { bubbles: true }));
      const doc = area.ownerDocument;
      doc.querySelector('#findings li[data-code="P_WEIGHT_RANGE"] button')?.click();
      return { value: area.value, stale: doc.querySelector('#findings')?.dataset.stale };
    });
    assert.deepEqual(r, { value: `sky, ${text}`, stale: 'true' });
    // The re-check comes back for the edited text: fresh findings at the new spans.
    await waitFor('fresh findings', async () =>
      (await view.locator('#findings').getAttribute('data-stale')) === null ? true : undefined,
    );
    assert.equal(await view.locator('#prompt').inputValue(), `sky, ${text}`, 'nothing was applied');
    await view.locator('.hl-mirror[data-for="prompt"] mark[data-codes~="P_WEIGHT_RANGE"]').first().waitFor();
    assert.equal(
      await view
        .locator('.hl-mirror[data-for="prompt"] mark[data-codes~="P_WEIGHT_RANGE"]')
        .first()
        .textContent(),
      '(fox:2.5)',
    );
  });

  it('Ctrl+Up raises the weight of the keyword under the cursor', async () => {
    const area = view.locator('#prompt');
    await area.fill('a cat, snow');
    await area.evaluate((el) =>
      (el as unknown as { setSelectionRange(a: number, b: number): void }).setSelectionRange(9, 9),
    );
    await area.press('Control+ArrowUp');
    assert.equal(await area.inputValue(), 'a cat, (snow:1.1)');
    await area.press('Control+ArrowDown');
    assert.equal(await area.inputValue(), 'a cat, snow');
  });

  it('Fix all shows a before/after diff; nothing changes until Accept', async () => {
    const text = '(fox:2.5), fox, snow';
    await view.locator('#prompt').fill(text);
    await view.locator('#negative').fill('');
    await waitFor('findings for the text', async () =>
      (await view.locator('#findings li').count()) >= 2 &&
      (await view.locator('#findings').getAttribute('data-stale')) === null
        ? true
        : undefined,
    );
    await view.locator('#fix-all').click();
    await view.locator('#proposal').waitFor({ state: 'visible' });
    assert.equal(await view.locator('#proposal-title').textContent(), 'Fix all');
    const removed = (await view.locator('#proposal-prompt del').allTextContents()).join('');
    const added = (await view.locator('#proposal-prompt ins').allTextContents()).join('');
    assert.match(removed, /2\.5/);
    assert.match(added, /1\.4/);
    assert.ok((await view.locator('#proposal-negative ins').count()) > 0, 'a negative prompt is proposed');
    assert.equal(await view.locator('#prompt').inputValue(), text, 'not applied yet');
    await screenshot(page, 'prompt-panel-02-fix-all-diff');
    await view.locator('#proposal-accept').click();
    await waitForPrompt(view, 'the fixed prompt', '(fox:1.4), snow');
    assert.notEqual(await view.locator('#negative').inputValue(), '');
    assert.equal(await view.locator('#proposal').isHidden(), true);
  });

  it('Optimize proposes the optimizer result as a diff; Accept applies it', async () => {
    const original = 'a red fox, (snow:2.5), a red fox';
    await view.locator('#prompt').fill(original);
    await view.locator('#negative').fill('');
    await view.locator('#optimize').click();
    await view.locator('#proposal-title').filter({ hasText: 'Optimize' }).waitFor({ timeout: 120_000 });
    const removed = (await view.locator('#proposal-prompt del').allTextContents()).join('');
    assert.ok(removed.includes('2.5') || removed.includes('a red fox'), removed);
    assert.match(String(await view.locator('#proposal-details').textContent()), /\S/);
    assert.equal(await view.locator('#prompt').inputValue(), original, 'not applied yet');
    await screenshot(page, 'prompt-panel-03-optimize-diff');
    await view.locator('#proposal-accept').click();
    const optimized = await waitForPromptChange(view, 'the optimized prompt', original);
    assert.equal(optimized.split('a red fox').length - 1, 1, optimized);
    assert.ok(!optimized.includes('2.5'), optimized);
    assert.equal(await view.locator('#proposal').isHidden(), true);
  });

  it('Rewrite (LLM) proposes the LLM answer as a diff; an LLM HTTP 500 leaves the prompt untouched', async () => {
    await view.locator('#prompt').fill('a fox in snow');
    await view.locator('#negative').fill('');
    llm.behaviour = {
      kind: 'answer',
      content: '{"prompt": "a red fox in fresh snow, soft morning light", "negative_prompt": "blurry"}',
    };
    const asked = llm.requests.length;
    await view.locator('#rewrite').click();
    await view.locator('#proposal-title').filter({ hasText: 'Rewrite (LLM)' }).waitFor({ timeout: 120_000 });
    assert.ok(llm.requests.length > asked, 'the daemon asked the LLM');
    assert.match(JSON.stringify(llm.requests.at(-1)?.body.messages), /a fox in snow/);
    const added = (await view.locator('#proposal-prompt ins').allTextContents()).join('|');
    assert.match(added, /red/);
    assert.match(added, /fresh/);
    assert.equal(await view.locator('#prompt').inputValue(), 'a fox in snow', 'not applied yet');
    await screenshot(page, 'prompt-panel-04-rewrite-diff');
    await view.locator('#proposal-accept').click();
    await waitForPrompt(view, 'the rewritten prompt', 'a red fox in fresh snow, soft morning light');
    assert.equal(await view.locator('#negative').inputValue(), 'blurry');

    // A failing endpoint: the error in the notice, no proposal, the prompt as it was.
    llm.behaviour = { kind: 'status', status: 500, body: '{"error": "overloaded"}' };
    await view.locator('#rewrite').click();
    const error = view.locator('#notice.error');
    await error.waitFor({ timeout: 120_000 });
    assert.match(String(await error.textContent()), /Rewrite \(LLM\).*(500|HTTP|overloaded)/i);
    assert.match(String(await error.textContent()), /prompt is unchanged/);
    assert.equal(await view.locator('#prompt').inputValue(), 'a red fox in fresh snow, soft morning light');
    assert.equal(await view.locator('#negative').inputValue(), 'blurry');
    assert.equal(await view.locator('#proposal').isHidden(), true);
    assert.equal(await view.locator('#rewrite').isEnabled(), true, 'the button is usable again');
    await screenshot(page, 'prompt-panel-05-rewrite-error');
  });

  it('Preset into prompt shows the preset written in as a diff; Accept sets the preset to None', async () => {
    await view.locator('#prompt').fill('a lighthouse');
    await view.locator('#negative').fill('');
    const id = await waitFor('a preset listed by the daemon', async () =>
      (await view.locator('#preset option').evaluateAll((o) => o.map((x) => x.getAttribute('value')))).find(
        (v) => v,
      ),
    );
    await view.locator('#preset').selectOption(id);
    await view.locator('#preset-into-prompt').click();
    await view.locator('#proposal-title').filter({ hasText: 'written into the prompt' }).waitFor();
    const added = (await view.locator('#proposal-prompt ins').allTextContents()).join('');
    assert.ok(added.trim().length > 0, 'the preset adds words');
    assert.equal(await view.locator('#prompt').inputValue(), 'a lighthouse', 'not applied yet');
    assert.equal(await view.locator('#preset').inputValue(), id);
    await view.locator('#proposal-accept').click();
    const prompt = await waitForPromptChange(view, 'the preset in the prompt', 'a lighthouse');
    assert.ok(prompt.includes('a lighthouse') && prompt.length > 'a lighthouse'.length, prompt);
    assert.equal(await view.locator('#preset').inputValue(), '');
    assert.equal(await view.locator('#preset-into-prompt').isDisabled(), true);
  });

  it('a gallery entry restores its prompt, negative prompt, size, checkpoint and LoRA', async () => {
    // Generate one image from the panel with the LoRA at 0.8: the daemon's infotext records it all.
    const row = view.locator('#loras li[data-name="tiny"]');
    await row.waitFor();
    await row.locator('input[type="checkbox"]').check();
    await row.locator('input.weight').fill('0.8');
    await row.locator('input.weight').press('Tab');
    await view.locator('#prompt').fill('a red fox, snow');
    await view.locator('#negative').fill('blurry');
    await view.locator('#generate').click();
    const dir = path.join(workspace, 'assets/generated');
    await waitFor('a-red-fox-*.png', () => pngsIn(dir, /^a-red-fox.*\.png$/).length > 0);
    const entry = view.locator('#gallery figure').first();
    await entry.waitFor();
    // Change everything the entry will restore.
    await row.locator('input[type="checkbox"]').uncheck();
    await view.locator('#prompt').fill('something else');
    await view.locator('#negative').fill('');
    await view.locator('#size').selectOption('512x512');
    await entry.locator('button.use-prompt').click();
    await waitForPrompt(view, 'the restored prompt', 'a red fox, snow');
    assert.equal(await view.locator('#negative').inputValue(), 'blurry');
    assert.equal(await view.locator('#size').inputValue(), '64x64');
    assert.equal(await view.locator('#model').inputValue(), 'tiny');
    assert.equal(await row.locator('input[type="checkbox"]').isChecked(), true, 'the LoRA is ticked again');
    assert.equal(await row.locator('input.weight').inputValue(), '0.8');
    await screenshot(page, 'prompt-panel-06-restored');
  });
});
