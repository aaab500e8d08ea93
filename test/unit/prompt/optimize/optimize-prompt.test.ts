import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { findPreset } from '../../../../shared/presets/apply-preset';
import type { TokenCounter } from '../../../../shared/prompt/analysis/token-budget';
import { normalizeSeparators, optimizePrompt } from '../../../../shared/prompt/optimize/optimize-prompt';

const words: TokenCounter = { countTokens: (text) => text.split(/\s+/).filter(Boolean).length };
const codes = (r: ReturnType<typeof optimizePrompt>) => r.changes.map((c) => c.code);

describe('prompt optimizer', () => {
  test('fixes syntax, dedupes, clamps weights and puts the subject first', () => {
    const result = optimizePrompt(
      'masterpiece, best quality,  a woman , (smile:2.5),, red hair, Red Hair, ((((cat)))), (x:1.0), dramatic lighting, [dog',
      words,
    );
    assert.equal(
      result.prompt,
      'a woman, (smile:1.4), red hair, (cat:1.4), x, dog, dramatic lighting, masterpiece, best quality',
    );
    for (const code of [
      'P_UNBALANCED_BRACKET',
      'P_REDUNDANT_BRACKETS',
      'P_DUPLICATE_KEYWORD',
      'P_WEIGHT_RANGE',
      'P_REORDERED',
    ] as const) {
      assert.ok(codes(result).includes(code), code);
    }
    const remaining = result.after.findings.filter((f) => f.target === 'prompt' && f.severity !== 'info');
    assert.deepEqual(remaining, []);
  });

  test('a weight of 2.5 is clamped to 1.4', () => {
    assert.equal(optimizePrompt('a cat, (dramatic sky:2.5)', words).prompt, 'a cat, (dramatic sky:1.4)');
  });

  test('a keyword split across the 75-token boundary is moved with BREAK', () => {
    const first = Array.from({ length: 50 }, (_, i) => `w${i}`).join(' ');
    const second = Array.from({ length: 30 }, (_, i) => `k${i}`).join(' ');
    const result = optimizePrompt(`${first}, ${second}`, words, { reorder: false });
    assert.equal(result.prompt, `${first}, BREAK ${second}`);
    assert.deepEqual(
      result.after.findings.filter((f) => f.code === 'P_CHUNK_STRADDLE'),
      [],
    );
  });

  test('Chinese is translated and what cannot be translated is kept and listed', () => {
    const result = optimizePrompt('一个女孩，长发，日落，曌犇', words, { reorder: false });
    assert.equal(result.prompt, '1girl, long hair, sunset, 曌犇');
    assert.deepEqual(result.untranslated, ['曌犇']);
    assert.ok(result.after.findings.some((f) => f.code === 'P_NON_ENGLISH'));
  });

  test('a preset is applied with its settings for the family', () => {
    const result = optimizePrompt('a cat', words, { preset: findPreset('watercolor'), family: 'sdxl' });
    assert.match(result.prompt, /^watercolor painting of a cat,/);
    assert.equal(result.settings.width, 1216);
    assert.match(result.negativePrompt, /harsh lines/);
  });

  test('an empty negative prompt gets a suggestion for the family, except Turbo', () => {
    assert.match(optimizePrompt('a cat', words, { family: 'sd1' }).negativePrompt, /worst quality/);
    assert.equal(optimizePrompt('a cat', words, { family: 'turbo' }).negativePrompt, '');
  });

  test('settings are brought into the guidance ranges', () => {
    const architecture = optimizePrompt('modern villa, glass facade, architecture', words, {
      settings: { family: 'sd1', cfg: 12, steps: 60 },
    });
    assert.equal(architecture.settings.cfg, 7);
    assert.equal(architecture.settings.steps, 30);
    const turbo = optimizePrompt('a cat', words, { family: 'turbo', settings: { steps: 30, cfg: 7 } });
    assert.equal(turbo.settings.steps, 4);
    assert.equal(turbo.settings.cfg, 0);
  });

  test('reordering is skipped where it could change meaning', () => {
    assert.equal(
      optimizePrompt('masterpiece, a [cat:dog:0.5]', words).prompt,
      'masterpiece, a [cat:dog:0.5]',
    );
    assert.equal(optimizePrompt('masterpiece BREAK a cat', words).prompt, 'masterpiece BREAK a cat');
  });

  test('the empty prompt stays empty and is reported', () => {
    const result = optimizePrompt('', words);
    assert.equal(result.prompt, '');
    assert.ok(result.after.findings.some((f) => f.code === 'P_EMPTY_PROMPT'));
  });

  test('separators are normalised', () => {
    assert.equal(normalizeSeparators(' a ,b,, c ,  '), 'a, b, c');
  });

  test('a 20,000-character prompt is optimised', () => {
    const prompt = 'masterpiece, a castle on a hill, (night:2), '.repeat(454);
    assert.ok(prompt.length > 19_900 && prompt.length <= 20_000);
    const result = optimizePrompt(prompt, words);
    assert.equal(result.prompt, 'a castle on a hill, (night:1.4), masterpiece');
  });
});
