// A PipelinePort for queue unit tests: runs `steps` steps of `stepMs` each, honours abort
// between steps, and returns a 1×1 PNG. Lives in test/ only; the product uses the real pipeline.
import { PipelineError, type PipelineJob, type PipelinePort } from '../../companion/jobs/pipeline-port';

// A valid 1×1 RGB PNG.
export const TINY_PNG = Uint8Array.from(
  Buffer.from(
    'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGP4z8AAAAMBAQDJ/pLvAAAAAElFTkSuQmCC',
    'base64',
  ),
);

export class ScriptedPipeline implements PipelinePort {
  readonly started: string[] = [];
  failNext: string | null = null;

  constructor(private readonly stepMs = 5) {}

  async run(job: PipelineJob, hooks: Parameters<PipelinePort['run']>[1], signal: AbortSignal) {
    this.started.push(job.jobId);
    if (this.failNext) {
      const code = this.failNext;
      this.failNext = null;
      throw new PipelineError(code, `scripted failure ${code}`);
    }
    const steps = job.request.steps ?? 4;
    for (let step = 1; step <= steps; step++) {
      await new Promise((r) => setTimeout(r, this.stepMs));
      if (signal.aborted) throw new PipelineError('E_CANCELLED', 'cancelled');
      hooks.onStep({ image: 0, step, steps });
    }
    const seed = job.request.seed === -1 ? 1234 : job.request.seed;
    return {
      images: [
        { png: TINY_PNG, seed, width: 1, height: 1, infotext: `${job.request.prompt}\nSeed: ${seed}` },
      ],
      executionProvider: 'scripted',
      notes: [],
    };
  }

  async interrogate(): Promise<never> {
    throw new PipelineError('E_MODEL_NOT_FOUND', 'the scripted pipeline has no interrogator');
  }

  info() {
    return { executionProviders: ['scripted'], loadedModel: null, executionProvider: null };
  }

  async close() {}
}
