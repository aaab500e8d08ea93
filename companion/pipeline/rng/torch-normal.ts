// PyTorch's two CPU normal-sampling paths, written against an Mt19937 so they stay pure.
// Sources: aten/src/ATen/native/cpu/DistributionTemplates.h (`normal_fill`, `normal_fill_16`,
// the AVX2 variant used for contiguous float32) and aten/src/ATen/core/DistributionsHelper.h
// (`uniform_real_distribution`, `normal_distribution` with its cached second Box-Muller value)
// as of PyTorch 1.13. Tensors with >= 16 elements take the block path; smaller ones the scalar path.

import type { Mt19937 } from './mt19937.js';

const TWO_POW_M24 = 2 ** -24;
const TWO_POW_M53 = 2 ** -53;
const TWO_POW_32 = 2 ** 32;
/** `2 * pi` rounded to float32, as the AVX2 kernel broadcasts it. */
const TWO_PI_F32 = Math.fround(2 * Math.PI);

/** `uniform_real_distribution<float>(0,1)`: 24 low bits of one uint32. */
export function uniformFloat(engine: Mt19937): number {
  return (engine.nextUint32() & 0xffffff) * TWO_POW_M24;
}

/** `uniform_real_distribution<double>(0,1)`: 53 low bits of `random64()` = (first << 32) | second. */
export function uniformDouble(engine: Mt19937): number {
  const hi = engine.nextUint32();
  const lo = engine.nextUint32();
  return ((hi & 0x1fffff) * TWO_POW_32 + lo) * TWO_POW_M53;
}

/** Box-Muller on one block of 16 uniforms, in float32 (`normal_fill_16_AVX2`). */
function boxMuller16Float(data: Float32Array, at: number): void {
  const f = Math.fround;
  for (let j = 0; j < 8; j++) {
    const u1 = f(1 - data[at + j]);
    const u2 = data[at + j + 8];
    const radius = f(Math.sqrt(f(-2 * f(Math.log(u1)))));
    const theta = f(TWO_PI_F32 * u2);
    data[at + j] = f(radius * f(Math.cos(theta)));
    data[at + j + 8] = f(radius * f(Math.sin(theta)));
  }
}

/** Box-Muller on one block of 16 uniforms, in float64 (`normal_fill_16<double>`). */
function boxMuller16Double(data: Float64Array, at: number): void {
  for (let j = 0; j < 8; j++) {
    const u1 = 1 - data[at + j];
    const u2 = data[at + j + 8];
    const radius = Math.sqrt(-2 * Math.log(u1));
    const theta = 2 * Math.PI * u2;
    data[at + j] = radius * Math.cos(theta);
    data[at + j + 8] = radius * Math.sin(theta);
  }
}

/**
 * `normal_fill`: fill with uniforms, transform each whole block of 16, and when the size is not a
 * multiple of 16, draw 16 fresh uniforms over the last 16 slots and transform them again.
 */
export function normalFill<T extends Float32Array | Float64Array>(engine: Mt19937, out: T): T {
  const size = out.length;
  const isFloat = out instanceof Float32Array;
  const uniform = isFloat ? uniformFloat : uniformDouble;
  for (let i = 0; i < size; i++) out[i] = uniform(engine);
  for (let i = 0; i + 16 <= size; i += 16) {
    if (isFloat) boxMuller16Float(out as Float32Array, i);
    else boxMuller16Double(out as Float64Array, i);
  }
  if (size % 16 !== 0) {
    const tail = size - 16;
    for (let i = 0; i < 16; i++) out[tail + i] = uniform(engine);
    if (isFloat) boxMuller16Float(out as Float32Array, tail);
    else boxMuller16Double(out as Float64Array, tail);
  }
  return out;
}

/** Holder for the cached second Box-Muller value of the scalar path (`next_double_normal_sample`). */
export interface NormalCache {
  nextDouble: number | null;
}

/** `normal_distribution<double>(0,1)` as used for small tensors of any dtype. */
export function scalarNormal(engine: Mt19937, cache: NormalCache): number {
  if (cache.nextDouble !== null) {
    const v = cache.nextDouble;
    cache.nextDouble = null;
    return v;
  }
  const u1 = uniformDouble(engine);
  const u2 = uniformDouble(engine);
  const r = Math.sqrt(-2 * Math.log1p(-u2));
  const theta = 2 * Math.PI * u1;
  cache.nextDouble = r * Math.sin(theta);
  return r * Math.cos(theta);
}
