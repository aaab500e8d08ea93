import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseHostToWebview, parseWebviewToHost } from '../../../plugins/vscode/src/common/panel-messages';

describe('panel messages are validated both ways', () => {
  it('accepts a well-formed generate request from the webview', () => {
    const r = parseWebviewToHost({
      type: 'generate',
      prompt: 'fox',
      negativePrompt: '',
      width: 512,
      height: 512,
      count: 2,
    });
    assert.equal(r.ok, true);
  });
  it('cancelPull names the download to stop; an empty or missing name is refused', () => {
    assert.equal(parseWebviewToHost({ type: 'cancelPull', model: 'owner/repo' }).ok, true);
    const empty = parseWebviewToHost({ type: 'cancelPull', model: '' });
    assert.equal(empty.ok, false);
    if (!empty.ok) assert.match(empty.error, /^model/);
    assert.equal(parseWebviewToHost({ type: 'cancelPull' }).ok, false);
  });
  it('refuses unknown types, bad sizes and extra-large counts, naming the field', () => {
    assert.equal(parseWebviewToHost({ type: 'runShell', cmd: 'rm -rf /' }).ok, false);
    const bad = parseWebviewToHost({
      type: 'generate',
      prompt: 'fox',
      negativePrompt: '',
      width: 513,
      height: 512,
      count: 1,
    });
    assert.equal(bad.ok, false);
    if (!bad.ok) assert.match(bad.error, /^width/);
    assert.equal(
      parseWebviewToHost({
        type: 'generate',
        prompt: 'x',
        negativePrompt: '',
        width: 64,
        height: 64,
        count: 99,
      }).ok,
      false,
    );
    assert.equal(parseWebviewToHost('ready').ok, false);
  });
  it('a mask must be a PNG data URL', () => {
    assert.equal(
      parseWebviewToHost({ type: 'maskDone', maskDataUrl: 'data:image/png;base64,iVBORw0KGgo=', prompt: '' })
        .ok,
      true,
    );
    assert.equal(
      parseWebviewToHost({ type: 'maskDone', maskDataUrl: 'https://evil/x.png', prompt: '' }).ok,
      false,
    );
  });
  it('the webview refuses host messages of the wrong shape', () => {
    const analysis = {
      type: 'analysis',
      requestId: 1,
      chunks: [3, 75],
      total: 78,
      exact: true,
      findings: [],
    };
    assert.equal(parseHostToWebview(analysis).ok, true);
    assert.equal(parseHostToWebview({ ...analysis, requestId: 'x' }).ok, false);
    assert.equal(
      parseHostToWebview({ ...analysis, findings: [{ code: 'P_X', severity: 'fatal' }] }).ok,
      false,
    );
    assert.equal(parseHostToWebview({ type: 'gallery', items: [{ path: 1 }] }).ok, false);
  });
});
