// Builds the scheduler for a sampler id from a model's scheduler_config.json. The only place that
// maps ids to classes; see sampler-catalog.ts for the user-facing labels.

import { DdimScheduler } from './ddim.js';
import { DpmSolverMultistepScheduler } from './dpm-solver-multistep.js';
import { EulerDiscreteScheduler } from './euler-discrete.js';
import type { CreateScheduler } from './types.js';

export const createScheduler: CreateScheduler = (id, config, steps, opts = {}) => {
  switch (id) {
    case 'euler':
      return new EulerDiscreteScheduler(config, steps, opts);
    case 'ddim':
      return new DdimScheduler(config, steps, opts);
    case 'dpmpp_2m':
      return new DpmSolverMultistepScheduler({ ...config, use_karras_sigmas: false }, steps, opts, id);
    case 'dpmpp_2m_karras':
      return new DpmSolverMultistepScheduler({ ...config, use_karras_sigmas: true }, steps, opts, id);
    default:
      throw new Error(`sampler must be a known id, got ${JSON.stringify(id)}`);
  }
};
