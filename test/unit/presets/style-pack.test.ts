import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { BUILTIN_PRESETS } from '../../../shared/presets/builtin-presets';
import { scanJson } from '../../../shared/presets/json-error-position';
import { parseStylePack, serializeStylePack } from '../../../shared/presets/style-pack';

const fooocusPack = `[
  {
    "name": "Fooocus Sharp",
    "prompt": "cinematic still {prompt} . emotional, harmonious, vignette, 4k epic detailed",
    "negative_prompt": "anime, cartoon, graphic, text, painting"
  },
  {
    "name": "sai-origami",
    "prompt": "origami style {prompt} . paper art, pleated paper, folded",
    "negative_prompt": "noisy, sloppy, messy"
  }
]`;

describe('style packs', () => {
  test('a Fooocus/SDXL-styles file loads as it is', () => {
    const result = parseStylePack(fooocusPack, 'sdxl_styles.json');
    assert.ok(result.ok);
    assert.deepEqual(
      result.presets.map((p) => [p.id, p.source]),
      [
        ['fooocus-sharp', 'user'],
        ['sai-origami', 'user'],
      ],
    );
    assert.equal(result.presets[1].negativePrompt, 'noisy, sloppy, messy');
    assert.equal(result.presets[0].recommended.turbo.steps <= 4, true);
  });

  test('malformed JSON names the file and the line of the fault', () => {
    const broken = fooocusPack.replace('"negative_prompt": "noisy', '"negative_prompt" "noisy');
    const result = parseStylePack(broken, 'styles/broken.json');
    assert.equal(result.ok, false);
    if (result.ok) return;
    assert.equal(result.error.code, 'E_PRESET_FILE');
    assert.equal(result.error.file, 'styles/broken.json');
    assert.equal(result.error.line, 10);
    assert.match(result.error.message, /^styles\/broken\.json:10:\d+: malformed JSON/);
  });

  test('a trailing comma and a truncated file are reported with their line', () => {
    const trailing = parseStylePack('[\n  {"name": "a"},\n]', 'a.json');
    assert.ok(!trailing.ok && trailing.error.line === 3);
    const truncated = parseStylePack('[\n  {"name": "a"', 'b.json');
    assert.ok(
      !truncated.ok && truncated.error.line === 2 && /ends early|',' or '}'/.test(truncated.error.message),
    );
  });

  test('an entry without a name is an error naming the file, line and entry', () => {
    const result = parseStylePack('[\n {"name": "ok"},\n {"prompt": "{prompt}, x"}\n]', 'pack.json');
    assert.equal(result.ok, false);
    if (result.ok) return;
    assert.equal(result.error.line, 3);
    assert.match(result.error.message, /pack\.json:3:2: preset 2 field "name"/);
  });

  test('the scanner agrees with JSON.parse on validity', () => {
    const samples = [
      '{}',
      '[]',
      '[1,2]',
      '{"a":[true,false,null,-0.5e3]}',
      '"\\u00e9"',
      '[1,]',
      '{"a" 1}',
      "{'a':1}",
      '01',
      '[1 2]',
      '"\\x"',
      '',
    ];
    for (const sample of samples) {
      let valid = true;
      try {
        JSON.parse(sample);
      } catch {
        valid = false;
      }
      assert.equal(scanJson(sample).error === undefined, valid, sample);
    }
  });

  test('duplicate names get distinct ids, and built-in ids can be avoided', () => {
    const result = parseStylePack(
      '[{"name": "Anime"}, {"name": "Anime"}]',
      'dup.json',
      BUILTIN_PRESETS.map((p) => p.id),
    );
    assert.ok(result.ok);
    assert.deepEqual(
      result.presets.map((p) => p.id),
      ['anime-2', 'anime-3'],
    );
  });

  test('exported presets load back unchanged', () => {
    const original = BUILTIN_PRESETS.slice(0, 3).map((p) => ({ ...p, source: 'user' as const }));
    const result = parseStylePack(serializeStylePack(original), 'export.json');
    assert.ok(result.ok);
    assert.deepEqual(result.presets, original);
  });
});
