// The side panel's prompt tools (Optimize, Rewrite (LLM), Preset into prompt): the pure parts
// (preset written into the text, model family, what an LLM failure says), the typed messages, and
// the host's handler run without a daemon (estimates, a refused connection).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseHostToWebview, parseWebviewToHost } from '../../../plugins/vscode/src/common/panel-messages';
import {
  familyForModel,
  type PresetText,
  presetIntoPrompt,
  rewriteErrorText,
} from '../../../plugins/vscode/src/common/prompt-panel-logic';
import { optimizeForPanel, TokenCountCache } from '../../../plugins/vscode/src/host/prompt-analysis';
import { type PromptToolHost, runPromptTool } from '../../../plugins/vscode/src/host/side-panel';
import { BUILTIN_PRESETS } from '../../../shared/presets/builtin-presets';
import { PROMPT_PLACEHOLDER } from '../../../shared/presets/style-preset';

const builtin = BUILTIN_PRESETS.find((p) => p.prompt.includes(PROMPT_PLACEHOLDER) && p.negativePrompt);
assert.ok(builtin, 'a built-in preset with a {prompt} template and a negative prompt');
const preset: PresetText = {
  id: builtin.id,
  name: builtin.name,
  prompt: builtin.prompt,
  negativePrompt: builtin.negativePrompt,
  source: 'builtin',
};

describe('side panel: Preset into prompt', () => {
  test("the prompt goes where the template's {prompt} is; the negatives are merged without repeats", () => {
    const firstNegative = preset.negativePrompt.split(',')[0]?.trim() ?? '';
    const r = presetIntoPrompt(
      preset,
      { prompt: 'a lighthouse', negative: `grainy, ${firstNegative}` },
      'sd1',
    );
    const [before, after] = preset.prompt.split(PROMPT_PLACEHOLDER);
    assert.equal(r.prompt, `${before}a lighthouse${after}`);
    assert.ok(r.negative.startsWith('grainy, '), r.negative);
    assert.equal(r.negative.split(firstNegative).length - 1, 1, `not repeated: ${r.negative}`);
  });

  test('a template without {prompt} keeps the user prompt in front', () => {
    const r = presetIntoPrompt(
      { ...preset, prompt: 'watercolor, soft edges', negativePrompt: '' },
      { prompt: 'a fox', negative: '' },
      'sdxl',
    );
    assert.equal(r.prompt, 'a fox, watercolor, soft edges');
    assert.equal(r.negative, '');
  });

  test('the preset family follows the checkpoint family', () => {
    assert.equal(familyForModel('sdxl'), 'sdxl');
    assert.equal(familyForModel('sdxl-turbo'), 'turbo');
    assert.equal(familyForModel('sd15'), 'sd1');
    assert.equal(familyForModel(undefined), 'sd1');
  });
});

describe('side panel: Rewrite (LLM) failures', () => {
  test('each daemon LLM error says what is wrong and that the prompt is unchanged', () => {
    const cases: Array<[string, RegExp]> = [
      ['E_LLM_NOT_CONFIGURED', /no LLM endpoint is configured.*`llm`.*config\.json/],
      ['E_LLM_UNREACHABLE', /cannot be reached/],
      ['E_LLM_TIMEOUT', /did not answer in time/],
      ['E_TIMEOUT', /did not answer in time/],
      ['E_LLM_HTTP', /HTTP error \(HTTP 500: overloaded\)/],
      ['E_LLM_RESPONSE', /unusable/],
      ['E_NOT_CONNECTED', /daemon, which is not connected/],
      ['E_SOMETHING', /failed: HTTP 500: overloaded \(E_SOMETHING\)/],
    ];
    for (const [code, expected] of cases) {
      const text = rewriteErrorText(code, 'HTTP 500: overloaded');
      assert.match(text, expected, code);
      assert.match(text, /The prompt is unchanged\.$/, code);
    }
  });
});

describe('side panel: prompt tool messages', () => {
  test('promptTool is validated: known tools only, texts within the limit', () => {
    const ok = parseWebviewToHost({
      type: 'promptTool',
      tool: 'rewrite',
      prompt: 'a fox',
      negativePrompt: '',
      preset: 'cinematic',
    });
    assert.equal(ok.ok, true);
    const badTool = parseWebviewToHost({ type: 'promptTool', tool: 'shell', prompt: '', negativePrompt: '' });
    assert.equal(badTool.ok, false);
    assert.match(!badTool.ok ? badTool.error : '', /^tool:/);
    const long = parseWebviewToHost({
      type: 'promptTool',
      tool: 'optimize',
      prompt: 'x'.repeat(20_001),
      negativePrompt: '',
    });
    assert.match(!long.ok ? long.error : '', /^prompt:/);
  });

  test('proposal and toolFailed pass the webview check; clearPreset defaults to false', () => {
    const p = parseHostToWebview({
      type: 'proposal',
      tool: 'optimize',
      title: 'Optimize',
      base: { prompt: 'a', negativePrompt: '' },
      prompt: 'b',
      negativePrompt: 'c',
      details: [],
    });
    assert.ok(p.ok && p.message.type === 'proposal' && p.message.clearPreset === false);
    const f = parseHostToWebview({ type: 'toolFailed', tool: 'rewrite', text: 'no' });
    assert.equal(f.ok, true);
    const bad = parseHostToWebview({ type: 'proposal', tool: 'optimize', title: 'x' });
    assert.equal(bad.ok, false);
  });
});

