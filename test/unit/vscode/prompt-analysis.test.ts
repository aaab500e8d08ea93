import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  analysisQueries,
  analyzeForPanel,
  estimateTokens,
  fixAllForPanel,
  TokenCountCache,
} from '../../../plugins/vscode/src/host/prompt-analysis';

describe('side panel prompt analysis (shared/prompt in the host)', () => {
  it('flags an out-of-range weight and a duplicate, each fix pre-applied to its text', () => {
    const cache = new TokenCountCache();
    const a = analyzeForPanel('(fox:2.5), fox, snow', 'blurry', cache.counter());
    const codes = a.findings.map((f) => f.code);
    assert.ok(codes.includes('P_WEIGHT_RANGE'), codes.join());
    assert.ok(codes.includes('P_DUPLICATE_KEYWORD'), codes.join());
    const weight = a.findings.find((f) => f.code === 'P_WEIGHT_RANGE');
    assert.ok(weight?.fixedText && !weight.fixedText.includes('2.5'));
    assert.equal(a.exact, false, 'no daemon counts yet: estimates');
  });
  it('uses the daemon counts once fetched, and says so', async () => {
    const cache = new TokenCountCache();
    const asked: string[] = [];
    await cache.fill(analysisQueries('red fox, snow', ''), async (t) => {
      asked.push(t);
      return 7;
    });
    const a = analyzeForPanel('red fox, snow', '', cache.counter());
    assert.equal(a.exact, true);
    assert.ok(a.total >= 14);
    assert.deepEqual(asked.sort(), ['red fox', 'snow']);
  });
  it('a failing count keeps the estimate instead of failing the analysis', async () => {
    const cache = new TokenCountCache();
    await cache.fill(['a'], async () => {
      throw new Error('daemon gone');
    });
    assert.equal(analyzeForPanel('a', 'b', cache.counter()).exact, false);
  });
  it('fix all clamps weights and removes duplicates without reordering', () => {
    const r = fixAllForPanel('(fox:2.5), fox, snow', 'blurry', new TokenCountCache().counter());
    assert.doesNotMatch(r.prompt, /2\.5/);
    assert.equal(r.prompt.match(/fox/g)?.length, 1);
    assert.ok(r.changes.length >= 1);
  });
  it('estimates roughly a token per word or symbol', () => {
    assert.equal(estimateTokens('red fox, snow'), 4);
  });
});
