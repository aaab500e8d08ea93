// The side panel's reverse prompt against a real daemon: PNG parameters are read locally, an
// image without them goes to `interrogate` as an attachment; with no CLIP model installed the
// user is told the exact install command, and once a (tiny) CLIP model is installed a prompt is
// proposed. With the daemon down the message says how to start it.
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { encodePng } from '../../../companion/images/image-codec';
import { silentLogger } from '../../../companion/logger';
import { findCatalogEntry } from '../../../companion/models/catalog';
import { ModelManager } from '../../../companion/models/model-manager';
import { INTERROGATOR_CATALOG_ID, reversePrompt } from '../../../plugins/vscode/src/host/reverse-prompt';
import type { StippleClient } from '../../../shared/protocol/stipple-client';
import { startDaemon, type TestDaemon } from '../../helpers/daemon';
import { skipNoFixtures } from '../../helpers/fixtures';
import { buildTinyClip } from '../../helpers/tiny-clip';
import { connectClient } from '../../helpers/ws-client';

function solidPng(r: number, g: number, b: number, infotext?: string) {
  const size = 32;
  const data = new Uint8Array(size * size * 3);
  for (let i = 0; i < size * size; i++) data.set([r, g, b], i * 3);
  return encodePng({ width: size, height: size, data }, infotext);
}

describe('side panel reverse prompt', { skip: skipNoFixtures }, () => {
  let home: string;
  let d: TestDaemon;
  let client: StippleClient;
  const deps = () => ({ whenConnected: async () => client });

  before(async () => {
    home = mkdtempSync(path.join(os.tmpdir(), 'stipple-vscode-reverse-'));
    d = await startDaemon({ home });
    client = await connectClient(d.wsUrl, d.token, 'vscode-test');
  });
  after(async () => {
    client?.close();
    await d?.dispose();
  });

  it('the interrogator id the message names is the catalog CLIP model', () => {
    assert.equal(findCatalogEntry(INTERROGATOR_CATALOG_ID)?.kind, 'interrogator');
  });

  it('reads a Stipple/A1111 PNG exactly, without asking the daemon', async () => {
    const png = await solidPng(
      9,
      9,
      9,
      'a red fox, snow\nNegative prompt: blurry\nSteps: 2, Seed: 7, Size: 32x32',
    );
    const r = await reversePrompt(
      { whenConnected: () => Promise.reject(new Error('must not be asked')) },
      png,
      'fox.png',
    );
    assert.deepEqual(r, {
      ok: true,
      source: 'metadata',
      prompt: 'a red fox, snow',
      negativePrompt: 'blurry',
      notice: "Prompt read from fox.png's generation parameters.",
    });
  });

  it('no interrogator installed: the notice names `npx stipple models pull clip-vit-b32`', async () => {
    const r = await reversePrompt(deps(), await solidPng(30, 160, 60), 'green.png');
    assert.equal(r.ok, false);
    if (r.ok) return;
    assert.equal(r.code, 'E_MODEL_NOT_FOUND');
    assert.match(r.notice, /needs a CLIP interrogator model/);
    assert.match(r.notice, /`npx stipple models pull clip-vit-b32`/);
  });

  it('with a CLIP model installed, an image without parameters gets a proposed prompt', async () => {
    const manager = new ModelManager({
      home,
      logger: silentLogger(),
      hub: { endpoint: 'http://127.0.0.1:9' },
    });
    await manager.import(buildTinyClip(), { mode: 'copy', id: 'tiny-clip' });
    const r = await reversePrompt(deps(), await solidPng(200, 40, 40), 'red.png');
    assert.ok(r.ok, r.ok ? '' : r.notice);
    assert.equal(r.source, 'clip');
    assert.ok(r.prompt.split(', ').length >= 3, `a prompt of ranked keywords: ${r.prompt}`);
    assert.match(r.notice, /proposed by CLIP from red\.png/);
    // The same image proposes the same prompt (ranking is deterministic).
    const again = await reversePrompt(deps(), await solidPng(200, 40, 40), 'red.png');
    assert.equal(again.ok && again.prompt, r.prompt);
  });

  it('daemon down: says it is not running and how to start it', async () => {
    const r = await reversePrompt(
      {
        whenConnected: () =>
          Promise.reject(
            new Error('the Stipple daemon at ws://127.0.0.1:9/ws did not answer (disconnected)'),
          ),
      },
      await solidPng(1, 2, 3),
      'x.png',
    );
    assert.equal(r.ok, false);
    if (!r.ok) {
      assert.equal(r.code, 'E_UNREACHABLE');
      assert.match(r.notice, /not running .*`npx stipple serve`/);
    }
  });
});
