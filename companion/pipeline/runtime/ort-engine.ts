// The one module that imports onnxruntime-node. It creates one session per model component, choosing the best
// execution provider that works: onnxruntime-node does not fall back by itself (a provider list whose first
// entry is unavailable throws), so each candidate is tried alone and a failure moves to the next one.
// Must not know anything about diffusion: components are opaque names mapped to .onnx files.
//
// WebGPU: outputs are always read back to the host (reading a 'gpu-buffer' output with getData() crashed
// onnxruntime-node 1.30, and the schedulers run in JS between UNet calls anyway). Inputs that repeated runs
// share can be uploaded once (`toDevice`): a one-node Identity session on the same Dawn device, asked for
// preferredOutputLocation 'gpu-buffer', turns host data into a device tensor any WebGPU session accepts.
import { createRequire } from 'node:module';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import * as ort from 'onnxruntime-node';
import type { Logger } from 'pino';
import { PipelineError } from '../pipeline-errors.js';
import {
  type ComponentInfo,
  type DeviceTensor,
  type Engine,
  type HostTensor,
  type IoInfo,
  isDeviceTensor,
} from './engine.js';
import { identityModelBytes } from './identity-model.js';
import { type BackendEntry, loadableProviders, type ProviderEnv, resolveProviders } from './providers.js';

function bindingDir(): string | undefined {
  try {
    const main = createRequire(import.meta.url).resolve('onnxruntime-node');
    return path.join(path.dirname(main), '..', 'bin', 'napi-v6', process.platform, process.arch);
  } catch {
    return undefined;
  }
}

let cachedEnv: ProviderEnv | undefined;
function providerEnv(): ProviderEnv {
  cachedEnv ??= { platform: process.platform, env: process.env, bindingDir: bindingDir() };
  return cachedEnv;
}

/** Providers whose sessions failed to load in this process; left out of `availableProviders()`. */
const failedInProcess = new Set<string>();

function backends(): BackendEntry[] {
  const list = (ort as unknown as { listSupportedBackends?: () => { name: string; bundled?: boolean }[] })
    .listSupportedBackends;
  return list
    ? list().map((b) => ({ name: b.name, bundled: b.bundled !== false }))
    : [{ name: 'cpu', bundled: true }];
}

let cachedLoadable: string[] | undefined;
function loadable(): string[] {
  cachedLoadable ??= loadableProviders(backends(), providerEnv());
  return cachedLoadable;
}

/**
 * Providers that can load here (for /health): the build's bundled backends (cpu, webgpu on Linux; webgpu only
 * with a Vulkan loader and driver), CUDA/TensorRT only when their libraries are installed, minus any that
 * already failed to create a session in this process.
 */
