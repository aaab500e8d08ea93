// Warm-up at model load (`warmup` option; STIPPLE_WARMUP=1 in the pipeline process) runs one 1-step
// generation at the model's native size. With config.json `"warmup": true` the daemon has the pipeline
// process preload (STIPPLE_PRELOAD_MODEL) and warm its default model at start: it reports the model loaded
// without having run a job.
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, describe, it } from 'node:test';
import pino from 'pino';
import { createPipelineService } from '../../../companion/pipeline/pipeline-service.js';
import { startDaemon, type TestDaemon } from '../../helpers/daemon.js';
import { fixturePath, skipNoFixtures } from '../../helpers/fixtures.js';

function capture(): { logger: pino.Logger; lines: () => Record<string, unknown>[] } {
  const out: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      out.push(String(chunk));
      done();
    },
  });
  return {
    logger: pino({ level: 'info' }, stream),
    lines: () =>
      out
        .join('')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}

describe('warm-up at model load', { skip: skipNoFixtures }, () => {
  let d: TestDaemon | undefined;
  after(async () => {
    await d?.dispose();
  });

  it('warmup: true runs one generation at the native size when a model loads; off by default', async () => {
    const on = capture();
    const warm = createPipelineService({ logger: on.logger, preferredProviders: ['cpu'], warmup: true });
    try {
      const info = await warm.load(fixturePath('tiny-sd', 'sd15-tiny'), 'sd15-tiny');
      const line = on.lines().find((l) => l.msg === 'model warmed up');
      assert.ok(line, 'warm-up logged');
      assert.equal(line.size, info.nativeSize);
      assert.equal(line.model, 'sd15-tiny');
    } finally {
      await warm.unload();
    }
    const off = capture();
    const cold = createPipelineService({ logger: off.logger, preferredProviders: ['cpu'] });
    try {
      await cold.load(fixturePath('tiny-sd', 'sd15-tiny'));
      assert.equal(off.lines().filter((l) => l.msg === 'model warmed up').length, 0);
    } finally {
      await cold.unload();
    }
  });

  it('config warmup: the daemon preloads and warms its default model before any job', async () => {
    d = await startDaemon({
      config: { warmup: true },
      models: { 'sd15-tiny': 'sd15-tiny' },
      env: { STIPPLE_LOG_LEVEL: 'info' },
    });
    const deadline = Date.now() + 120_000;
    let loaded: string | null = null;
    while (Date.now() < deadline) {
      const health = (await (await fetch(`${d.url}/health`)).json()) as { loadedModel: string | null };
      loaded = health.loadedModel;
      if (loaded) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    assert.equal(loaded, 'sd15-tiny');
    assert.match(d.output(), /model warmed up/);
  });
});
