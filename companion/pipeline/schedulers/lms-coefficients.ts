// Linear multistep coefficients: the integral over [sigmas[i], sigmas[i+1]] of the Lagrange basis
// polynomial through the last `order` sigmas (k-diffusion `linear_multistep_coeff`, diffusers
// scheduling_lms_discrete.py `get_lms_coefficient`). Both integrate with scipy's adaptive quad; the
// integrand is a polynomial of degree < 4, so 4-point Gauss-Legendre is exact up to rounding.

const GAUSS_NODES = [-0.8611363115940526, -0.3399810435848563, 0.3399810435848563, 0.8611363115940526];
const GAUSS_WEIGHTS = [0.3478548451374538, 0.6521451548625461, 0.6521451548625461, 0.3478548451374538];

/**
 * Coefficient for the derivative `j` steps back (j = 0 is the newest), at step `i` of `sigmas`.
 * `sigmas` are the schedule values the reference reads (float32 in both diffusers and k-diffusion).
 */
export function lmsCoefficient(order: number, sigmas: ArrayLike<number>, i: number, j: number): number {
  if (order - 1 > i) throw new Error(`LMS order ${order} is too high for step ${i}`);
  const basis = (tau: number) => {
    let prod = 1;
    for (let k = 0; k < order; k++) {
      if (k === j) continue;
      prod *= (tau - sigmas[i - k]) / (sigmas[i - j] - sigmas[i - k]);
    }
    return prod;
  };
  const a = sigmas[i];
  const b = sigmas[i + 1];
  const half = (b - a) / 2;
  const mid = (a + b) / 2;
  let sum = 0;
  for (let q = 0; q < GAUSS_NODES.length; q++) sum += GAUSS_WEIGHTS[q] * basis(mid + half * GAUSS_NODES[q]);
  return sum * half;
}
