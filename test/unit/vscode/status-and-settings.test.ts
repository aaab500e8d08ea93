import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readSettings } from '../../../plugins/vscode/src/host/settings';
import { statusView } from '../../../plugins/vscode/src/host/status-text';
import { FakeConfiguration } from './fake-vscode';

describe('status bar text', () => {
  it('names each connection state', () => {
    assert.match(statusView('connecting').text, /Stipple: connecting$/);
    assert.match(statusView('connected').text, /Stipple: connected$/);
    assert.match(statusView('daemon_unreachable').text, /Stipple: daemon not running$/);
    assert.match(statusView('unauthorized').text, /Stipple: unauthorized$/);
  });
  it('shows the step while generating', () => {
    assert.match(
      statusView('connected', { step: 12, steps: 30, image: 0, images: 1 }).text,
      /generating 12\/30$/,
    );
  });
  it('clicking reconnects when the daemon is absent and pairs when unauthorized', () => {
    assert.equal(statusView('daemon_unreachable').command, 'stipple.reconnect');
    assert.equal(statusView('unauthorized').command, 'stipple.pair');
  });
});

describe('settings', () => {
  it('defaults', () => {
    const s = readSettings(new FakeConfiguration({}));
    assert.equal(s.outputFolder, 'assets/generated');
    assert.equal(s.fileNamePattern, '{slug}-{seed}');
    assert.deepEqual([s.defaultWidth, s.defaultHeight], [512, 512]);
    assert.equal(s.sampler, undefined);
  });
  it('bad values fall back instead of reaching the daemon', () => {
    const s = readSettings(
      new FakeConfiguration({
        defaultSize: '513x512',
        outputFolder: '../outside',
        sampler: 'magic',
        steps: 500,
      }),
    );
    assert.deepEqual([s.defaultWidth, s.defaultHeight], [512, 512]);
    assert.equal(s.outputFolder, 'assets/generated');
    assert.equal(s.sampler, undefined);
    assert.equal(s.steps, undefined);
  });
  it('valid values are used', () => {
    const s = readSettings(
      new FakeConfiguration({
        defaultSize: '768x512',
        outputFolder: '/public/img/',
        sampler: 'euler',
        steps: 20,
      }),
    );
    assert.deepEqual(
      [s.defaultWidth, s.defaultHeight, s.outputFolder, s.sampler, s.steps],
      [768, 512, 'public/img', 'euler', 20],
    );
  });
});
