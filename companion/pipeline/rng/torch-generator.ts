// The one seeded RNG of the pipeline: `torch.Generator('cpu').manual_seed(seed)` + `torch.randn`,
// so seed N gives the same latents (and ancestral noise) as diffusers and A1111 on CPU.
// Sources: PyTorch 1.13 aten/src/ATen/CPUGeneratorImpl.cpp (seeding, cached normal samples) and
// aten/src/ATen/native/cpu/DistributionKernels.cpp `normal_kernel` (which path a tensor takes).
// Must not: touch Math.random or any global state; every draw advances only this instance.

import { Mt19937, type Mt19937State } from './mt19937.js';
import { type NormalCache, normalFill, scalarNormal } from './torch-normal.js';

export type RandnDtype = 'float32' | 'float64';

/** Everything needed to resume a generator exactly (plain data). */
export interface TorchGeneratorState {
  engine: Mt19937State;
  nextDoubleNormal: number | null;
}

const MAX_SEED = (1n << 64n) - 1n;

function elementCount(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) {
    if (!Number.isInteger(d) || d < 0)
      throw new Error(`randn shape must hold non-negative integers, got [${shape}]`);
    n *= d;
  }
  return n;
}

export class TorchGenerator {
  private readonly engine = new Mt19937();
  private readonly cache: NormalCache = { nextDouble: null };
  private seedValue = 67280421310721n; // torch's default_rng_seed_val

  constructor(seed: number | bigint = 67280421310721n) {
    this.manualSeed(seed);
  }

  /** `Generator.manual_seed(seed)`: seeds in [0, 2^64 - 1]; the engine keeps the low 32 bits, like torch. */
  manualSeed(seed: number | bigint): this {
    if (typeof seed === 'number' && !Number.isSafeInteger(seed)) {
      throw new Error(`seed must be an integer in [0, 2^64-1] (use a bigint above 2^53), got ${seed}`);
    }
    const big = BigInt(seed);
    if (big < 0n || big > MAX_SEED) throw new Error(`seed must be in [0, 2^64-1], got ${big}`);
    this.seedValue = big;
    this.engine.seed(Number(big & 0xffffffffn));
    this.cache.nextDouble = null;
    return this;
  }

  /** The seed last given to `manualSeed` (`Generator.initial_seed()`). */
  initialSeed(): bigint {
    return this.seedValue;
  }

  /** `torch.randn(shape, generator=this, dtype)` on CPU, contiguous. */
  randn(shape: number[]): Float32Array;
  randn(shape: number[], dtype: 'float32'): Float32Array;
  randn(shape: number[], dtype: 'float64'): Float64Array;
  randn(shape: number[], dtype: RandnDtype = 'float32'): Float32Array | Float64Array {
    const size = elementCount(shape);
    const out = dtype === 'float64' ? new Float64Array(size) : new Float32Array(size);
    if (size >= 16) return normalFill(this.engine, out);
    for (let i = 0; i < size; i++) out[i] = scalarNormal(this.engine, this.cache);
    return out;
  }

  getState(): TorchGeneratorState {
    return { engine: this.engine.getState(), nextDoubleNormal: this.cache.nextDouble };
  }

  setState(state: TorchGeneratorState): void {
    this.engine.setState(state.engine);
    this.cache.nextDouble = state.nextDoubleNormal;
  }

  /** An independent copy that continues from the same point. */
  clone(): TorchGenerator {
    const copy = new TorchGenerator(this.seedValue);
    copy.setState(this.getState());
    return copy;
  }
}
