import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseSandboxToUi, parseUiToSandbox } from '../../../plugins/figma/src/contract/plugin-messages';
import { layerName } from '../../../plugins/figma/src/ui/layer-name';
import { createLiveScheduler, type LiveJob } from '../../../plugins/figma/src/ui/live-scheduler';
import { decodeStoredParams, encodeStoredParams } from '../../../plugins/figma/src/ui/stored-params';
import { formatChunks } from '../../../plugins/figma/src/ui/token-format';
import { nudgeWeight } from '../../../shared/prompt/weight-nudge';
import { GenerateRequest } from '../../../shared/protocol/generate-request';

describe('Ctrl/Cmd+Up/Down weight nudging (A1111 syntax)', () => {
  const at = (text: string, cursor: number, delta: number) => nudgeWeight(text, cursor, cursor, delta)?.text;

  test('the word under the cursor gets (word:1.1), then 1.2', () => {
    assert.equal(at('a red fox', 3, 0.1), 'a (red:1.1) fox');
    assert.equal(at('a (red:1.1) fox', 5, 0.1), 'a (red:1.2) fox');
  });

  test('going back to 1.0 removes the brackets', () => {
    assert.equal(at('a (red:1.1) fox', 5, -0.1), 'a red fox');
  });

  test('down from 1 gives 0.9; floating point stays tidy', () => {
    assert.equal(at('fox', 1, -0.1), '(fox:0.9)');
    assert.equal(at('(fox:0.7)', 2, -0.1), '(fox:0.6)');
  });

  test('a selection of several words is weighted as one', () => {
    const r = nudgeWeight('a red fox, snow', 2, 9, 0.1)!;
    assert.equal(r.text, 'a (red fox:1.1), snow');
    assert.equal(r.text.slice(r.selectionStart, r.selectionEnd), 'red fox');
  });

  test('the cursor inside a weighted phrase adjusts the whole phrase', () => {
    assert.equal(at('x, (red fox:1.3), y', 6, 0.1), 'x, (red fox:1.4), y');
  });

  test('nothing under the cursor changes nothing', () => {
    assert.equal(nudgeWeight('a,  b', 3, 3, 0.1), null);
  });
});

describe('live mode scheduling', () => {
  test('edits are debounced and each new job supersedes (cancels) the previous one', async () => {
    const timers: (() => void)[] = [];
    const jobs: { cancelled: boolean; finish(): void }[] = [];
    const live = createLiveScheduler({
      debounceMs: 300,
      setTimer: (fn) => timers.push(fn) - 1,
      clearTimer: (h) => {
        timers[h as number] = () => undefined;
      },
      start: (): LiveJob => {
        let finish = () => {};
        const job = { cancelled: false, finish: () => finish() };
        jobs.push(job);
        const done = new Promise<void>((r) => {
          finish = r;
        });
        return {
          cancel: () => {
            job.cancelled = true;
          },
          done,
        };
      },
    });
    live.trigger();
    live.trigger();
    live.trigger();
    for (const t of timers) t();
    assert.equal(jobs.length, 1, 'three quick edits start one job');
    live.trigger();
    timers.at(-1)!();
    assert.equal(jobs.length, 2);
    assert.equal(jobs[0].cancelled, true, 'the older job is superseded');
    assert.equal(live.running, true);
    live.stop();
    assert.equal(jobs[1].cancelled, true);
    assert.equal(live.running, false);
  });
});

describe('stored generation parameters', () => {
  test('round-trip through pluginData text, validated against the protocol', () => {
    const params = GenerateRequest.parse({
      prompt: 'fox',
      mode: 'img2img',
      initImage: 'init',
      seed: 7,
      batch: 3,
    });
    const text = encodeStoredParams(params, 9, 'fox\nSteps: 20, Seed: 9');
    const back = decodeStoredParams(text)!;
    assert.equal(back.params.seed, 9);
    assert.equal(back.params.batch, 1);
    assert.equal(back.params.mode, 'img2img');
    assert.equal(decodeStoredParams('{"version":1,"params":{"prompt":5}}'), null);
    assert.equal(decodeStoredParams('not json'), null);
  });

  test('layer names come from the prompt, shortened', () => {
    assert.equal(layerName('  a   fox '), 'a fox');
    assert.equal(layerName(''), 'Stipple image');
    assert.equal(layerName('x'.repeat(100)).length, 60);
  });

  test('token counts are shown per 75-token chunk', () => {
    assert.equal(formatChunks([{ tokens: 12 }]), '12/75 tokens');
    assert.equal(formatChunks([{ tokens: 75 }, { tokens: 3 }]), 'chunk 1: 75/75 · chunk 2: 3/75');
  });
});

describe('sandbox ⇄ UI contract', () => {
  test('both directions reject malformed messages with the field named', () => {
    const a = parseUiToSandbox({
      type: 'prepare-job',
      requestId: 'x',
      sizing: { width: 512, height: 'big', maxSide: 1 },
    });
    assert.equal(a.ok, false);
    assert.match(a.ok ? '' : a.reason, /sizing\.height/);
    const b = parseSandboxToUi({ type: 'job-input', requestId: 'x', input: { mode: 'paint' } });
    assert.equal(b.ok, false);
    assert.equal(parseUiToSandbox({ type: 'ui-ready' }).ok, true);
  });
});
