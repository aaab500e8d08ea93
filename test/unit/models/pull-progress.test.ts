import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type PullProgress, PullProgressTracker } from '../../../companion/models/pull-progress.js';

test('rate and ETA come from the bytes over the recent window', () => {
  let now = 0;
  const events: PullProgress[] = [];
  const tracker = new PullProgressTracker(
    'm',
    (e) => events.push(e),
    100,
    () => now,
  );
  tracker.start(10_000, 1_000);
  now = 1000;
  tracker.add(2_000, 'unet/model.onnx');
  const e = events.at(-1);
  assert.equal(e?.phase, 'downloading');
  assert.equal(e?.file, 'unet/model.onnx');
  assert.equal(e?.bytesDone, 3_000);
  assert.equal(e?.rateBytesPerSec, 2_000);
  assert.equal(e?.etaSec, 4);
});

test('byte updates are throttled but phase changes always go out', () => {
  let now = 0;
  const events: PullProgress[] = [];
  const tracker = new PullProgressTracker(
    'm',
    (e) => events.push(e),
    100,
    () => now,
  );
  tracker.start(100, 0);
  const n = events.length;
  now = 10;
  tracker.add(1);
  tracker.add(1);
  assert.equal(events.length, n);
  tracker.setPhase('verifying');
  assert.equal(events.at(-1)?.phase, 'verifying');
  assert.equal(events.at(-1)?.bytesDone, 2);
});

test('the ETA is unknown before any rate is measured and zero when done', () => {
  let now = 0;
  const events: PullProgress[] = [];
  const tracker = new PullProgressTracker(
    'm',
    (e) => events.push(e),
    0,
    () => now,
  );
  tracker.start(100, 0);
  assert.equal(events.at(-1)?.etaSec, null);
  now = 500;
  tracker.add(100);
  assert.equal(events.at(-1)?.etaSec, 0);
});
