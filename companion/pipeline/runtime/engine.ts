// The seam between the pipeline and an inference runtime. The denoise loop, the text encoder and the VAE
// only see this interface, so they run against ONNX Runtime (ort-engine.ts) or a small fake in tests.
// Must not import onnxruntime-node.

export type TensorType = 'float32' | 'float16' | 'int32' | 'int64';

export type TensorData = Float32Array | Uint16Array | Int32Array | BigInt64Array;

/** A tensor on the host: C-order data, dims, element type (float16 data is raw IEEE half bits). */
export interface HostTensor {
  type: TensorType;
  data: TensorData;
  dims: readonly number[];
}

/**
 * A tensor held in device memory by the engine (a WebGPU buffer), made by `Engine.toDevice`. Feed it to `run`
 * in place of the host tensor it was made from; the caller owns it and must `dispose()` it.
 */
export interface DeviceTensor {
  readonly location: 'device';
  readonly type: TensorType;
  readonly dims: readonly number[];
  dispose(): void;
}

export type FeedTensor = HostTensor | DeviceTensor;

export function isDeviceTensor(t: FeedTensor): t is DeviceTensor {
  return (t as DeviceTensor).location === 'device';
}

export interface IoInfo {
  name: string;
  /** Element type as ORT reports it ('float32', 'float16', 'int32', 'int64', ...). */
  type: string;
  /** Symbolic dims are strings (e.g. 'batch'), fixed ones numbers; [] for a rank-0 scalar. */
  shape: readonly (number | string)[];
}

export interface ComponentInfo {
  inputs: readonly IoInfo[];
  outputs: readonly IoInfo[];
}

export interface EngineRunStats {
  runs: number;
  runMs: number;
}

export interface Engine {
  /** Execution provider the sessions run on ('cpu', 'cuda', 'webgpu'; 'webgpu+cpu' when mixed). */
  readonly executionProvider: string;
  has(component: string): boolean;
  info(component: string): ComponentInfo;
  /** Outputs always come back on the host. */
  run(component: string, feeds: Record<string, FeedTensor>): Promise<Record<string, HostTensor>>;
  /**
   * Copies `t` into device memory once, for inputs that repeated runs of `component` share (the text
   * conditioning of every denoising step). Undefined (or resolving to undefined) when that component's
   * session runs on the host: feed the host tensor then.
   */
  toDevice?(component: string, t: HostTensor): Promise<DeviceTensor | undefined>;
  /** Cumulative time spent inside `run` (for the overhead figure of the benchmark). */
  stats(): EngineRunStats;
  release(): Promise<void>;
}

export function f32(data: Float32Array, dims: readonly number[]): HostTensor {
  return { type: 'float32', data, dims };
}
