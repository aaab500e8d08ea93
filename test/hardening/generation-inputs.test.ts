// Issue 8, item 4: edge values in generation inputs. Each is refused with an `error` naming the
// field (or E_MALFORMED where JSON itself cannot carry the value), and nothing is queued.
import assert from 'node:assert/strict';
import { after, before, beforeEach, test } from 'node:test';
import { encodeBinaryFrame } from '../../shared/protocol/binary-frame';
import { PROTOCOL_VERSION } from '../../shared/protocol/version';
import { startDaemon, type TestDaemon } from '../helpers/daemon';
import { skipNoFixtures } from '../helpers/fixtures';
import { type RawSocket, rawSocket } from '../helpers/ws-client';
import {
  assertNothingLost,
  assertStillServing,
  fastConfig,
  snapshotDisk,
  startBackgroundJobs,
  tinyJob,
} from './daemon-integrity';
import { badCrc, bombPng, makePng, truncated, wrongMagic } from './png-samples';

let d: TestDaemon;
let s: RawSocket;
let background: { settle(): Promise<void> } | null = null;
let disk: Map<string, string>;
let sessions = 0;
before(async () => {
  if (skipNoFixtures) return;
  d = await startDaemon({ config: fastConfig, models: { 'sd15-tiny': 'sd15-tiny' } });
  background = await startBackgroundJobs(d, 40);
  disk = snapshotDisk(d.home);
});
// A fresh connection per test: a socket is closed after 50 bad messages in 10 s (4005).
beforeEach(async () => {
  if (skipNoFixtures) return;
  s?.ws.close();
  s = await rawSocket(d.wsUrl);
  // A client name per test, so `queue` counts only this test's jobs as mine.
  const name = `inputs-${++sessions}`;
  s.send(
    JSON.stringify({ type: 'hello', token: d.token, client: { name }, protocolVersion: PROTOCOL_VERSION }),
  );
  assert.equal(((await s.next()).text as { type: string }).type, 'welcome');
});
after(async () => {
  s?.ws.close();
  await d?.dispose();
});

type Reply = {
  type: string;
  code?: string;
  field?: string;
  message?: string;
  jobId?: string;
  replyTo?: string;
};

/** Sends raw text (so NaN/Infinity tokens can be tried) and returns the answer to it. */
async function send(text: string): Promise<Reply> {
  s.send(text);
  for (;;) {
    const m = ((await s.next()).text ?? {}) as Reply;
    if (m.replyTo === 'g' || (m.type === 'error' && !m.jobId)) return m;
  }
}

const base = { prompt: 'a cat', ...tinyJob, steps: 1 };
const generateText = (fields: string) =>
  `{"type":"generate","id":"g","request":{"prompt":"a cat","width":64,"height":64,"steps":1,${fields}}}`;

async function myQueuedJobs(): Promise<number> {
  s.send(JSON.stringify({ type: 'queue', id: 'q' }));
  for (;;) {
    const m = ((await s.next()).text ?? {}) as { type: string; jobs?: Array<{ mine: boolean }> };
    if (m.type === 'queue') return m.jobs!.filter((j) => j.mine).length;
  }
}

