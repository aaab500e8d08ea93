// 32-bit Mersenne Twister with PyTorch's seeding, the engine behind torch.Generator('cpu').
// Source of the algorithm: Matsumoto & Nishimura, "Mersenne Twister: a 623-dimensionally
// equidistributed uniform pseudo-random number generator" (1998), and PyTorch's
// aten/src/ATen/core/MT19937RNGEngine.h, whose `init_with_uint32` keeps only the low 32 bits of
// the 64-bit seed. Integer-only: Math.imul and `>>> 0` keep every value an exact uint32.

const N = 624;
const M = 397;
const MATRIX_A = 0x9908b0df;
const UPPER_MASK = 0x80000000;
const LOWER_MASK = 0x7fffffff;

/** A snapshot of the engine, plain data so it can be copied or serialised. */
export interface Mt19937State {
  state: Uint32Array;
  /** Index of the next word to temper; N means the block must be regenerated first. */
  next: number;
}

export class Mt19937 {
  private readonly mt = new Uint32Array(N);
  private next = N;

  constructor(seed = 5489) {
    this.seed(seed);
  }

  /** PyTorch `mt19937(seed)`: only `seed & 0xffffffff` is used. */
  seed(seed32: number): void {
    const mt = this.mt;
    mt[0] = seed32 >>> 0;
    for (let i = 1; i < N; i++) {
      const prev = mt[i - 1];
      mt[i] = (Math.imul(1812433253, prev ^ (prev >>> 30)) + i) >>> 0;
    }
    this.next = N;
  }

  /** Next tempered uint32 (`mt19937::operator()`). */
  nextUint32(): number {
    if (this.next >= N) this.twist();
    let y = this.mt[this.next++];
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y >>> 0;
  }

  getState(): Mt19937State {
    return { state: this.mt.slice(), next: this.next };
  }

  setState(s: Mt19937State): void {
    if (s.state.length !== N) throw new Error(`mt19937 state must have ${N} words, got ${s.state.length}`);
    this.mt.set(s.state);
    this.next = s.next;
  }

  /** Regenerates the 624-word block (MT19937 `next_state`). */
  private twist(): void {
    const mt = this.mt;
    for (let i = 0; i < N; i++) {
      const y = (mt[i] & UPPER_MASK) | (mt[(i + 1) % N] & LOWER_MASK);
      mt[i] = (mt[(i + M) % N] ^ (y >>> 1) ^ (y & 1 ? MATRIX_A : 0)) >>> 0;
    }
    this.next = 0;
  }
}
