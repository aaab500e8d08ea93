// The pure halves of the panel's LoRA/embedding picker, inline highlights, before/after diffs,
// prompt history and reverse prompt parsing.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { WEIGHT } from '../../../plugins/figma/src/ui/extra-networks-logic';
import {
  addEntry,
  type HistoryEntry,
  MAX_ENTRIES,
  parseHistory,
} from '../../../plugins/figma/src/ui/history-store';
import { parsePrefs } from '../../../plugins/figma/src/ui/prefs';
import { parseA1111Parameters } from '../../../shared/prompt/a1111-parameters';
import {
  appendKeyword,
  checkpointBase,
  clampWeight,
  compatibility,
  embeddingText,
} from '../../../shared/prompt/extra-network-picker';
import { highlightSegments } from '../../../shared/prompt/highlight-segments';
import { diffPieces, wordDiff } from '../../../shared/prompt/word-diff';
import { GenerateRequest } from '../../../shared/protocol/generate-request';

describe('LoRA / embedding picker logic', () => {
  test("checkpoint families map to the adapter store's base-model labels", () => {
    assert.equal(checkpointBase('sd15'), 'SD 1.x');
    assert.equal(checkpointBase('sd1'), 'SD 1.x');
    assert.equal(checkpointBase('sd15-inpaint'), 'SD 1.x');
    assert.equal(checkpointBase('sd-turbo'), 'SD 2.x');
    assert.equal(checkpointBase('sd2-v'), 'SD 2.x');
    assert.equal(checkpointBase('sdxl'), 'SDXL');
    assert.equal(checkpointBase('sdxl-turbo'), 'SDXL');
    assert.equal(checkpointBase('unknown'), null);
  });

  test('same base fits; another base is refused with the reason; unknown fits with a note', () => {
    assert.deepEqual(compatibility('sd15', 'SD 1.x'), { ok: true });
    assert.deepEqual(compatibility('sdxl', 'SD 1.x'), {
      ok: false,
      reason: 'made for SD 1.x; this checkpoint is SDXL',
    });
    const unknown = compatibility('sd15', 'an unknown base model');
    assert.ok(unknown.ok && /unknown/.test(unknown.note ?? ''));
    const unknownCheckpoint = compatibility(undefined, 'SDXL');
    assert.ok(unknownCheckpoint.ok && unknownCheckpoint.note === 'made for SDXL');
  });

  test('weights are clamped to -4..4 on a 0.05 grid', () => {
    assert.equal(clampWeight(0.8, WEIGHT), 0.8);
    assert.equal(clampWeight(0.83, WEIGHT), 0.85);
    assert.equal(clampWeight(9, WEIGHT), 4);
    assert.equal(clampWeight(-9, WEIGHT), -4);
    assert.equal(clampWeight(-0.01, WEIGHT), 0);
    assert.equal(clampWeight(Number.NaN, WEIGHT), 1);
    fc.assert(
      fc.property(fc.double({ min: -100, max: 100, noNaN: true }), (v) => {
        const w = clampWeight(v, WEIGHT);
        return w >= -4 && w <= 4 && Math.abs(w * 20 - Math.round(w * 20)) < 1e-9;
      }),
    );
  });

  test('an embedding is its token at weight 1, (token:w) otherwise; keywords join with ", "', () => {
    assert.equal(embeddingText('bad-hands', 1), 'bad-hands');
    assert.equal(embeddingText('bad-hands', 1.2), '(bad-hands:1.2)');
    assert.equal(embeddingText('<tiny-style>', 0.85), '(<tiny-style>:0.85)');
    assert.equal(appendKeyword('', 'x'), 'x');
    assert.equal(appendKeyword('a cat, ', 'x'), 'a cat, x');
    assert.equal(appendKeyword('a cat\n', 'x'), 'a cat, x');
  });

  test('prefs keep the LoRA selection and drop malformed values', () => {
    assert.deepEqual(parsePrefs(JSON.stringify({ loras: [{ name: 'tiny', weight: 0.8 }] })).loras, [
      { name: 'tiny', weight: 0.8 },
    ]);
    assert.deepEqual(parsePrefs(JSON.stringify({ loras: [{ name: '', weight: 1 }] })), {});
  });
});

