// The samplers Stipple offers: stable ids (protocol values), the AUTOMATIC1111 label written into PNG
// `parameters` metadata and shown in UIs, and which reference implementation the numerics follow.
// Data only; createScheduler (create-scheduler.ts) builds them.

import type { SamplerId } from './types.js';

export interface SamplerInfo {
  id: SamplerId;
  /** AUTOMATIC1111's sampler name, as in its `Sampler:` infotext field. */
  a1111Label: string;
  /** The reference the numerics follow. */
  reference: string;
  /** Draws noise from the job's generator during sampling (results depend on the seed beyond the start). */
  stochastic: boolean;
  /** Model evaluations per user-visible step (for time estimates). */
  evaluationsPerStep: 1 | 2;
}

export const SAMPLERS: readonly SamplerInfo[] = [
  {
    id: 'euler',
    a1111Label: 'Euler',
    reference: 'diffusers EulerDiscreteScheduler',
    stochastic: false,
    evaluationsPerStep: 1,
  },
  {
    id: 'euler_a',
    a1111Label: 'Euler a',
    reference: 'diffusers EulerAncestralDiscreteScheduler',
    stochastic: true,
    evaluationsPerStep: 1,
  },
  {
    id: 'ddim',
    a1111Label: 'DDIM',
    reference: 'diffusers DDIMScheduler (eta 0)',
    stochastic: false,
    evaluationsPerStep: 1,
  },
  {
    id: 'dpmpp_2m',
    a1111Label: 'DPM++ 2M',
    reference: 'diffusers DPMSolverMultistepScheduler (dpmsolver++, order 2)',
    stochastic: false,
    evaluationsPerStep: 1,
  },
  {
    id: 'dpmpp_2m_karras',
    a1111Label: 'DPM++ 2M Karras',
    reference: 'diffusers DPMSolverMultistepScheduler (use_karras_sigmas)',
    stochastic: false,
    evaluationsPerStep: 1,
  },
  {
    id: 'dpmpp_2s_a_karras',
    a1111Label: 'DPM++ 2S a Karras',
    reference: 'k-diffusion sample_dpmpp_2s_ancestral, Karras sigmas',
    stochastic: true,
    evaluationsPerStep: 2,
  },
  {
    id: 'dpmpp_sde_karras',
    a1111Label: 'DPM++ SDE Karras',
    reference: 'k-diffusion sample_dpmpp_sde, Karras sigmas',
    stochastic: true,
    evaluationsPerStep: 2,
  },
  {
    id: 'heun',
    a1111Label: 'Heun',
    reference: 'diffusers HeunDiscreteScheduler',
    stochastic: false,
    evaluationsPerStep: 2,
  },
  {
    id: 'lms',
    a1111Label: 'LMS',
    reference: 'diffusers LMSDiscreteScheduler',
    stochastic: false,
    evaluationsPerStep: 1,
  },
  {
    id: 'unipc',
    a1111Label: 'UniPC',
    reference: 'diffusers UniPCMultistepScheduler (bh2, order 2)',
    stochastic: false,
    evaluationsPerStep: 1,
  },
  {
    id: 'lcm',
    a1111Label: 'LCM',
    reference: 'diffusers LCMScheduler',
    stochastic: true,
    evaluationsPerStep: 1,
  },
  {
    id: 'pndm',
    a1111Label: 'PLMS',
    reference: 'diffusers PNDMScheduler (skip_prk_steps)',
    stochastic: false,
    evaluationsPerStep: 1,
  },
];

const BY_ID = new Map(SAMPLERS.map((s) => [s.id, s]));
const BY_LABEL = new Map(SAMPLERS.map((s) => [s.a1111Label.toLowerCase(), s]));

export function isSamplerId(value: unknown): value is SamplerId {
  return typeof value === 'string' && BY_ID.has(value as SamplerId);
}

export function samplerInfo(id: SamplerId): SamplerInfo {
  const info = BY_ID.get(id);
  if (!info)
    throw new Error(
      `sampler must be one of ${SAMPLERS.map((s) => s.id).join(', ')}, got ${JSON.stringify(id)}`,
    );
  return info;
}

/** Reads an A1111 label (e.g. from PNG info) back to an id; case-insensitive; undefined when unknown. */
export function samplerIdFromLabel(label: string): SamplerId | undefined {
  return BY_LABEL.get(label.trim().toLowerCase())?.id;
}
