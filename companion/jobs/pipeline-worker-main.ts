// Entry of the pipeline process (see worker-supervisor.ts). Hosts the pipeline service, runs
// one job at a time, forwards progress and previews, and catches per job: an error in a job is
// reported and the process keeps serving. Cancel sets a flag the denoise loop checks between steps.
import { resolveHome } from '../config/stipple-home';
import { createLogger } from '../logger';
import { storeAdapterDirs } from '../pipeline/adapters/job-adapters';
import { InterrogatorCache } from '../pipeline/interrogate/interrogator-cache';
import { createPipelineService } from '../pipeline/pipeline-service';
import type { PipelineJob } from './pipeline-port';
import { runJobInWorker } from './worker-job';
import type { FromWorker, ToWorker } from './worker-messages';

const logger = createLogger({ name: 'stipple-pipeline' });
const service = createPipelineService({
  logger,
  adapterDirs: storeAdapterDirs(resolveHome(process.env).data),
  // STIPPLE_WARMUP=1: each model, once loaded, runs one 1-step generation at its native size, so ORT's
  // slow first runs per shape are not paid by the first job at that size.
  warmup: /^(1|true|yes)$/i.test(process.env.STIPPLE_WARMUP ?? ''),
});
const cancelled = new Set<string>();
const interrogators = new InterrogatorCache(logger);
let queue: Promise<void> = Promise.resolve();

function workerInfo() {
  const i = service.info();
  return {
    executionProviders: i.executionProviders,
    loadedModel: i.loadedModel ?? null,
    executionProvider: i.executionProvider ?? null,
  };
}

function send(m: FromWorker): void {
  process.send?.(m);
}

process.on('message', (m: ToWorker) => {
  switch (m.type) {
    case 'run':
      queue = queue.then(() => runOne(m.job));
      break;
    case 'cancel':
      cancelled.add(m.jobId);
      break;
    case 'interrogate':
      queue = queue.then(() => interrogateOne(m));
      break;
    case 'shutdown':
      void queue
        .then(() => service.unload())
        .catch((e) => logger.warn({ err: e }, 'unload failed during shutdown'))
        .finally(() => process.exit(0));
      break;
  }
});

process.on('disconnect', () => process.exit(0));

async function interrogateOne(m: Extract<ToWorker, { type: 'interrogate' }>): Promise<void> {
  try {
    const result = await interrogators.get(m.modelDir).then((i) => i.interrogate(m.image, m.topK));
    send({ type: 'interrogated', requestId: m.requestId, result });
  } catch (e) {
    const err = e as Error & { code?: string };
    send({
      type: 'interrogate_failed',
      requestId: m.requestId,
      code: err.code ?? 'E_PIPELINE',
      message: err.message,
    });
  }
}

async function runOne(job: PipelineJob): Promise<void> {
  try {
    const output = await runJobInWorker(service, job, {
      isCancelled: () => cancelled.has(job.jobId),
      send,
    });
    send({ type: 'done', jobId: job.jobId, output });
  } catch (e) {
    const err = e as Error & { code?: string; field?: string };
    logger.warn({ jobId: job.jobId, code: err.code, message: err.message }, 'job failed in pipeline process');
    send({
      type: 'failed',
      jobId: job.jobId,
      code: err.code ?? 'E_PIPELINE',
      message: err.message,
      field: err.field,
    });
  } finally {
    cancelled.delete(job.jobId);
    send({ type: 'info', info: workerInfo() });
  }
}

send({ type: 'ready', info: workerInfo() });

// STIPPLE_PRELOAD_MODEL=<model folder> (+ STIPPLE_PRELOAD_MODEL_NAME): load (and warm up, with
// STIPPLE_WARMUP) that model right after start, ahead of any job; jobs queue behind it. A failure is logged
// and the worker serves on (the first job then loads its model as usual).
const preload = process.env.STIPPLE_PRELOAD_MODEL;
if (preload) {
  queue = queue.then(async () => {
    try {
      const info = await service.load(preload, process.env.STIPPLE_PRELOAD_MODEL_NAME || undefined);
      logger.info({ model: info.name, loadMs: info.loadMs }, 'model preloaded');
    } catch (e) {
      logger.warn({ err: e, dir: preload }, 'preloading the model failed');
    }
    send({ type: 'info', info: workerInfo() });
  });
}
