// The one module that imports onnxruntime-node. It creates one session per model component, choosing the best
// execution provider that works: onnxruntime-node does not fall back by itself (a provider list whose first
// entry is unavailable throws), so each candidate is tried alone and a failure moves to the next one.
// Must not know anything about diffusion: components are opaque names mapped to .onnx files.
import { performance } from 'node:perf_hooks';
import * as ort from 'onnxruntime-node';
import type { Logger } from 'pino';
import { PipelineError } from '../pipeline-errors.js';
import type { ComponentInfo, Engine, HostTensor, IoInfo } from './engine.js';

/** Providers worth trying on this platform, best first; 'cpu' always last. */
export function defaultProviders(platform: NodeJS.Platform = process.platform): string[] {
  if (platform === 'win32') return ['dml', 'cpu'];
  if (platform === 'darwin') return ['coreml', 'cpu'];
  // WebGPU on Linux needs a Vulkan driver; it is opt-in through preferredProviders.
  return ['cuda', 'cpu'];
}

/** Backends this onnxruntime-node build ships (for /health). */
export function availableProviders(): string[] {
  const list = (ort as unknown as { listSupportedBackends?: () => { name: string }[] }).listSupportedBackends;
  return list ? list().map((b) => b.name) : ['cpu'];
}

/**
 * A model file, or a model held in memory (LoRA/embedding-patched bytes) with its external data files
 * as buffers, loaded through ORT's `externalData` session option: patched weights never go to disk.
 */
export type ModelSource =
  | string
  | { modelBytes: Uint8Array; externalData: { path: string; data: Uint8Array }[] };

export interface OrtEngineOptions {
  /** component name -> absolute path of its model.onnx (external data is resolved beside it), or bytes. */
  files: Record<string, ModelSource>;
  providers?: string[];
  logger: Logger;
  intraOpNumThreads?: number;
  /** Providers that already failed in this process (shared across loads so each fails only once). */
  failedProviders?: Set<string>;
}

function ioInfo(meta: readonly ort.InferenceSession.ValueMetadata[]): IoInfo[] {
  return meta.map((m) =>
    m.isTensor
      ? { name: m.name, type: String(m.type), shape: [...m.shape] as (number | string)[] }
      : { name: m.name, type: 'non-tensor', shape: [] },
  );
}

async function createSession(
  name: string,
  file: ModelSource,
  providers: string[],
  opts: OrtEngineOptions,
): Promise<{ session: ort.InferenceSession; provider: string }> {
  const errors: string[] = [];
  for (const provider of providers) {
    if (provider !== 'cpu' && opts.failedProviders?.has(provider)) continue;
    try {
      const options: ort.InferenceSession.SessionOptions = {
        executionProviders: [provider],
        graphOptimizationLevel: 'all',
        ...(opts.intraOpNumThreads ? { intraOpNumThreads: opts.intraOpNumThreads } : {}),
      };
      const session =
        typeof file === 'string'
          ? await ort.InferenceSession.create(file, options)
          : await ort.InferenceSession.create(file.modelBytes, {
              ...options,
              externalData: file.externalData,
            });
      return { session, provider };
    } catch (err) {
      const msg = err instanceof Error ? err.message : String(err);
      errors.push(`${provider}: ${msg}`);
      opts.failedProviders?.add(provider);
      opts.logger.info(
        { component: name, provider, err: msg },
        'execution provider unavailable, trying next',
      );
    }
  }
  throw new PipelineError(
    'E_RUNTIME',
    `could not load ${typeof file === 'string' ? file : `${name} (patched in memory)`} on any execution provider (${errors.join('; ')})`,
  );
}

export async function createOrtEngine(opts: OrtEngineOptions): Promise<Engine> {
  const providers = opts.providers?.length ? [...opts.providers] : defaultProviders();
  if (!providers.includes('cpu')) providers.push('cpu');
  const sessions = new Map<string, ort.InferenceSession>();
  const infos = new Map<string, ComponentInfo>();
  const used = new Set<string>();
  let runs = 0;
  let runMs = 0;
  try {
    for (const [name, file] of Object.entries(opts.files)) {
      const { session, provider } = await createSession(name, file, providers, opts);
      sessions.set(name, session);
      infos.set(name, { inputs: ioInfo(session.inputMetadata), outputs: ioInfo(session.outputMetadata) });
      used.add(provider);
    }
  } catch (err) {
    for (const s of sessions.values()) await s.release();
    throw err;
  }
  const executionProvider = [...used].join('+');

  return {
    executionProvider,
    has: (name) => sessions.has(name),
    info(name) {
      const info = infos.get(name);
      if (!info) throw new PipelineError('E_MODEL_LAYOUT', `model has no ${name} component`);
      return info;
    },
    async run(name, feeds) {
      const session = sessions.get(name);
      if (!session) throw new PipelineError('E_MODEL_LAYOUT', `model has no ${name} component`);
      const ortFeeds: Record<string, ort.Tensor> = {};
      for (const [k, t] of Object.entries(feeds)) ortFeeds[k] = new ort.Tensor(t.type, t.data, t.dims);
      const t0 = performance.now();
      let out: ort.InferenceSession.ReturnType;
      try {
        out = await session.run(ortFeeds);
      } catch (err) {
        throw new PipelineError('E_RUNTIME', `${name} failed: ${err instanceof Error ? err.message : err}`, {
          cause: err,
        });
      }
      runMs += performance.now() - t0;
      runs++;
      const result: Record<string, HostTensor> = {};
      for (const [k, v] of Object.entries(out)) {
        const tensor = v as ort.Tensor;
        result[k] = {
          type: tensor.type as HostTensor['type'],
          data: tensor.data as HostTensor['data'],
          dims: tensor.dims,
        };
      }
      return result;
    },
    stats: () => ({ runs, runMs }),
    async release() {
      for (const s of sessions.values()) await s.release();
      sessions.clear();
    },
  };
}
