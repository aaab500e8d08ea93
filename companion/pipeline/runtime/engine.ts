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
  /** Execution provider the sessions run on ('cpu', 'cuda', ...). */
  readonly executionProvider: string;
  has(component: string): boolean;
  info(component: string): ComponentInfo;
  run(component: string, feeds: Record<string, HostTensor>): Promise<Record<string, HostTensor>>;
  /** Cumulative time spent inside `run` (for the overhead figure of the benchmark). */
  stats(): EngineRunStats;
  release(): Promise<void>;
}

export function f32(data: Float32Array, dims: readonly number[]): HostTensor {
  return { type: 'float32', data, dims };
}