export function availableProviders(): string[] {
  return loadable().filter((p) => p === 'cpu' || !failedInProcess.has(p));
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
  /** Providers to try in order ('auto' expands to the platform's list); default STIPPLE_EXECUTION_PROVIDERS, else auto. */
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

function sessionOptions(provider: string, opts: OrtEngineOptions): ort.InferenceSession.SessionOptions {
  return {
    executionProviders: [provider],
    graphOptimizationLevel: 'all',
    // WebGPU: ORT warns on every session that shape ops run on the CPU, which is by design.
    ...(provider === 'webgpu' ? { logSeverityLevel: 3 as const } : {}),
    ...(opts.intraOpNumThreads ? { intraOpNumThreads: opts.intraOpNumThreads } : {}),
  };
}

async function createSession(
  name: string,
  file: ModelSource,
  providers: string[],
  opts: OrtEngineOptions,
): Promise<{ session: ort.InferenceSession; provider: string }> {
  const errors: string[] = [];
  const canLoad = loadable();
  for (const provider of providers) {
    if (provider !== 'cpu' && opts.failedProviders?.has(provider)) continue;
    if (!canLoad.includes(provider)) {
      errors.push(`${provider}: not available in this onnxruntime-node install`);
      opts.failedProviders?.add(provider);
      opts.logger.info(
        { component: name, provider, available: canLoad },
        'execution provider not available here, trying next',
      );
      continue;
    }
    try {
      const options = sessionOptions(provider, opts);
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
      if (provider !== 'cpu') failedInProcess.add(provider);
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

/** A device tensor: the ORT 'gpu-buffer' tensor stays private to this module. */
class OrtDeviceTensor implements DeviceTensor {
  readonly location = 'device' as const;
  private disposed = false;
  constructor(
    readonly tensor: ort.Tensor,
    readonly type: HostTensor['type'],
    readonly dims: readonly number[],
  ) {}
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.tensor.dispose();
  }
  get isDisposed(): boolean {
    return this.disposed;
  }
}

/** Identity sessions on the WebGPU device, one per element type, writing their output to a GPU buffer. */
class DeviceUploader {
  private sessions = new Map<string, Promise<ort.InferenceSession>>();
  constructor(private readonly opts: OrtEngineOptions) {}

  async upload(t: HostTensor): Promise<DeviceTensor> {
    let s = this.sessions.get(t.type);
    if (!s) {
      s = ort.InferenceSession.create(identityModelBytes(t.type), {
        ...sessionOptions('webgpu', this.opts),
        preferredOutputLocation: 'gpu-buffer',
      });
      this.sessions.set(t.type, s);
    }
    const out = await (await s).run({ x: new ort.Tensor(t.type, t.data, t.dims) });
    const y = out.y as ort.Tensor;
    if (y.location !== 'gpu-buffer') {
      y.dispose();
      throw new PipelineError('E_RUNTIME', `WebGPU upload returned a tensor on '${y.location}'`);
    }
    return new OrtDeviceTensor(y, t.type, t.dims);
  }

  async release(): Promise<void> {
    for (const s of this.sessions.values()) await (await s.catch(() => undefined))?.release();
    this.sessions.clear();
  }
}

export async function createOrtEngine(opts: OrtEngineOptions): Promise<Engine> {
  const providers = resolveProviders(opts.providers, loadable(), providerEnv());
  const sessions = new Map<string, ort.InferenceSession>();
  const sessionProvider = new Map<string, string>();
  const infos = new Map<string, ComponentInfo>();
  const used = new Set<string>();
  let runs = 0;
  let runMs = 0;
  try {
    for (const [name, file] of Object.entries(opts.files)) {
      const { session, provider } = await createSession(name, file, providers, opts);
      sessions.set(name, session);
      sessionProvider.set(name, provider);
      infos.set(name, { inputs: ioInfo(session.inputMetadata), outputs: ioInfo(session.outputMetadata) });
      used.add(provider);
    }
  } catch (err) {
    for (const s of sessions.values()) await s.release();
    throw err;
  }
  const executionProvider = [...used].join('+');
  const uploader = used.has('webgpu') ? new DeviceUploader(opts) : undefined;

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
      for (const [k, t] of Object.entries(feeds)) {
        if (isDeviceTensor(t)) {
          if (!(t instanceof OrtDeviceTensor) || t.isDisposed || sessionProvider.get(name) !== 'webgpu')
            throw new PipelineError(
              'E_RUNTIME',
              `${name}: input ${k} is a device tensor this session cannot read`,
            );
          ortFeeds[k] = t.tensor;
        } else ortFeeds[k] = new ort.Tensor(t.type, t.data, t.dims);
      }
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
    ...(uploader
      ? {
          async toDevice(name: string, t: HostTensor) {
            if (sessionProvider.get(name) !== 'webgpu') return undefined;
            return uploader.upload(t);
          },
        }
      : {}),
    stats: () => ({ runs, runMs }),
    async release() {
      await uploader?.release();
      for (const s of sessions.values()) await s.release();
      sessions.clear();
    },
  };
}
