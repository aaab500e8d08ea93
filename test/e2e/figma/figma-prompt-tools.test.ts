// The built Figma UI in headless Chromium against a real daemon (tiny fixture model) for the
// model picker's LoRAs and embeddings, the prompt panel (inline highlights, before/after diffs of
// fix all / optimize / LLM rewrite / preset, the prompt history) and the reverse prompt of a
// selected image (its own A1111 parameters, the "no interrogator" error, then a tiny CLIP model
// installed into the running daemon). LoRAs and embeddings go through the daemon's real import
// (AdapterStore), the rewrite through a local OpenAI-compatible server.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { silentLogger } from '../../../companion/logger';
import { AdapterStore } from '../../../companion/models/adapter-store';
import { ModelManager } from '../../../companion/models/model-manager';
import type { StippleClient } from '../../../shared/protocol/stipple-client';
import { startDaemon, type TestDaemon } from '../../helpers/daemon';
import { type FakeLlm, startFakeLlm } from '../../helpers/fake-llm';
import { fixturePath, skipNoFixtures } from '../../helpers/fixtures';
import { buildTinyClip } from '../../helpers/tiny-clip';
import { connectClient } from '../../helpers/ws-client';
import {
  gradientPng,
  type Harness,
  launchBrowser,
  nextInsert,
  openHarness,
  rawPixels,
  skipNoChromium,
  smallPrefs,
  storedParams,
} from './figma-harness';
import { buildFigmaPlugin } from './plugin-build';

const skip = skipNoChromium || skipNoFixtures;
/** The fixture LoRA with extra safetensors `__metadata__` (trigger words, base model), as trainers write it. */
function loraWithMetadata(metadata: Record<string, string>): string {
  const src = readFileSync(fixturePath('tiny-sd', 'lora', 'tiny_lora_kohya.safetensors'));
  const n = Number(src.readBigUInt64LE(0));
  const header = JSON.parse(src.subarray(8, 8 + n).toString('utf8'));
  header.__metadata__ = { ...(header.__metadata__ ?? {}), ...metadata };
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - (json.length % 8)) % 8);
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(Buffer.byteLength(json)));
  const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'figma-lora-')), 'lora.safetensors');
  writeFileSync(file, Buffer.concat([len, Buffer.from(json), src.subarray(8 + n)]));
  return file;
}

/** The colours of the "Photo" the reverse prompt steps read. */
const photoPixel = (x: number, y: number): [number, number, number] => [x * 4, 255 - y * 4, 90];

