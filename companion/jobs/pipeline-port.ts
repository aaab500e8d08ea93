// The small interface between the job queue and whatever runs the diffusion pipeline: in the
// product a supervised child process (worker-supervisor.ts), in unit tests a scripted stand-in.
import type { GenerateRequest } from '../../shared/protocol/generate-request';

/** A request with the model's defaults filled in: what the pipeline runs and history records. */
export type ResolvedRequest = GenerateRequest &
  Required<Pick<GenerateRequest, 'model' | 'sampler' | 'steps' | 'cfg' | 'width' | 'height'>>;

export interface PipelineJob {
  jobId: string;
  request: ResolvedRequest;
  /** Resolved model folder and display name. */
  modelDir: string;
  modelName: string;
  /** The request's `vae`, resolved to its store folder (`<data>/vaes/<name>/`) before queueing. */
  vaeDir?: string;
  /**
   * For `quality: 'fast'` when the model folder has no vae_decoder_tiny/: an installed tiny autoencoder
   * model folder (catalog `taesd`, SD 1.x/2.x latents only), resolved before queueing.
   */
  tinyDecoderDir?: string;
  initImage?: Uint8Array;
  mask?: Uint8Array;
}

export interface PipelineHooks {
  onStep(info: { image: number; step: number; steps: number }): void;
  onPreview(info: {
    image: number;
    step: number;
    steps: number;
    width: number;
    height: number;
    png: Uint8Array;
  }): void;
}

export interface PipelineImage {
  png: Uint8Array;
  seed: number;
  width: number;
  height: number;
  infotext: string;
}

export interface PipelineOutput {
  images: PipelineImage[];
  executionProvider: string;
  notes: string[];
}

export interface PipelineInfo {
  /** Providers this onnxruntime-node build offers. */
  executionProviders: string[];
  loadedModel: string | null;
  /** The provider the loaded model actually runs on (after fallback), null when none is loaded. */
  executionProvider: string | null;
}

/** A failure with a stable protocol code (E_PIPELINE, E_WORKER_CRASHED, E_CANCELLED, …). */
export class PipelineError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = 'PipelineError';
  }
}

export interface InterrogationResult {
  prompt: string;
  keywords: Array<{ category: string; text: string; score: number }>;
}

export interface PipelinePort {
  run(job: PipelineJob, hooks: PipelineHooks, signal: AbortSignal): Promise<PipelineOutput>;
  /** CLIP "reverse prompt" with the interrogator model in `modelDir`, serialised with jobs. */
  interrogate(modelDir: string, image: Uint8Array, topK: number): Promise<InterrogationResult>;
  info(): PipelineInfo;
  close(): Promise<void>;
}
