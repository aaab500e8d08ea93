import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { applyPreset, findPreset } from '../../../../shared/presets/apply-preset';
import {
  analyzePrompt,
  analyzePromptAsync,
  tokenCounterFrom,
} from '../../../../shared/prompt/analysis/analyze-prompt';
import { applyEdits, FINDING_CODES, type Finding } from '../../../../shared/prompt/analysis/finding';
import type { TokenCounter } from '../../../../shared/prompt/analysis/token-budget';
import { skipNoFixtures } from '../../../helpers/fixtures';
import { fixtureTokenizer } from '../fixture-tokenizer';

// One token per word: lets the tests place chunk boundaries exactly without the real vocabulary.
const words: TokenCounter = { countTokens: (text) => text.split(/\s+/).filter(Boolean).length };

const codes = (findings: readonly Finding[]) => findings.map((f) => f.code);
const only = (findings: readonly Finding[], code: Finding['code']) => findings.filter((f) => f.code === code);

describe('prompt analysis: weights', () => {
  test('a weight of 2.5 is flagged and clamped to 1.4', () => {
    const prompt = 'a castle, (dramatic sky:2.5)';
    const [finding] = only(analyzePrompt(prompt, words).findings, 'P_WEIGHT_RANGE');
    assert.ok(finding);
    assert.equal(prompt.slice(finding.span.start, finding.span.end), '(dramatic sky:2.5)');
    assert.equal(applyEdits(prompt, finding.fix!.edits!), 'a castle, (dramatic sky:1.4)');
  });

  test('a weight of 0.5 is flagged and raised to 0.7', () => {
    const prompt = 'cat, (hat:0.5)';
    const [finding] = only(analyzePrompt(prompt, words).findings, 'P_WEIGHT_RANGE');
    assert.equal(applyEdits(prompt, finding.fix!.edits!), 'cat, (hat:0.7)');
  });

  test('nested brackets count: ((((cat)))) is 1.46 and flagged', () => {
    const findings = analyzePrompt('((((cat))))', words).findings;
    assert.equal(only(findings, 'P_WEIGHT_RANGE').length, 1);
    assert.equal(only(findings, 'P_REDUNDANT_BRACKETS')[0].fix!.edits![0].text, '(cat:1.46)');
  });

  test('weights between 0.7 and 1.4 are fine', () => {
    assert.deepEqual(
      only(analyzePrompt('(a:0.7), (b:1.4), ((c)), [d]', words).findings, 'P_WEIGHT_RANGE'),
      [],
    );
  });
});