describe('inline highlights', () => {
  const span = (start: number, end: number, code = 'X') => ({
    start,
    end,
    code,
    severity: 'warning',
    message: code,
  });

  test('the text is cut at every span edge; each piece knows the spans covering it', () => {
    const segs = highlightSegments('a red fox, snow', [span(2, 9, 'A'), span(6, 15, 'B')]);
    assert.deepEqual(
      segs.map((s) => [s.text, s.spans.map((x) => x.code).join('')]),
      [
        ['a ', ''],
        ['red ', 'A'],
        ['fox', 'AB'],
        [', snow', 'B'],
      ],
    );
  });

  test('pieces always join back to the text; spans outside it are ignored', () => {
    fc.assert(
      fc.property(
        fc.string(),
        fc.array(fc.tuple(fc.integer({ min: -5, max: 40 }), fc.integer({ min: -5, max: 40 }))),
        (text, pairs) => {
          const segs = highlightSegments(
            text,
            pairs.map(([a, b]) => span(a, b)),
          );
          return segs.map((s) => s.text).join('') === text;
        },
      ),
    );
  });
});

describe('word diff', () => {
  const show = (a: string, b: string) =>
    wordDiff(a, b)
      .map((p) => (p.op === 'same' ? p.text : p.op === 'del' ? `[-${p.text}-]` : `{+${p.text}+}`))
      .join('');

  test('changed words only, weights as one piece', () => {
    assert.equal(show('a red fox, (snow:2.5)', 'a red fox, (snow:1.5)'), 'a red fox, (snow:[-2.5-]{+1.5+})');
    assert.equal(show('a fox in snow', 'a red fox in fresh snow'), 'a {+red +}fox in{+ fresh+} snow');
    assert.equal(show('same', 'same'), 'same');
    assert.deepEqual(diffPieces('(a cat:1.25), 8k'), [
      '(',
      'a',
      ' ',
      'cat',
      ':',
      '1.25',
      ')',
      ',',
      ' ',
      '8k',
    ]);
  });

  test('old = same + del, new = same + ins, for any two texts', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (a, b) => {
        const parts = wordDiff(a, b);
        const old = parts
          .filter((p) => p.op !== 'ins')
          .map((p) => p.text)
          .join('');
        const next = parts
          .filter((p) => p.op !== 'del')
          .map((p) => p.text)
          .join('');
        return old === a && next === b;
      }),
    );
  });
});

describe('prompt history', () => {
  const entry = (seed: number): HistoryEntry => ({
    at: seed,
    params: GenerateRequest.parse({ prompt: `p${seed}`, seed }),
    thumb: 'data:image/jpeg;base64,AAAA',
  });

  test('newest first, at most MAX_ENTRIES, and round-trips through JSON', () => {
    let list: HistoryEntry[] = [];
    for (let i = 0; i < MAX_ENTRIES + 5; i++) list = addEntry(list, entry(i));
    assert.equal(list.length, MAX_ENTRIES);
    assert.equal(list[0].params.seed, MAX_ENTRIES + 4);
    assert.deepEqual(parseHistory(JSON.stringify(list)), list);
  });

  test('stored values that do not validate are dropped, not fatal', () => {
    const good = entry(1);
    const text = JSON.stringify([
      good,
      { at: 1, params: { prompt: 5 }, thumb: 'x' },
      { thumb: 'javascript:1' },
    ]);
    assert.deepEqual(parseHistory(text), [good]);
    assert.deepEqual(parseHistory('{nope'), []);
    assert.deepEqual(parseHistory(null), []);
  });
});

describe('A1111 parameters (reverse prompt from a PNG)', () => {
  test('prompt, negative prompt and the fields of the last line', () => {
    const p = parseA1111Parameters(
      'masterpiece, (a cozy cabin:1.2)\nin snowy woods\nNegative prompt: lowres, bad anatomy\nSteps: 28, Sampler: DPM++ 2M Karras, CFG scale: 7.5, Seed: 31, Size: 512x768, Lora hashes: "detail: 62ad, x: 1"',
    );
    assert.equal(p.prompt, 'masterpiece, (a cozy cabin:1.2)\nin snowy woods');
    assert.equal(p.negativePrompt, 'lowres, bad anatomy');
    assert.equal(p.fields.Seed, '31');
    assert.equal(p.fields.Sampler, 'DPM++ 2M Karras');
    assert.equal(p.fields['Lora hashes'], 'detail: 62ad, x: 1');
  });

  test('a prompt alone (no settings line) stays the prompt', () => {
    assert.deepEqual(parseA1111Parameters('a cat: sitting, on a mat, by a window'), {
      prompt: 'a cat: sitting, on a mat, by a window',
      negativePrompt: '',
      fields: {},
    });
  });
});