describe('Figma UI: LoRAs/embeddings, prompt panel and reverse prompt', { skip }, () => {
  let browser: Browser;
  let d: TestDaemon;
  let h: Harness;
  let llm: FakeLlm;
  let direct: StippleClient;

  before(async () => {
    await buildFigmaPlugin();
    llm = await startFakeLlm();
    d = await startDaemon({
      models: { 'sd15-tiny': 'sd15-tiny' },
      config: { llm: { url: llm.url, model: 'tiny-llm', timeoutMs: 10_000 } },
    });
    const store = new AdapterStore(d.home);
    await store.importFile(
      'lora',
      loraWithMetadata({ 'modelspec.trigger_phrase': 'tinystyle, glowing', ss_base_model_version: 'sd_v1' }),
      { name: 'tiny' },
    );
    await store.importFile(
      'lora',
      loraWithMetadata({ 'modelspec.architecture': 'stable-diffusion-xl-v1-base/lora' }),
      { name: 'tiny-xl' },
    );
    await store.importFile('embedding', fixturePath('tiny-sd', 'embeddings', 'tiny-style.safetensors'));
    direct = await connectClient(d.wsUrl, d.token);
    browser = await launchBrowser();
    h = await openHarness(browser, (s) => {
      s.token = d.token;
      s.prefs = smallPrefs(d.port);
    });
    await h.ui.locator('#conn-dot[data-state="connected"]').waitFor({ timeout: 30_000 });
  });
  after(async () => {
    direct?.close();
    await h?.close();
    await browser?.close();
    await d?.dispose();
    await llm?.close();
  });

  const newInsert = (n: number) =>
    nextInsert(h, n, { timeoutMs: 90_000, failureShot: 'prompt-tools-failure', daemonLog: () => d.output() });
  const setPrompts = async (prompt: string, negative: string) => {
    await h.ui.locator('#prompt').fill(prompt);
    await h.ui.locator('#negative').fill(negative);
  };

  test('the model picker lists LoRAs and embeddings with their family, weights and trigger words', async () => {
    const tiny = h.ui.locator('#lora-list .network[data-name="tiny"]');
    await tiny.waitFor({ timeout: 30_000 });
    assert.match(String(await tiny.locator('[data-role="family"]').textContent()), /SD 1\.x/);
    const weight = tiny.locator('input.weight');
    assert.deepEqual(
      [
        await weight.inputValue(),
        await weight.getAttribute('min'),
        await weight.getAttribute('max'),
        await weight.getAttribute('step'),
      ],
      ['1', '-4', '4', '0.05'],
    );
    assert.equal(await tiny.getAttribute('data-compatible'), 'true');
    // An SDXL LoRA on an SD 1.x checkpoint: shown, disabled, with the reason.
    const xl = h.ui.locator('#lora-list .network[data-name="tiny-xl"]');
    assert.equal(await xl.getAttribute('data-compatible'), 'false');
    assert.equal(await xl.locator('input[type="checkbox"]').isDisabled(), true);
    assert.match(
      String(await xl.locator('[data-role="family"]').textContent()),
      /made for SDXL; this checkpoint is SD 1\.x/,
    );
    const emb = h.ui.locator('#embedding-list .network[data-kind="embedding"]').first();
    await emb.waitFor();
    assert.match(String(await emb.textContent()), /tiny-style/);
    assert.equal(await emb.locator('input.weight').inputValue(), '1');
    // The tiny embedding's width (32) names no known base model: shown, usable, with a note.
    assert.equal(
      await emb.locator('[data-role="family"]').textContent(),
      'base model unknown: check that it fits',
    );
    await h.screenshot('networks');

    // Trigger words from the LoRA's metadata insert into the prompt.
    await setPrompts('a lighthouse', 'blurry');
    await tiny.locator('button[data-trigger="tinystyle"]').click();
    assert.equal(await h.ui.locator('#prompt').inputValue(), 'a lighthouse, tinystyle');
    // An embedding's token: plain at weight 1, `(token:w)` otherwise; negative prompt too.
    await emb.locator('button[data-insert="prompt"]').click();
    const token = String(await emb.getAttribute('data-name'));
    const promptNow = await h.ui.locator('#prompt').inputValue();
    assert.match(promptNow, /^a lighthouse, tinystyle, \S*tiny-style\S*$/);
    assert.ok(!promptNow.includes(':1'), promptNow);
    await emb.locator('input.weight').fill('1.2');
    await emb.locator('button[data-insert="negative"]').click();
    assert.match(await h.ui.locator('#negative').inputValue(), /^blurry, \(\S*tiny-style\S*:1\.2\)$/);
    assert.ok(token.includes('tiny-style'));
    // Out-of-range weights are clamped to the protocol's range.
    await weight.fill('9');
    await weight.dispatchEvent('change');
    assert.equal(await weight.inputValue(), '4');
    await weight.fill('1');
    await weight.dispatchEvent('change');
  });

  test('a LoRA picked at 0.8 goes in the request, the daemon applies it and the choice is kept in prefs', async () => {
    await setPrompts('a lighthouse on a cliff', '');
    const tiny = h.ui.locator('#lora-list .network[data-name="tiny"]');
    await tiny.locator('input[type="checkbox"]').check();
    await tiny.locator('input.weight').fill('0.8');
    await tiny.locator('input.weight').dispatchEvent('change');
    const n = h.sandbox.inserts.length;
    await h.ui.locator('#generate').click();
    const ins = await newInsert(n);
    const p = storedParams(ins);
    // done.params: the request as the daemon ran it.
    assert.deepEqual(p.params.loras, [{ name: 'tiny', weight: 0.8 }]);
    const base = {
      prompt: 'a lighthouse on a cliff',
      negativePrompt: '',
      model: 'sd15-tiny',
      sampler: 'euler' as const,
      steps: 4,
      cfg: 7,
      seed: 7,
      width: 64,
      height: 64,
    };
    const withLora = await direct.generate({ ...base, loras: [{ name: 'tiny', weight: 0.8 }] }).done;
    const without = await direct.generate(base).done;
    const ui = await rawPixels(ins.png);
    assert.ok(ui.equals(await rawPixels(withLora.images[0].png)), "the UI image is the daemon's LoRA image");
    assert.ok(!ui.equals(await rawPixels(without.images[0].png)), 'the LoRA changed the image');
    await h.sandbox.waitFor(() => h.sandbox.savedPrefs?.includes('"loras"') && h.sandbox.savedPrefs);
    assert.deepEqual(JSON.parse(String(h.sandbox.savedPrefs)).loras, [{ name: 'tiny', weight: 0.8 }]);
    await tiny.locator('input[type="checkbox"]').uncheck();
  });

  test('findings are highlighted inline in the prompt, at their spans', async () => {
    await setPrompts('a red fox, (snow:2.5), a red fox', '');
    const mark = h.ui.locator('.mirror[data-for="prompt"] mark[data-codes~="P_WEIGHT_RANGE"]');
    await mark.first().waitFor({ state: 'attached', timeout: 20_000 });
    assert.match(String(await mark.first().textContent()), /2\.5/);
    const dup = h.ui.locator('.mirror[data-for="prompt"] mark[data-codes~="P_DUPLICATE_KEYWORD"]');
    await dup.first().waitFor({ state: 'attached' });
    assert.equal((await dup.first().textContent())?.trim().replace(/^,\s*/, ''), 'a red fox');
    const mirrorText = await h.ui.locator('.mirror[data-for="prompt"]').textContent();
    assert.equal(mirrorText?.replace(/\u200b$/, ''), 'a red fox, (snow:2.5), a red fox');
    // The mirror sits exactly behind the textarea.
    const box = await h.ui.locator('#prompt').boundingBox();
    const mbox = await h.ui.locator('.mirror[data-for="prompt"]').boundingBox();
    assert.ok(box && mbox && Math.abs(box.x - mbox.x) < 1 && Math.abs(box.width - mbox.width) < 1);
    await h.screenshot('prompt-highlights');
    // A long prompt with a scrollbar wraps the same in the mirror as in the textarea.
    const long = Array.from({ length: 40 }, (_, i) => `keyword number ${i}`).join(', ');
    await h.ui.locator('#prompt').fill(`${long}, (snow:2.5)`);
    await mark.first().waitFor({ state: 'attached', timeout: 20_000 });
    const heights = await h.ui.locator('#prompt').evaluate((area) => {
      const m = area.parentElement!.querySelector('.mirror')!;
      return [area.scrollHeight, area.clientHeight, m.scrollHeight];
    });
    assert.ok(heights[0] > heights[1], `the prompt scrolls: ${heights}`);
    assert.ok(Math.abs(heights[0] - heights[2]) <= 2, `same wrapping: ${heights}`);
    // Editing drops the stale marks until the next check.
    await h.ui.locator('#prompt').fill('a red fox');
    assert.equal(await h.ui.locator('.mirror[data-for="prompt"] mark').count(), 0);
    // The findings list still shows the old findings, marked stale: their fixes would hit old spans.
    assert.equal(await h.ui.locator('#findings').getAttribute('data-stale'), 'true');
  });

  test('fix all and optimize show a word diff first; reject keeps the prompt, accept applies it', async () => {
    const original = 'a red fox, (snow:2.5), a red fox';
    await setPrompts(original, '');
    await h.ui
      .locator('#findings:not([data-stale]) li[data-code="P_WEIGHT_RANGE"]')
      .waitFor({ timeout: 20_000 });
    await h.ui.locator('#fix-all').click();
    await h.ui.locator('#proposal').waitFor({ state: 'visible' });
    assert.equal(await h.ui.locator('#proposal-title').textContent(), 'Fix all');
    assert.match(String(await h.ui.locator('#proposal-prompt del').allTextContents()), /2\.5/);
    await h.screenshot('fix-all-diff');
    await h.ui.locator('#proposal-reject').click();
    assert.equal(await h.ui.locator('#proposal').isVisible(), false);
    assert.equal(await h.ui.locator('#prompt').inputValue(), original);

    await h.ui.locator('#optimize').click();
    await h.ui.locator('#proposal-title').filter({ hasText: 'Optimize' }).waitFor({ timeout: 20_000 });
    const diffText = String(await h.ui.locator('#proposal-prompt').textContent());
    const removed = (await h.ui.locator('#proposal-prompt del').allTextContents()).join('');
    assert.ok(removed.includes('2.5') || removed.includes('a red fox'), removed);
    assert.ok(diffText.includes('red fox'), diffText);
    await h.ui.locator('#proposal-accept').click();
    const optimized = await h.ui.locator('#prompt').inputValue();
    assert.notEqual(optimized, original);
    assert.equal(optimized.split('a red fox').length - 1, 1, optimized);
    assert.ok(!optimized.includes('2.5'), optimized);
  });

  test('a preset written into the prompt is shown as a diff; accepting sets the preset to None', async () => {
    await setPrompts('a lighthouse', '');
    const options = await h.ui
      .locator('#preset option')
      .evaluateAll((o) => o.map((x) => x.getAttribute('value')));
    const id = options.find((v) => v);
    assert.ok(id, 'the daemon lists presets');
    await h.ui.locator('#preset').selectOption(id);
    await h.ui.locator('#preset-into-prompt').click();
    await h.ui.locator('#proposal').waitFor({ state: 'visible' });
    const added = (await h.ui.locator('#proposal-prompt ins').allTextContents()).join('');
    assert.ok(added.trim().length > 0, 'the preset adds words');
    await h.ui.locator('#proposal-accept').click();
    const prompt = await h.ui.locator('#prompt').inputValue();
    assert.ok(prompt.includes('a lighthouse') && prompt.length > 'a lighthouse'.length, prompt);
    assert.equal(await h.ui.locator('#preset').inputValue(), '');
  });

  test('LLM rewrite through the daemon: proposed as a diff, accepted into the boxes', async () => {
    await setPrompts('a fox in snow', '');
    llm.behaviour = {
      kind: 'answer',
      content: '{"prompt": "a red fox in fresh snow, soft morning light", "negative_prompt": "blurry"}',
    };
    const asked = llm.requests.length;
    await h.ui.locator('#rewrite').click();
    await h.ui.locator('#proposal-title').filter({ hasText: 'LLM rewrite' }).waitFor({ timeout: 30_000 });
    assert.ok(llm.requests.length > asked, 'the daemon asked the LLM');
    assert.match(JSON.stringify(llm.requests.at(-1)?.body.messages), /a fox in snow/);
    const added = (await h.ui.locator('#proposal-prompt ins').allTextContents()).join('|');
    assert.match(added, /red/);
    assert.match(added, /fresh/);
    await h.screenshot('llm-rewrite-diff');
    await h.ui.locator('#proposal-accept').click();
    assert.equal(await h.ui.locator('#prompt').inputValue(), 'a red fox in fresh snow, soft morning light');
    assert.equal(await h.ui.locator('#negative').inputValue(), 'blurry');
    // A failing endpoint: the daemon's error in place, the prompt untouched.
    llm.behaviour = { kind: 'status', status: 500, body: '{"error": "overloaded"}' };
    await h.ui.locator('#rewrite').click();
    await h.ui.locator('#error').waitFor({ state: 'visible', timeout: 30_000 });
    assert.match(String(await h.ui.locator('#error-text').textContent()), /500|HTTP|overloaded/i);
    assert.equal(await h.ui.locator('#prompt').inputValue(), 'a red fox in fresh snow, soft morning light');
  });

  test('the history keeps each result with its prompt and thumbnail; a click restores prompt and settings', async () => {
    await setPrompts('first history prompt', '');
    await h.ui.locator('#seed').fill('11');
    let n = h.sandbox.inserts.length;
    await h.ui.locator('#generate').click();
    await newInsert(n);
    await setPrompts('second history prompt', 'grainy');
    await h.ui.locator('#seed').fill('12');
    await h.ui.locator('#steps').fill('3');
    n = h.sandbox.inserts.length;
    await h.ui.locator('#generate').click();
    await newInsert(n);
    const entries = h.ui.locator('#history-list .history-entry');
    await h.ui.locator('#history-list .history-entry[data-seed="12"]').waitFor();
    assert.match(String(await entries.first().textContent()), /second history prompt/);
    assert.match(
      String(await entries.first().locator('img').getAttribute('src')),
      /^data:image\/jpeg;base64,/,
    );
    await h.screenshot('history');
    await h.ui.locator('#history-list .history-entry[data-seed="11"]').click();
    assert.equal(await h.ui.locator('#prompt').inputValue(), 'first history prompt');
    assert.equal(
      (await h.ui.locator('.mirror[data-for="prompt"]').textContent())?.replace(/\u200b$/, ''),
      'first history prompt',
      'the highlight mirror follows the restored text',
    );
    assert.equal(await h.ui.locator('#negative').inputValue(), '');
    assert.equal(await h.ui.locator('#seed').inputValue(), '11');
    assert.equal(await h.ui.locator('#steps').inputValue(), '4');
    // The LoRA result (seed 7, tiny at 0.8) brings its LoRA back too.
    await h.ui.locator('#history-list .history-entry[data-seed="7"]').click();
    const tiny = h.ui.locator('#lora-list .network[data-name="tiny"]');
    assert.equal(await tiny.locator('input[type="checkbox"]').isChecked(), true);
    assert.equal(await tiny.locator('input.weight').inputValue(), '0.8');
    await tiny.locator('input[type="checkbox"]').uncheck();
    // Kept in clientStorage through the sandbox: a new panel shows it.
    const saved = await h.sandbox.waitFor(
      () => h.sandbox.history?.includes('second history prompt') && h.sandbox.history,
    );
    const again = await openHarness(browser, (s) => {
      s.token = d.token;
      s.prefs = smallPrefs(d.port);
      s.history = saved;
    });
    try {
      await again.ui.locator('#history-list .history-entry[data-seed="12"]').waitFor();
      await again.ui.locator('#history-list .history-entry[data-seed="12"]').click();
      assert.equal(await again.ui.locator('#prompt').inputValue(), 'second history prompt');
      assert.equal(await again.ui.locator('#negative').inputValue(), 'grainy');
      assert.equal(await again.ui.locator('#steps').inputValue(), '3');
    } finally {
      await again.close();
    }
  });

  test('reverse prompt: a PNG with A1111 parameters gives its own prompt back', async () => {
    const made = await direct.generate({
      prompt: 'a cozy cabin, (snowy woods:1.2)',
      negativePrompt: 'lowres, watermark',
      model: 'sd15-tiny',
      sampler: 'euler',
      steps: 2,
      width: 64,
      height: 64,
      seed: 5,
    }).done;
    await setPrompts('something else', 'blurry');
    h.sandbox.image = { png: made.images[0].png, name: 'Cabin' };
    await h.sandbox.setSelection({ mode: 'txt2img', label: 'Empty frame 64×64', width: 64, height: 64 });
    assert.equal(await h.ui.locator('#reverse-prompt').isVisible(), false, 'offered for images only');
    await h.sandbox.setSelection({
      mode: 'img2img',
      label: 'Image 64×64',
      width: 64,
      height: 64,
      hasImage: true,
    });
    await h.ui.locator('#reverse-prompt').click();
    await h.ui
      .locator('#proposal-title')
      .filter({ hasText: 'Reverse prompt of "Cabin"' })
      .waitFor({ timeout: 20_000 });
    assert.match(
      String(await h.ui.locator('#proposal-details').textContent()),
      /own generation parameters.*Seed: 5/,
    );
    await h.ui.locator('#proposal-accept').click();
    assert.equal(await h.ui.locator('#prompt').inputValue(), 'a cozy cabin, (snowy woods:1.2)');
    assert.equal(await h.ui.locator('#negative').inputValue(), 'lowres, watermark');
  });

  test('reverse prompt without an interrogator model installed: a clear error, nothing changed', async () => {
    await setPrompts('keep me', '');
    h.sandbox.image = { png: await gradientPng(48, 48, photoPixel), name: 'Photo' };
    await h.ui.locator('#reverse-prompt').click();
    await h.ui.locator('#error').waitFor({ state: 'visible', timeout: 30_000 });
    const text = String(await h.ui.locator('#error-text').textContent());
    assert.match(text, /needs a CLIP interrogator model, and none is installed/);
    assert.match(text, /stipple models pull/);
    await h.screenshot('reverse-prompt-no-interrogator');
    assert.equal(await h.ui.locator('#prompt').inputValue(), 'keep me');
    // No image in the selection: the sandbox's reason.
    h.sandbox.image = { reason: '"Frame 1" has no image fill.' };
    await h.ui.locator('#reverse-prompt').click();
    await h.ui.locator('#error-text').filter({ hasText: 'has no image fill' }).waitFor();
  });

  test("reverse prompt with the tiny CLIP interrogator installed: the daemon's proposal is offered", async () => {
    const manager = new ModelManager({
      home: d.home,
      logger: silentLogger(),
      hub: { endpoint: 'http://127.0.0.1:9' },
    });
    await manager.import(buildTinyClip(), { mode: 'link', id: 'tiny-clip' });
    const png = await gradientPng(48, 48, photoPixel);
    const expected = await direct.request(
      { type: 'interrogate', image: 'x' },
      { x: png },
      { timeoutMs: 180_000 },
    );
    assert.equal(expected.type, 'interrogation');
    const proposed = expected.type === 'interrogation' ? expected.prompt : '';
    assert.ok(proposed.length > 0);
    await setPrompts('old prompt', 'blurry');
    h.sandbox.image = { png, name: 'Photo' };
    await h.ui.locator('#reverse-prompt').click();
    await h.ui
      .locator('#proposal-title')
      .filter({ hasText: 'Reverse prompt of "Photo"' })
      .waitFor({ timeout: 60_000 });
    assert.match(String(await h.ui.locator('#proposal-details').textContent()), /CLIP interrogator/);
    await h.screenshot('reverse-prompt-clip');
    await h.ui.locator('#proposal-accept').click();
    assert.equal(await h.ui.locator('#prompt').inputValue(), proposed);
    assert.equal(await h.ui.locator('#negative').inputValue(), 'blurry', 'CLIP proposes no negative prompt');
  });

  test('the UI sent only well-formed messages to the sandbox', () => {
    assert.deepEqual(h.sandbox.invalid, []);
  });
});
