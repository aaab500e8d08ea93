// The fake UNet the scheduler goldens were recorded with (fixtures/schedulers/README.md):
// eps(x_in, t) = tanh(x_in) * 0.3 + float32(0.01 * t / 1000), in float32.
import type { NoiseSource } from '../../../companion/pipeline/schedulers/types.js';

const f = Math.fround;

export function fakeEps(xIn: Float32Array, t: number): Float32Array {
  const c = f((0.01 * t) / 1000);
  const k = f(0.3);
  const out = new Float32Array(xIn.length);
  for (let i = 0; i < out.length; i++) out[i] = f(f(Math.tanh(xIn[i])) * k) + c;
  return out;
}

/** Wraps a NoiseSource and keeps every draw, to compare with recorded noise. */
export class RecordingNoise implements NoiseSource {
  readonly draws: Float32Array[] = [];
  constructor(private readonly inner: NoiseSource) {}
  randn(shape: number[]): Float32Array {
    const d = this.inner.randn(shape);
    this.draws.push(d);
    return d;
  }
}

/** Row `i` of a stacked tensor whose rows have `rowSize` elements. */
export function row(data: Float32Array | Float64Array, i: number, rowSize: number): Float32Array {
  return Float32Array.from(data.subarray(i * rowSize, (i + 1) * rowSize));
}
