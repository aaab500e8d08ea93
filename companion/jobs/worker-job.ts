// Runs one queue job on the pipeline service inside the pipeline process: maps the wire
// request onto the service's input, turns previews into small PNGs, and forwards progress.
import { encodePng } from '../images/image-codec';
import type { createPipelineService } from '../pipeline/pipeline-service';
import type { PipelineJob, PipelineOutput } from './pipeline-port';
import type { FromWorker } from './worker-messages';

type Service = ReturnType<typeof createPipelineService>;

export async function runJobInWorker(
  service: Service,
  job: PipelineJob,
  ctx: { isCancelled(): boolean; send(m: FromWorker): void },
): Promise<PipelineOutput> {
  const r = job.request;
  const previewEvery = r.previewEvery;
  let previewBusy = false;
  const out = await service.generate(
    {
      ...r,
      modelDir: job.modelDir,
      modelName: job.modelName,
      ...(job.vaeDir ? { vaeDir: job.vaeDir } : {}),
      ...(job.tinyDecoderDir ? { tinyDecoderDir: job.tinyDecoderDir } : {}),
      initImage: job.initImage,
      mask: job.mask,
    },
    {
      isCancelled: ctx.isCancelled,
      onStep: (info) => {
        ctx.send({ type: 'step', jobId: job.jobId, image: info.image, step: info.step, steps: info.steps });
        const p = info.preview;
        if (!p || previewEvery === 0 || info.step % previewEvery !== 0 || previewBusy) return;
        previewBusy = true;
        void encodePng({ width: p.width, height: p.height, data: p.rgb })
          .then((png) =>
            ctx.send({
              type: 'preview',
              jobId: job.jobId,
              image: info.image,
              step: info.step,
              steps: info.steps,
              width: p.width,
              height: p.height,
              png,
            }),
          )
          .finally(() => {
            previewBusy = false;
          });
      },
    },
  );
  return {
    images: out.images.map((i) => ({
      png: i.png,
      seed: i.seed,
      width: i.width,
      height: i.height,
      infotext: i.infotext,
    })),
    executionProvider: out.executionProvider,
    notes: out.notes,
  };
}