describe('prompt analysis: settings guidance', () => {
  const architecture = 'modern villa, concrete facade, architecture, golden hour';

  test('cfg 12 for an architecture prompt is flagged, suggesting 3–7', () => {
    const analysis = analyzePrompt(architecture, words, { settings: { family: 'sd1', cfg: 12, steps: 25 } });
    assert.equal(analysis.subject, 'scene');
    const [finding] = only(analysis.findings, 'P_CFG_RANGE');
    assert.match(finding.message, /3–7/);
    assert.equal(finding.fix!.settings!.cfg, 7);
  });

  test('cfg 5 for a portrait of a woman is flagged, suggesting 7–15', () => {
    const analysis = analyzePrompt('portrait of an old woman, wrinkles', words, {
      settings: { family: 'sd1', cfg: 5 },
    });
    assert.equal(analysis.subject, 'people');
    assert.match(only(analysis.findings, 'P_CFG_RANGE')[0].message, /7–15/);
  });

  test('cfg 9 for a character and cfg 5 for a scene pass', () => {
    assert.deepEqual(
      only(analyzePrompt('a knight in armor', words, { settings: { cfg: 9 } }).findings, 'P_CFG_RANGE'),
      [],
    );
    assert.deepEqual(
      only(analyzePrompt(architecture, words, { settings: { cfg: 5 } }).findings, 'P_CFG_RANGE'),
      [],
    );
  });

  test('steps outside 18–30 are flagged for non-Turbo models', () => {
    for (const [steps, suggested] of [
      [10, 18],
      [40, 30],
    ] as const) {
      const [finding] = only(
        analyzePrompt('a cat', words, { settings: { family: 'sdxl', steps } }).findings,
        'P_STEPS_RANGE',
      );
      assert.equal(finding.fix!.settings!.steps, suggested);
    }
    assert.deepEqual(
      only(
        analyzePrompt('a cat', words, { settings: { family: 'sd1', steps: 24 } }).findings,
        'P_STEPS_RANGE',
      ),
      [],
    );
  });

  test('Turbo at 2 steps is fine; Turbo at 20 steps or CFG 7 is flagged', () => {
    assert.deepEqual(
      codes(
        analyzePrompt('a cat', words, { settings: { family: 'turbo', steps: 2, cfg: 0 } }).findings,
      ).filter((c) => c.startsWith('P_STEPS') || c.startsWith('P_TURBO')),
      [],
    );
    const [finding] = only(
      analyzePrompt('a cat', words, { settings: { family: 'turbo', steps: 20, cfg: 7 } }).findings,
      'P_TURBO_SETTINGS',
    );
    assert.deepEqual(finding.fix!.settings, { steps: 4, cfg: 0 });
  });

  test('Euler a is suggested for icons and anime', () => {
    for (const prompt of ['app icon of a rocket, flat design', 'anime girl, school uniform']) {
      const [finding] = only(
        analyzePrompt(prompt, words, { settings: { sampler: 'dpmpp_2m_karras' } }).findings,
        'P_SAMPLER_SUGGESTION',
      );
      assert.equal(finding.fix!.settings!.sampler, 'euler_a', prompt);
    }
  });

  test('DPM++ 2S a Karras is suggested for realistic portraits and complex scenes', () => {
    const portrait = analyzePrompt('photo of a woman, 85mm, skin texture', words, {
      settings: { sampler: 'euler' },
    });
    assert.equal(
      only(portrait.findings, 'P_SAMPLER_SUGGESTION')[0].fix!.settings!.sampler,
      'dpmpp_2s_a_karras',
    );
    const scene = analyzePrompt(
      'fantasy city, castle, bridge, river, crowd of people, market, banners',
      words,
      { settings: { sampler: 'euler' } },
    );
    assert.equal(scene.subject, 'scene');
    assert.equal(only(scene.findings, 'P_SAMPLER_SUGGESTION')[0].fix!.settings!.sampler, 'dpmpp_2s_a_karras');
  });

  test('DDIM is suggested for very high step counts', () => {
    const [finding] = only(
      analyzePrompt('a cat', words, { settings: { sampler: 'euler', steps: 80 } }).findings,
      'P_SAMPLER_SUGGESTION',
    );
    assert.equal(finding.fix!.settings!.sampler, 'ddim');
  });

  test('a built-in preset applied with its own settings raises no settings findings', () => {
    for (const id of ['portrait', 'architecture', 'anime', 'app-icon', 'cinematic']) {
      const preset = findPreset(id);
      for (const family of ['sd1', 'sdxl', 'turbo'] as const) {
        const applied = applyPreset(preset, 'a red fox', '', family);
        const analysis = analyzePrompt(applied.prompt, words, {
          preset,
          settings: { family, ...applied.settings },
        });
        assert.deepEqual(
          analysis.findings.filter((f) => f.target === 'settings'),
          [],
          `${id} ${family}`,
        );
      }
    }
  });
});

describe('prompt analysis: token budget', () => {
  // 50 one-token words, a comma, then a 30-word keyword: the comma is 25 tokens back from the boundary,
  // beyond A1111's 20-token backtrack, so the second keyword is cut at token 75.
  const first = Array.from({ length: 50 }, (_, i) => `w${i}`).join(' ');
  const second = Array.from({ length: 30 }, (_, i) => `k${i}`).join(' ');
  const prompt = `${first}, ${second}`;

  test('tokens are counted per 75-token chunk', () => {
    const analysis = analyzePrompt(prompt, words);
    assert.deepEqual(
      analysis.chunks.map((c) => c.tokenCount),
      [75, 6],
    );
    assert.equal(only(analysis.findings, 'P_TOKEN_COUNT').length, 2);
  });

  test('a keyword split across the 75-token boundary is moved with BREAK', () => {
    const [finding] = only(analyzePrompt(prompt, words).findings, 'P_CHUNK_STRADDLE');
    assert.equal(prompt.slice(finding.span.start, finding.span.end), second);
    const fixed = applyEdits(prompt, finding.fix!.edits!);
    assert.equal(fixed, `${first}, BREAK ${second}`);
    const after = analyzePrompt(fixed, words);
    assert.deepEqual(only(after.findings, 'P_CHUNK_STRADDLE'), []);
    assert.deepEqual(
      after.chunks.map((c) => c.tokenCount),
      [51, 30],
    );
  });

  test('a keyword near a comma is moved by A1111 backtracking and not flagged', () => {
    const near = `${Array.from({ length: 70 }, (_, i) => `w${i}`).join(' ')}, golden retriever puppy with fluffy fur`;
    assert.deepEqual(only(analyzePrompt(near, words).findings, 'P_CHUNK_STRADDLE'), []);
  });

  test('with a 77-token encoder, text past 75 tokens is reported as truncated', () => {
    const [finding] = only(analyzePrompt(prompt, words, { longPrompts: 'clip-77' }).findings, 'P_TRUNCATED');
    assert.equal(finding.span.start, prompt.indexOf('k0'));
  });

  test('counts come from the real CLIP tokenizer', { skip: skipNoFixtures }, () => {
    const tok = fixtureTokenizer();
    const analysis = analyzePrompt('masterpiece, best quality, a red fox', tokenCounterFrom(tok));
    assert.equal(analysis.totalTokens, tok.encode('masterpiece, best quality, a red fox').length);
  });

  test('an asynchronous counter (the daemon) is asked once for every count', async () => {
    let calls = 0;
    const analysis = await analyzePromptAsync(prompt, {
      countTokensBatch: async (texts) => {
        calls++;
        return texts.map((t) => words.countTokens(t));
      },
    });
    assert.equal(calls, 1);
    assert.deepEqual(
      analysis.chunks.map((c) => c.tokenCount),
      [75, 6],
    );
  });
});

