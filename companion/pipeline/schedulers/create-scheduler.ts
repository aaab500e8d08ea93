// Builds the scheduler for a sampler id from a model's scheduler_config.json. The only place that
// maps ids to classes; see sampler-catalog.ts for the user-facing labels.

import { EulerDiscreteScheduler } from './euler-discrete.js';
import type { CreateScheduler } from './types.js';

export const createScheduler: CreateScheduler = (id, config, steps, opts = {}) => {
  switch (id) {
    case 'euler':
      return new EulerDiscreteScheduler(config, steps, opts);
    default:
      throw new Error(`sampler must be a known id, got ${JSON.stringify(id)}`);
  }
};
