// Casts host tensors to the element type a session declares, so callers build float32/number data once and
// never assume an export's dtypes (timestep may be int64, float32 or float16; ids int32 or int64).
import type { HostTensor, TensorData, TensorType } from './engine.js';
import { float32ToHalf, halfToFloat32 } from './float16.js';

export function castFloat(data: Float32Array, dims: readonly number[], type: string): HostTensor {
  switch (type) {
    case 'float32':
      return { type: 'float32', data, dims };
    case 'float16':
      return { type: 'float16', data: float32ToHalf(data), dims };
    case 'int64':
      return { type: 'int64', data: BigInt64Array.from(data, (v) => BigInt(Math.trunc(v))), dims };
    case 'int32':
      return { type: 'int32', data: Int32Array.from(data, (v) => Math.trunc(v)), dims };
    default:
      throw new Error(`unsupported input element type ${type}`);
  }
}

export function castInts(values: ArrayLike<number>, dims: readonly number[], type: string): HostTensor {
  switch (type) {
    case 'int32':
      return { type: 'int32', data: Int32Array.from(values as ArrayLike<number>), dims };
    case 'int64':
      return { type: 'int64', data: BigInt64Array.from(Array.from(values), (v) => BigInt(v)), dims };
    default:
      return castFloat(Float32Array.from(values), dims, type);
  }
}

/** Any floating/integer output as float32 (a copy only when the type differs). */
export function toFloat32(t: HostTensor): Float32Array {
  const d: TensorData = t.data;
  if (d instanceof Float32Array) return d;
  if (t.type === 'float16') return halfToFloat32(d as Uint16Array);
  if (d instanceof BigInt64Array) return Float32Array.from(d, (v) => Number(v));
  return Float32Array.from(d as Int32Array);
}

export function isFloatType(type: string): type is TensorType {
  return type === 'float32' || type === 'float16';
}