describe('prompt analysis: keywords and syntax', () => {
  test('duplicate and near-duplicate keywords are found with removal fixes', () => {
    const prompt = 'red hair, cat, Red Hair, cats';
    const findings = analyzePrompt(prompt, words).findings;
    const duplicate = only(findings, 'P_DUPLICATE_KEYWORD')[0];
    assert.equal(prompt.slice(duplicate.span.start, duplicate.span.end), 'Red Hair');
    assert.equal(applyEdits(prompt, duplicate.fix!.edits!), 'red hair, cat, cats');
    assert.equal(only(findings, 'P_NEAR_DUPLICATE').length, 1);
  });

  test('unbalanced brackets are found', () => {
    const findings = only(analyzePrompt('(cat, dog]', words).findings, 'P_UNBALANCED_BRACKET');
    assert.equal(findings.length, 2);
  });

  test('redundant brackets are found: (x:1) and ()', () => {
    const findings = only(analyzePrompt('(cat:1), (), dog', words).findings, 'P_REDUNDANT_BRACKETS');
    assert.equal(findings.length, 2);
  });

  test('a weight A1111 cannot read is an error', () => {
    assert.deepEqual(codes(analyzePrompt('(cat:1.2.3)', words).findings).includes('P_BAD_WEIGHT'), true);
  });

  test('day and night conflict; so do black and white and colour terms', () => {
    const findings = only(
      analyzePrompt('a street at night, day, black and white, vibrant colors', words).findings,
      'P_CONFLICTING_TERMS',
    );
    assert.equal(findings.length, 2);
  });

  test('Chinese text is flagged with a translation fix', () => {
    const prompt = 'a girl, 长发, 日落';
    const findings = only(analyzePrompt(prompt, words).findings, 'P_NON_ENGLISH');
    assert.equal(findings.length, 2);
    assert.equal(
      applyEdits(
        prompt,
        findings.flatMap((f) => f.fix!.edits!),
      ),
      'a girl, long hair, sunset',
    );
  });

  test('Cyrillic and Japanese are flagged too', () => {
    assert.equal(only(analyzePrompt('кошка, ねこ', words).findings, 'P_NON_ENGLISH').length, 2);
  });

  test('an empty negative prompt is noted, but not for Turbo', () => {
    assert.equal(
      only(analyzePrompt('a cat', words, { negativePrompt: '' }).findings, 'P_EMPTY_NEGATIVE').length,
      1,
    );
    assert.equal(
      only(
        analyzePrompt('a cat', words, { negativePrompt: '', settings: { family: 'turbo' } }).findings,
        'P_EMPTY_NEGATIVE',
      ).length,
      0,
    );
  });

  test('a keyword in both prompts is flagged', () => {
    assert.equal(
      only(analyzePrompt('cat, hat', words, { negativePrompt: 'hat' }).findings, 'P_IN_BOTH_PROMPTS').length,
      1,
    );
  });

  test('an empty prompt is an error and nothing else breaks', () => {
    const analysis = analyzePrompt('', words, { negativePrompt: '' });
    assert.equal(only(analysis.findings, 'P_EMPTY_PROMPT').length, 1);
    assert.equal(analysis.totalTokens, 0);
  });

  test('a 20,000-character prompt is analysed', { skip: skipNoFixtures }, () => {
    const prompt = 'masterpiece, ((a castle:1.6)) on a hill, [[night]], 猫, '.repeat(400).slice(0, 20_000);
    const analysis = analyzePrompt(prompt, tokenCounterFrom(fixtureTokenizer()), {
      negativePrompt: 'blurry',
      settings: { cfg: 12, steps: 99 },
    });
    assert.ok(analysis.chunks.length > 50);
    assert.ok(only(analysis.findings, 'P_DUPLICATE_KEYWORD').length > 100);
  });

  test('every finding code is documented', () => {
    const analysis = analyzePrompt('(x:3), (x:3), day, night, 猫, ((y', words, {
      negativePrompt: '',
      settings: { cfg: 20, steps: 5, sampler: 'euler' },
    });
    for (const finding of analysis.findings) assert.ok(FINDING_CODES[finding.code], finding.code);
  });
});