async function expectRefused(label: string, text: string, field: string | null, codes = ['E_BAD_REQUEST']) {
  const m = await send(text);
  assert.equal(m.type, 'error', `${label}: ${JSON.stringify(m).slice(0, 200)}`);
  assert.ok(codes.includes(m.code!), `${label}: code ${m.code}`);
  if (field) {
    assert.equal(m.field, field, `${label}: field`);
    assert.ok(
      m.message!.includes(field.replace('request.', '')),
      `${label}: message names the field: ${m.message}`,
    );
  }
  assert.doesNotMatch(m.message!, /at \S+ \(|\.ts:\d/, 'no stack trace');
}

test('width/height 0, 513, 100000 are refused naming the field', { skip: skipNoFixtures }, async () => {
  for (const side of ['width', 'height']) {
    for (const v of [0, 513, 100000, -64, 64.5, '"512"', 'null', 'true']) {
      await expectRefused(
        `${side}=${v}`,
        generateText(`"${side}":${v}`).replace(`"${side}":64,`, ''),
        `request.${side}`,
      );
    }
  }
  assert.equal(await myQueuedJobs(), 0);
});

test('steps 0, -1, 1.5, 10001, "20" are refused naming the field', { skip: skipNoFixtures }, async () => {
  for (const v of ['0', '-1', '1.5', '10001', '"20"', '1e999']) {
    await expectRefused(
      `steps=${v}`,
      generateText(`"steps":${v}`).replace('"steps":1,', ''),
      'request.steps',
    );
  }
  assert.equal(await myQueuedJobs(), 0);
});

test('cfg and strength NaN, ±Infinity, -1, 1e308 are refused', { skip: skipNoFixtures }, async () => {
  for (const field of ['cfg', 'strength']) {
    // JSON has no NaN or Infinity: the bare tokens are malformed JSON …
    for (const token of ['NaN', 'Infinity', '-Infinity']) {
      await expectRefused(`${field}=${token}`, generateText(`"${field}":${token}`), null, ['E_MALFORMED']);
    }
    // … and numbers that overflow to ±Infinity, or are out of range, name the field.
    for (const v of ['1e999', '-1e999', '-1', '1e308', '"7"']) {
      await expectRefused(`${field}=${v}`, generateText(`"${field}":${v}`), `request.${field}`);
    }
  }
  assert.equal(await myQueuedJobs(), 0);
});

test('seed negative, above 2^53, or a string is refused naming the field', {
  skip: skipNoFixtures,
}, async () => {
  for (const v of ['-2', '-1e18', '9007199254740993', '1e300', '"42"', '4.5']) {
    await expectRefused(`seed=${v}`, generateText(`"seed":${v}`), 'request.seed');
  }
  assert.equal(await myQueuedJobs(), 0);
});

test('prompts: 1 MB, NUL and lone surrogates are refused naming the field; empty is accepted (as A1111)', {
  skip: skipNoFixtures,
}, async () => {
  const big = JSON.stringify({
    type: 'generate',
    id: 'g',
    request: { ...base, prompt: 'x'.repeat(1_000_000) },
  });
  await expectRefused('1 MB prompt', big, 'request.prompt');
  await expectRefused(
    'NUL',
    JSON.stringify({ type: 'generate', id: 'g', request: { ...base, prompt: 'a\u0000b' } }),
    'request.prompt',
  );
  await expectRefused(
    'lone high surrogate',
    generateText('"negativePrompt":"x\\ud800y"'),
    'request.negativePrompt',
  );
  await expectRefused(
    'lone low surrogate',
    '{"type":"generate","id":"g","request":{"prompt":"\\udc00","width":64,"height":64,"steps":1}}',
    'request.prompt',
  );
  assert.equal(await myQueuedJobs(), 0);
  const empty = await send(JSON.stringify({ type: 'generate', id: 'g', request: { ...base, prompt: '' } }));
  assert.equal(empty.type, 'queued', 'an empty prompt is allowed (unconditional generation, as in A1111)');
});

test('model ids that look like paths are refused naming the field', { skip: skipNoFixtures }, async () => {
  for (const model of [
    '../../x',
    'C:\\x',
    '\\\\host\\share',
    '/etc/passwd',
    '..',
    '.',
    'sd15-tiny/../../x',
    'C:x',
    '~/x',
    '%2e%2e',
    'x\u0000y',
  ]) {
    await expectRefused(
      `model=${model}`,
      JSON.stringify({ type: 'generate', id: 'g', request: { ...base, model } }),
      'request.model',
    );
  }
  await expectRefused(
    'missing model',
    JSON.stringify({ type: 'generate', id: 'g', request: { ...base, model: 'not-installed' } }),
    'request.model',
    ['E_MODEL_NOT_FOUND'],
  );
  assert.equal(await myQueuedJobs(), 0);
});

function attach(ref: string, bytes: Uint8Array, mime: 'image/png' | 'image/jpeg' = 'image/png') {
  s.send(Buffer.from(encodeBinaryFrame({ kind: 'attachment', ref, mime }, bytes)));
}

test('broken or hostile PNGs are refused before decoding, naming the field', {
  skip: skipNoFixtures,
}, async () => {
  const good = makePng(64, 64);
  const cases: Array<[string, Uint8Array]> = [
    ['truncated', truncated(good)],
    ['bad CRC', badCrc(good)],
    ['wrong magic', wrongMagic(good)],
    ['GIF magic', Buffer.concat([Buffer.from('GIF89a'), good.subarray(6)])],
    ['empty', new Uint8Array(0)],
    ['20000x20000 declared', bombPng(20000, 20000)],
    ['zero width', bombPng(0, 64)],
  ];
  for (const [label, bytes] of cases) {
    for (const [field, mode] of [
      ['initImage', 'img2img'],
      ['mask', 'inpaint'],
    ] as const) {
      attach('init', field === 'initImage' ? bytes : good);
      attach('mask', bytes);
      const req = {
        ...base,
        mode,
        strength: 0.5,
        initImage: 'init',
        ...(mode === 'inpaint' ? { mask: 'mask' } : {}),
      };
      const t0 = Date.now();
      await expectRefused(
        `${label} ${field}`,
        JSON.stringify({ type: 'generate', id: 'g', request: req }),
        `request.${field}`,
        ['E_BAD_IMAGE'],
      );
      if (label.startsWith('20000'))
        assert.ok(Date.now() - t0 < 5000, 'refused from the header, not by decoding 400 MP');
    }
  }
  assert.equal(await myQueuedJobs(), 0);
});

test('a mask of another size, or steps × strength < 1, is refused; masks of any channel count are converted (as A1111)', {
  skip: skipNoFixtures,
}, async () => {
  attach('init', makePng(64, 64));
  attach('mask', makePng(72, 64, 0));
  const req = { ...base, steps: 2, mode: 'inpaint', strength: 0.5, initImage: 'init', mask: 'mask' };
  await expectRefused(
    'mask 72x64',
    JSON.stringify({ type: 'generate', id: 'g', request: req }),
    'request.mask',
  );
  // floor(steps × strength) = 0 would leave img2img nothing to do: refused before queueing.
  for (const [steps, strength] of [
    [1, 0.5],
    [3, 0.2],
    [10, 0],
  ]) {
    attach('init', makePng(64, 64));
    attach('mask', makePng(64, 64, 0));
    await expectRefused(
      `steps ${steps} strength ${strength}`,
      JSON.stringify({ type: 'generate', id: 'g', request: { ...req, steps, strength } }),
      'request.strength',
    );
  }
  assert.equal(await myQueuedJobs(), 0);
  const jobs = new Set<string>();
  for (const colour of [0, 4, 6] as const) {
    attach('init', makePng(64, 64));
    attach('mask', makePng(64, 64, colour));
    const m = await send(JSON.stringify({ type: 'generate', id: 'g', request: req }));
    assert.equal(m.type, 'queued', `mask with colour type ${colour}: ${JSON.stringify(m)}`);
    jobs.add(m.jobId!);
  }
  // Each of them runs to the end (the inpaint path converts the mask to luminance).
  while (jobs.size > 0) {
    const m = ((await s.next()).text ?? {}) as Reply;
    if (m.jobId && jobs.has(m.jobId) && (m.type === 'done' || m.type === 'error' || m.type === 'cancelled')) {
      assert.equal(m.type, 'done', JSON.stringify(m));
      jobs.delete(m.jobId);
    }
  }
});

test('after all of the above nothing was lost: background jobs finished, models and outputs intact', {
  skip: skipNoFixtures,
}, async () => {
  await background?.settle();
  assertNothingLost(d.home, disk);
  await assertStillServing(d, { generate: true });
});
