import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  applyPreset,
  findPreset,
  PresetNotFoundError,
  suggestNegativePrompt,
} from '../../../shared/presets/apply-preset';
import { BUILTIN_PRESETS } from '../../../shared/presets/builtin-presets';
import {
  PRESET_FAMILIES,
  presetFamilyOf,
  RecommendedSettingsSchema,
} from '../../../shared/presets/style-preset';

describe('built-in presets', () => {
  test('there are at least 24, with unique kebab-case ids', () => {
    assert.ok(BUILTIN_PRESETS.length >= 24);
    const ids = BUILTIN_PRESETS.map((p) => p.id);
    assert.equal(new Set(ids).size, ids.length);
    for (const id of ids) assert.match(id, /^[a-z0-9]+(-[a-z0-9]+)*$/);
  });

  test('the styles the issue names are all present', () => {
    for (const id of [
      'photographic',
      'cinematic',
      'portrait',
      'anime',
      'manga',
      'comic',
      'oil-painting',
      'watercolor',
      'ink',
      'pixel-art',
      'isometric-game-asset',
      'app-icon',
      'flat-illustration',
      'line-art',
      '3d-render',
      'clay',
      'low-poly',
      'concept-art',
      'fantasy',
      'sci-fi',
      'architecture',
      'interior',
      'product-shot',
      'logo-sticker',
      'ui-background',
    ]) {
      assert.ok(findPreset(id), id);
    }
  });

  test('every preset has a {prompt} template, a negative prompt and valid settings per family', () => {
    for (const preset of BUILTIN_PRESETS) {
      assert.ok(preset.prompt.includes('{prompt}'), preset.id);
      assert.ok(preset.negativePrompt.length > 0, preset.id);
      for (const family of PRESET_FAMILIES) RecommendedSettingsSchema.parse(preset.recommended[family]);
    }
  });

  test('turbo settings use 1–4 steps and CFG at most 1', () => {
    for (const preset of BUILTIN_PRESETS) {
      const turbo = preset.recommended.turbo;
      assert.ok(turbo.steps >= 1 && turbo.steps <= 4, preset.id);
      assert.ok(turbo.cfg <= 1, preset.id);
    }
  });

  test('non-turbo settings follow the guidance: 18–30 steps, CFG by subject', () => {
    for (const preset of BUILTIN_PRESETS) {
      for (const family of ['sd1', 'sdxl'] as const) {
        const s = preset.recommended[family];
        assert.ok(s.steps >= 18 && s.steps <= 30, `${preset.id} ${family} steps ${s.steps}`);
        if (preset.subject === 'people') assert.ok(s.cfg >= 7 && s.cfg <= 15, `${preset.id} ${family} cfg`);
        if (preset.subject === 'scene') assert.ok(s.cfg >= 3 && s.cfg <= 7, `${preset.id} ${family} cfg`);
        if (preset.subject === 'icon' || preset.subject === 'anime')
          assert.equal(s.sampler, 'euler_a', preset.id);
      }
    }
  });
});

describe('applying a preset', () => {
  test('the prompt replaces {prompt} and negatives are merged without repeats', () => {
    const applied = applyPreset(findPreset('watercolor'), 'a fox in the snow', 'blurry, people', 'sd1');
    assert.equal(applied.prompt.startsWith('watercolor painting of a fox in the snow,'), true);
    assert.match(applied.negativePrompt, /^blurry, people, photo/);
    assert.equal(applied.negativePrompt.match(/blurry/g)?.length, 1);
    assert.equal(applied.settings.width, 768);
  });

  test('settings come from the requested family', () => {
    const preset = findPreset('portrait');
    assert.equal(applyPreset(preset, 'x', '', 'sdxl').settings.width, 832);
    assert.equal(applyPreset(preset, 'x', '', 'turbo').settings.cfg, 0);
  });

  test('an empty prompt leaves the style keywords without a dangling separator', () => {
    const applied = applyPreset(findPreset('photographic'), '  ', '', 'sd1');
    assert.equal(
      applied.prompt,
      'photograph of, 35mm photo, natural lighting, sharp focus, highly detailed, film grain',
    );
  });

  test('a template without {prompt} keeps the user prompt in front', () => {
    const preset = { ...findPreset('ink'), prompt: 'ink wash, sumi-e' };
    assert.equal(applyPreset(preset, 'a crane', '', 'sd1').prompt, 'a crane, ink wash, sumi-e');
  });

  test('an unknown preset id is a PresetNotFoundError with the protocol code', () => {
    assert.throws(
      () => findPreset('no-such-style'),
      (error: unknown) => error instanceof PresetNotFoundError && error.code === 'E_PRESET_NOT_FOUND',
    );
  });

  test('the suggested negative prompt depends on the family; turbo needs none', () => {
    const anime = findPreset('anime');
    assert.match(suggestNegativePrompt(anime, 'sd1'), /worst quality/);
    assert.doesNotMatch(suggestNegativePrompt(anime, 'sdxl'), /worst quality/);
    assert.equal(suggestNegativePrompt(anime, 'turbo'), '');
  });

  test('model families from the catalog map to preset families', () => {
    assert.equal(presetFamilyOf('sdxl-turbo'), 'turbo');
    assert.equal(presetFamilyOf('sdxl'), 'sdxl');
    assert.equal(presetFamilyOf('sd2'), 'sd1');
  });
});