function hostWithoutDaemon(): PromptToolHost & { asked: string[][] } {
  const asked: string[][] = [];
  return {
    asked,
    presets: [preset],
    models: [{ id: 'xl', name: 'XL', kind: 'checkpoint', family: 'sdxl', installed: true }],
    defaultModel: 'xl',
    settings: {},
    whenConnected: () => Promise.reject(new Error('the Stipple daemon at 127.0.0.1:1 did not answer')),
    tokenCounts: new TokenCountCache(),
    fillTokenCounts: async (texts) => {
      asked.push(texts);
    },
  };
}

describe('side panel: the host runs the prompt tools', () => {
  test('Optimize proposes the optimizer result for the texts it was given, estimated without a daemon', async () => {
    const host = hostWithoutDaemon();
    const r = await runPromptTool(
      {
        type: 'promptTool',
        tool: 'optimize',
        prompt: 'a red fox, (snow:2.5), a red fox',
        negativePrompt: '',
      },
      host,
    );
    assert.equal(r.type, 'proposal');
    if (r.type !== 'proposal') return;
    assert.deepEqual(r.base, { prompt: 'a red fox, (snow:2.5), a red fox', negativePrompt: '' });
    assert.equal(r.prompt.split('a red fox').length - 1, 1, r.prompt);
    assert.ok(!r.prompt.includes('2.5'), r.prompt);
    assert.ok(r.details.length >= 2, JSON.stringify(r.details));
    assert.match(r.details.at(-1) ?? '', /estimates/);
    assert.ok(host.asked.length >= 1, 'the counts were asked for');
    assert.equal(r.clearPreset, false);
  });

  test('Optimize with every count known is exact and asks for nothing more', async () => {
    const cache = new TokenCountCache();
    const counted: string[] = [];
    const fill = async (texts: string[]) => {
      counted.push(...texts);
      // Counts from a source other than the estimate: one token per character, capped.
      await cache.fill(texts, async (t) => Math.min(70, t.length));
    };
    const r = await optimizeForPanel('a cat, snow', '', {}, cache, fill);
    assert.equal(r.exact, true);
    assert.ok(counted.length > 0);
    const again: string[] = [];
    const r2 = await optimizeForPanel('a cat, snow', '', {}, cache, async (t) => {
      again.push(...t);
    });
    assert.deepEqual(again, [], 'all cached');
    assert.deepEqual(r2, r);
  });

  test('Preset into prompt proposes the preset written in and asks to clear the preset', async () => {
    const r = await runPromptTool(
      {
        type: 'promptTool',
        tool: 'presetIntoPrompt',
        prompt: 'a lighthouse',
        negativePrompt: '',
        preset: preset.id,
      },
      hostWithoutDaemon(),
    );
    assert.ok(r.type === 'proposal', JSON.stringify(r));
    assert.equal(r.clearPreset, true);
    assert.equal(r.prompt, presetIntoPrompt(preset, { prompt: 'a lighthouse', negative: '' }, 'sdxl').prompt);
    assert.match(r.title, new RegExp(preset.name));
    const unknown = await runPromptTool(
      { type: 'promptTool', tool: 'presetIntoPrompt', prompt: 'x', negativePrompt: '', preset: 'nope' },
      hostWithoutDaemon(),
    );
    assert.deepEqual(unknown, {
      type: 'toolFailed',
      tool: 'presetIntoPrompt',
      text: 'Preset into prompt: the daemon lists no preset "nope".',
    });
  });

  test('Rewrite (LLM) with no daemon fails clearly; an empty prompt is refused before asking', async () => {
    const r = await runPromptTool(
      { type: 'promptTool', tool: 'rewrite', prompt: 'a fox', negativePrompt: '' },
      hostWithoutDaemon(),
    );
    assert.equal(r.type, 'toolFailed');
    assert.match(r.type === 'toolFailed' ? r.text : '', /not connected.*did not answer.*unchanged/);
    const empty = await runPromptTool(
      { type: 'promptTool', tool: 'rewrite', prompt: '  ', negativePrompt: '' },
      hostWithoutDaemon(),
    );
    assert.deepEqual(empty, {
      type: 'toolFailed',
      tool: 'rewrite',
      text: 'Rewrite (LLM): write a prompt first.',
    });
  });
});
