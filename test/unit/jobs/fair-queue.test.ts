import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FairQueue } from '../../../companion/jobs/fair-queue';

test('a client with many jobs does not starve a client with one', () => {
  const q = new FairQueue<{ jobId: string; clientId: string }>();
  for (let i = 0; i < 5; i++) q.push({ jobId: `a${i}`, clientId: 'A' });
  q.push({ jobId: 'b0', clientId: 'B' });
  q.push({ jobId: 'c0', clientId: 'C' });
  assert.deepEqual(
    q.ordered().map((j) => j.jobId),
    ['a0', 'b0', 'c0', 'a1', 'a2', 'a3', 'a4'],
  );
  const served: string[] = [];
  for (let j = q.shift(); j; j = q.shift()) served.push(j.jobId);
  assert.deepEqual(served, ['a0', 'b0', 'c0', 'a1', 'a2', 'a3', 'a4']);
});

test('removing a queued job keeps the others in order', () => {
  const q = new FairQueue<{ jobId: string; clientId: string }>();
  q.push({ jobId: 'a0', clientId: 'A' });
  q.push({ jobId: 'b0', clientId: 'B' });
  q.push({ jobId: 'a1', clientId: 'A' });
  assert.equal(q.remove('b0')?.jobId, 'b0');
  assert.equal(q.remove('zz'), undefined);
  assert.deepEqual(
    q.ordered().map((j) => j.jobId),
    ['a0', 'a1'],
  );
  assert.equal(q.size, 2);
});
