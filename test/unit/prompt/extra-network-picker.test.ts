// The LoRA / embedding picker rules both plugins use (shared/prompt/extra-network-picker.ts) and
// the highlight marks' data (shared/prompt/highlight-segments.ts): each plugin's own tests cover
// its ranges; these pin the parts that differ by range or step.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { adapterBase, appendKeyword, clampWeight } from '../../../shared/prompt/extra-network-picker';
import { highlightSegments, markData } from '../../../shared/prompt/highlight-segments';

describe('extra-network picker rules', () => {
  test('adapter family labels: the three known bases, anything else unknown', () => {
    assert.equal(adapterBase('SD 1.x'), 'SD 1.x');
    assert.equal(adapterBase('SDXL'), 'SDXL');
    assert.equal(adapterBase('an unknown base model'), null);
  });

  test('weights snap to the range step: 0.05 and 0.01 grids, bounds and default per range', () => {
    const coarse = { min: -4, max: 4, default: 1, step: 0.05 };
    const fine = { min: 0, max: 4, default: 0.5, step: 0.01 };
    assert.equal(clampWeight(0.83, coarse), 0.85);
    assert.equal(clampWeight(0.834, fine), 0.83);
    assert.equal(clampWeight(-1, fine), 0);
    assert.equal(clampWeight(Number.POSITIVE_INFINITY, fine), 0.5);
    assert.ok(Object.is(clampWeight(-0.001, fine), 0));
  });

  test('appending a keyword drops trailing separators first', () => {
    assert.equal(appendKeyword('a fox,, ', 'x'), 'a fox, x');
    assert.equal(appendKeyword(' , ', 'x'), 'x');
  });
});

describe('highlight mark data', () => {
  test('each code once; the most severe finding names the severity', () => {
    const spans = [
      { start: 0, end: 5, code: 'A', severity: 'info', message: 'a' },
      { start: 0, end: 5, code: 'B', severity: 'error', message: 'b' },
      { start: 0, end: 5, code: 'A', severity: 'warning', message: 'a2' },
    ];
    const [seg] = highlightSegments('hello world', spans);
    assert.deepEqual(markData(seg), { codes: 'A B', severity: 'error' });
  });
});
