// LoRA / embedding picker logic shared by the side panel's host and webview: compatibility with
// the selected checkpoint, prompt text for embeddings, and the generate options the host builds.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  addTriggerWords,
  applyEmbeddings,
  compatibleAdapters,
  LORA_WEIGHT,
  type PickerModel,
  progressLabel,
} from '../../../plugins/vscode/src/common/extra-networks';
import { parseWebviewToHost } from '../../../plugins/vscode/src/common/panel-messages';
import { panelGenerateOptions } from '../../../plugins/vscode/src/host/panel-generate';
import { checkpointBase, clampWeight, embeddingText } from '../../../shared/prompt/extra-network-picker';

// What the daemon's `models` reply holds (model-catalog-view.ts): checkpoints by model family,
// adapters by base-family label.
const MODELS: PickerModel[] = [
  { id: 'sd15', name: 'SD 1.5', kind: 'checkpoint', family: 'sd15', installed: true },
  { id: 'xl', name: 'SDXL base', kind: 'checkpoint', family: 'sdxl', installed: true },
  { id: 'turbo', name: 'SD Turbo', kind: 'checkpoint', family: 'sd-turbo', installed: false },
  { id: 'detail', name: 'detail', kind: 'lora', family: 'SD 1.x', installed: true, triggerWords: ['dtl'] },
  { id: 'xl-style', name: 'xl-style', kind: 'lora', family: 'SDXL', installed: true },
  { id: 'mystery', name: 'mystery', kind: 'lora', family: 'an unknown base model', installed: true },
  { id: 'easyneg', name: 'easyneg', kind: 'embedding', family: 'SD 1.x', installed: true, token: 'easyneg' },
  { id: 'xl-emb', name: 'xl-emb', kind: 'embedding', family: 'SDXL', installed: true, token: 'xlemb' },
  { id: 'taesd', name: 'TAESD', kind: 'vae', family: 'taesd', installed: true },
];

/** The side panel's `generate` message: a 64×64 single image of `prompt` plus `extra` fields. */
function generateMessage(prompt: string, extra: Record<string, unknown> = {}) {
  return parseWebviewToHost({
    type: 'generate',
    prompt,
    negativePrompt: '',
    width: 64,
    height: 64,
    count: 1,
    ...extra,
  });
}

