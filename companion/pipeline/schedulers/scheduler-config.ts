// Resolves a model's scheduler_config.json (any subset of keys) into the full config a scheduler
// class reads, with that class's diffusers v0.25.1 defaults for the keys the file leaves out.
// Validation names the key, the value and the rule, so a bad model folder is diagnosable.

import { alphasCumprodFromBetas, makeBetas } from './beta-schedule.js';
import type { SchedulerConfig } from './types.js';

/** Defaults shared by most diffusers scheduler classes (`__init__` keyword defaults). */
const BASE_DEFAULTS: SchedulerConfig = {
  num_train_timesteps: 1000,
  beta_start: 0.0001,
  beta_end: 0.02,
  beta_schedule: 'linear',
  trained_betas: null,
  prediction_type: 'epsilon',
  timestep_spacing: 'linspace',
  steps_offset: 0,
  set_alpha_to_one: true,
  clip_sample: false,
  clip_sample_range: 1,
  rescale_betas_zero_snr: false,
  use_karras_sigmas: false,
  solver_order: 2,
  lower_order_final: true,
  algorithm_type: 'dpmsolver++',
  solver_type: '',
  euler_at_final: false,
  timestep_scaling: 10,
  original_inference_steps: 50,
};

const ENUMS: Partial<Record<keyof SchedulerConfig, readonly string[]>> = {
  beta_schedule: ['linear', 'scaled_linear', 'squaredcos_cap_v2'],
  prediction_type: ['epsilon', 'v_prediction', 'sample'],
  timestep_spacing: ['leading', 'linspace', 'trailing'],
};

/**
 * Merges `given` over the class defaults (`classDefaults` over BASE_DEFAULTS). Keys that are present
 * but null (diffusers writes `"trained_betas": null`) count as absent, except `trained_betas`.
 */
export function resolveConfig(
  given: Partial<SchedulerConfig>,
  classDefaults: Partial<SchedulerConfig> = {},
): SchedulerConfig {
  const out = { ...BASE_DEFAULTS, ...classDefaults } as Record<string, unknown>;
  for (const key of Object.keys(BASE_DEFAULTS)) {
    const v = (given as Record<string, unknown>)[key];
    if (v !== undefined && (v !== null || key === 'trained_betas')) out[key] = v;
  }
  const config = out as unknown as SchedulerConfig;
  for (const [key, allowed] of Object.entries(ENUMS)) {
    const v = out[key];
    if (typeof v !== 'string' || !allowed.includes(v)) {
      throw new Error(
        `scheduler config \`${key}\` must be one of ${allowed.join(', ')}, got ${JSON.stringify(v)}`,
      );
    }
  }
  if (!Number.isInteger(config.num_train_timesteps) || config.num_train_timesteps < 2) {
    throw new Error(
      `scheduler config \`num_train_timesteps\` must be an integer >= 2, got ${config.num_train_timesteps}`,
    );
  }
  if (!Number.isInteger(config.steps_offset) || config.steps_offset < 0) {
    throw new Error(
      `scheduler config \`steps_offset\` must be a non-negative integer, got ${config.steps_offset}`,
    );
  }
  return config;
}

/** Training-time quantities every scheduler derives in `__init__`. */
export interface TrainingSchedule {
  betas: Float32Array;
  alphasCumprod: Float32Array;
  /** DDIM/PNDM/LCM `final_alpha_cumprod`: 1 with `set_alpha_to_one`, else alphas_cumprod[0]. */
  finalAlphaCumprod: number;
}

export function trainingSchedule(config: SchedulerConfig): TrainingSchedule {
  const betas = makeBetas(config);
  const alphasCumprod = alphasCumprodFromBetas(betas);
  return { betas, alphasCumprod, finalAlphaCumprod: config.set_alpha_to_one ? 1 : alphasCumprod[0] };
}

/** Checks the user-visible step count against the schedule. */
export function checkSteps(steps: number, config: SchedulerConfig): void {
  if (!Number.isInteger(steps) || steps < 1 || steps > config.num_train_timesteps) {
    throw new Error(`steps must be an integer in [1, ${config.num_train_timesteps}], got ${steps}`);
  }
}
