// The training noise schedule every scheduler starts from: betas -> alphas_cumprod, computed the way
// diffusers v0.25.1 does in float32 torch (scheduling_ddim.py `__init__`, `betas_for_alpha_bar`,
// `rescale_zero_terminal_snr`), plus the LDM/CompVis float64 recipe that k-diffusion wrappers see.
// Must not: allocate per step; callers compute this once per scheduler.

import type { BetaSchedule } from './types.js';

const f = Math.fround;

/**
 * `torch.linspace(start, end, steps, dtype=float32)` on CPU (aten/src/ATen/native/cpu/RangeFactoriesKernel.cpp
 * in torch 1.13 with AVX2): float32 step; the first half counts up from `start`, the second half down from
 * `end`; contiguous runs of 16 are produced as two 8-lane `Vectorized::arange(base, step)` whose `base` is
 * a fused multiply-add; the remainder goes element by element. Checked bit-exact against diffusers' betas.
 */
export function torchLinspaceF32(start: number, end: number, steps: number): Float32Array {
  const out = new Float32Array(steps);
  if (steps === 1) {
    out[0] = start;
    return out;
  }
  const s = f(start);
  const e = f(end);
  const step = f(f(e - s) / (steps - 1));
  const halfway = Math.floor(steps / 2);
  // step * i is exact in double (24-bit by < 31-bit), so one fround models the FMA's single rounding.
  const at = (i: number) => (i < halfway ? f(s + step * i) : f(e - step * (steps - i - 1)));
  const lanes = 8;
  let i = 0;
  for (; i + 2 * lanes <= steps; i += 2 * lanes) {
    for (let v = i; v < i + 2 * lanes; v += lanes) {
      const base = at(v);
      for (let k = 0; k < lanes; k++) out[v + k] = f(base + f(k * step));
    }
  }
  for (; i < steps; i++) out[i] = at(i);
  return out;
}

/** Cosine schedule of Nichol & Dhariwal (2021), diffusers `betas_for_alpha_bar(alpha_transform_type="cosine")`. */
function cosineBetas(n: number, maxBeta = 0.999): Float32Array {
  const alphaBar = (t: number) => Math.cos(((t + 0.008) / 1.008) * (Math.PI / 2)) ** 2;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.min(1 - alphaBar((i + 1) / n) / alphaBar(i / n), maxBeta);
  return out;
}

export interface BetaConfig {
  num_train_timesteps: number;
  beta_start: number;
  beta_end: number;
  beta_schedule: BetaSchedule;
  trained_betas: number[] | null;
  rescale_betas_zero_snr: boolean;
}

export function makeBetas(c: BetaConfig): Float32Array {
  const n = c.num_train_timesteps;
  if (c.trained_betas) return Float32Array.from(c.trained_betas);
  let betas: Float32Array;
  switch (c.beta_schedule) {
    case 'linear':
      betas = torchLinspaceF32(c.beta_start, c.beta_end, n);
      break;
    case 'scaled_linear':
      betas = torchLinspaceF32(Math.sqrt(c.beta_start), Math.sqrt(c.beta_end), n).map((b) => f(b * b));
      break;
    case 'squaredcos_cap_v2':
      betas = cosineBetas(n);
      break;
    default:
      throw new Error(
        `beta_schedule must be linear, scaled_linear or squaredcos_cap_v2, got ${c.beta_schedule}`,
      );
  }
  return c.rescale_betas_zero_snr ? rescaleZeroTerminalSnr(betas) : betas;
}

/** `torch.cumprod` on CPU accumulates float32 input in double and rounds each output. */
export function cumprodF32(values: Float32Array): Float32Array {
  const out = new Float32Array(values.length);
  let acc = 1;
  for (let i = 0; i < values.length; i++) {
    acc *= values[i];
    out[i] = acc;
  }
  return out;
}

export function alphasCumprodFromBetas(betas: Float32Array): Float32Array {
  return cumprodF32(betas.map((b) => f(1 - b)));
}

/** Lin et al. (2023), "Common Diffusion Noise Schedules and Sample Steps are Flawed", Algorithm 1. */
export function rescaleZeroTerminalSnr(betas: Float32Array): Float32Array {
  const sqrtBar = alphasCumprodFromBetas(betas).map((a) => f(Math.sqrt(a)));
  const first = sqrtBar[0];
  const last = sqrtBar[sqrtBar.length - 1];
  const scale = f(first / f(first - last));
  const bar = sqrtBar.map((v) => {
    const shifted = f(f(v - last) * scale);
    return f(shifted * shifted);
  });
  const out = new Float32Array(betas.length);
  out[0] = f(1 - bar[0]);
  for (let i = 1; i < bar.length; i++) out[i] = f(1 - f(bar[i] / bar[i - 1]));
  return out;
}

/**
 * The LDM/CompVis recipe A1111's k-diffusion wrapper sees: `linspace(sqrt(b0), sqrt(b1), n)**2` and the
 * cumulative product in float64, cast to float32 at the end (ldm/models/diffusion/ddpm.py `register_schedule`).
 */
export function ldmAlphasCumprod(betaStart: number, betaEnd: number, n: number): Float32Array {
  const a = Math.sqrt(betaStart);
  const b = Math.sqrt(betaEnd);
  const step = (b - a) / (n - 1);
  const halfway = Math.floor(n / 2);
  const out = new Float32Array(n);
  let acc = 1;
  for (let i = 0; i < n; i++) {
    const root = i < halfway ? a + step * i : b - step * (n - i - 1);
    acc *= 1 - root * root;
    out[i] = acc;
  }
  return out;
}