describe('LoRAs and embeddings next to the checkpoint picker', () => {
  it('maps checkpoint families to the base family adapters are labelled with', () => {
    assert.equal(checkpointBase('sd15'), 'SD 1.x');
    assert.equal(checkpointBase('sd15-inpaint'), 'SD 1.x');
    assert.equal(checkpointBase('sd2'), 'SD 2.x');
    assert.equal(checkpointBase('sd-turbo'), 'SD 2.x');
    assert.equal(checkpointBase('sdxl-turbo'), 'SDXL');
    assert.equal(checkpointBase('flux'), null);
  });

  it('offers only the adapters of the selected checkpoint family, plus those of unknown base', () => {
    const sd15 = compatibleAdapters(MODELS, 'sd15');
    assert.deepEqual(
      sd15.map((a) => `${a.kind}:${a.token}:${a.knownBase}`),
      ['embedding:easyneg:true', 'lora:detail:true', 'lora:mystery:false'],
    );
    assert.deepEqual(sd15.find((a) => a.token === 'detail')?.triggerWords, ['dtl']);
    const xl = compatibleAdapters(MODELS, 'xl');
    assert.deepEqual(
      xl.map((a) => a.token),
      ['xlemb', 'mystery', 'xl-style'],
    );
    // No checkpoint known (daemon default not listed): everything installed is offered.
    assert.equal(compatibleAdapters(MODELS, null).length, 5);
  });

  it('writes embeddings as (token:weight), the plain token at 1, once, into the chosen text', () => {
    assert.equal(embeddingText('easyneg', 1), 'easyneg');
    assert.equal(embeddingText('easyneg', 0.8), '(easyneg:0.8)');
    assert.equal(embeddingText('style', 1.234), '(style:1.23)');
    const r = applyEmbeddings('a fox, snow', 'blurry', [
      { token: 'easyneg', weight: 1.2, target: 'negative' },
      { token: 'style', weight: 1, target: 'prompt' },
    ]);
    assert.deepEqual(r, { prompt: 'a fox, snow, style', negativePrompt: 'blurry, (easyneg:1.2)' });
    // Already written by the user (with their weight): left as it is.
    const kept = applyEmbeddings('(style:0.5) fox', '', [{ token: 'style', weight: 1.5, target: 'prompt' }]);
    assert.equal(kept.prompt, '(style:0.5) fox');
    assert.equal(
      applyEmbeddings('', '', [{ token: 'neg', weight: 1, target: 'negative' }]).negativePrompt,
      'neg',
    );
    // A token that is only part of a longer word is not "already there".
    assert.equal(
      applyEmbeddings('styled', '', [{ token: 'style', weight: 1, target: 'prompt' }]).prompt,
      'styled, style',
    );
  });

  it('adds trigger words that are not in the prompt yet', () => {
    assert.equal(addTriggerWords('a fox', ['dtl', 'a fox']), 'a fox, dtl');
    assert.equal(addTriggerWords('', ['dtl']), 'dtl');
  });

  it('clamps typed weights to the range and falls back to the default for non-numbers', () => {
    assert.equal(clampWeight(7, LORA_WEIGHT), 4);
    assert.equal(clampWeight(-9, LORA_WEIGHT), -4);
    assert.equal(clampWeight(0.456, LORA_WEIGHT), 0.46);
    assert.equal(clampWeight(Number.NaN, LORA_WEIGHT), 1);
  });

  it('turns the panel message into options: checkpoint, request loras, embeddings in the prompt', () => {
    const parsed = generateMessage('a fox', {
      model: 'sd15',
      loras: [
        { name: 'detail', weight: 0.7 },
        { name: 'detail', weight: 0.6 },
        { name: 'mystery', weight: -1 },
      ],
      embeddings: [{ token: 'easyneg', weight: 1, target: 'negative' }],
    });
    assert.ok(parsed.ok);
    assert.equal(parsed.message.type, 'generate');
    if (parsed.message.type !== 'generate') return;
    assert.deepEqual(panelGenerateOptions(parsed.message), {
      prompt: 'a fox',
      negativePrompt: 'easyneg',
      preset: undefined,
      width: 64,
      height: 64,
      count: 1,
      model: 'sd15',
      loras: [
        { name: 'detail', weight: 0.6 },
        { name: 'mystery', weight: -1 },
      ],
    });
    // Without picks the request has no loras key at all (the daemon's default applies).
    const plain = generateMessage('x');
    assert.ok(plain.ok && plain.message.type === 'generate');
    if (plain.ok && plain.message.type === 'generate')
      assert.equal('loras' in panelGenerateOptions(plain.message), false);
  });

  it('refuses out-of-range weights from the webview, naming the field and the limit', () => {
    const bad = generateMessage('x', { loras: [{ name: 'detail', weight: 5 }] });
    assert.equal(bad.ok, false);
    if (!bad.ok) assert.match(bad.error, /^loras\.0\.weight: LoRA weight must be between -4 and 4/);
    const badEmb = generateMessage('x', { embeddings: [{ token: 'e', weight: -1, target: 'prompt' }] });
    assert.equal(badEmb.ok, false);
    if (!badEmb.ok)
      assert.match(badEmb.error, /^embeddings\.0\.weight: embedding weight must be between 0 and 4/);
  });

  it('labels download progress with MB and percent', () => {
    assert.equal(
      progressLabel({
        model: 'sd-turbo',
        phase: 'downloading',
        bytesDone: 12_000_000,
        bytesTotal: 48_000_000,
      }),
      'sd-turbo: downloading 12/48 MB (25%)',
    );
    assert.equal(
      progressLabel({ model: 'x', phase: 'resolving', bytesDone: 0, bytesTotal: 0 }),
      'x: resolving',
    );
  });
});
