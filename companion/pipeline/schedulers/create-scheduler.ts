// Builds the scheduler for a sampler id from a model's scheduler_config.json. The only place that
// maps ids to classes; see sampler-catalog.ts for the user-facing labels. The ids fix what their
// name says (Karras or not, DPM-Solver++ order 2) whatever the model's config holds.
//
// Driving it (diffusers' loop; one TorchGenerator for every draw):
//   const s = createScheduler(id, config, steps, { strength });          // strength only for img2img
//   let x = img2img ? s.addNoise(imageLatents, gen.randn(shape), s.beginIndex)
//                   : gen.randn(shape).map((v) => Math.fround(v * s.initNoiseSigma));
//   for (let i = s.beginIndex; i < s.timesteps.length; i++) {
//     const xIn = s.scaleModelInput(x, i);                                // UNet timestep: s.timesteps[i]
//     const eps = cfg(unet(xIn, s.timesteps[i], uncond), unet(xIn, s.timesteps[i], cond));
//     x = s.step(eps, i, x, gen, shape).prevSample;                       // progress: s.stepOf(i) of s.steps
//   }

import { DdimScheduler } from './ddim.js';
import { DpmSolverMultistepScheduler } from './dpm-solver-multistep.js';
import { EulerAncestralDiscreteScheduler } from './euler-ancestral-discrete.js';
import { EulerDiscreteScheduler } from './euler-discrete.js';
import { HeunDiscreteScheduler } from './heun-discrete.js';
import { KDiffusionScheduler } from './kdiffusion-sampler.js';
import { LcmScheduler } from './lcm.js';
import { LmsDiscreteScheduler } from './lms-discrete.js';
import { PndmScheduler } from './pndm.js';
import type { CreateScheduler } from './types.js';
import { UniPcMultistepScheduler } from './unipc-multistep.js';

export const createScheduler: CreateScheduler = (id, config, steps, opts = {}) => {
  switch (id) {
    case 'euler':
      return new EulerDiscreteScheduler({ ...config, use_karras_sigmas: false }, steps, opts);
    case 'euler_a':
      return new EulerAncestralDiscreteScheduler(config, steps, opts);
    case 'heun':
      return new HeunDiscreteScheduler({ ...config, use_karras_sigmas: false }, steps, opts);
    case 'lms':
      return new LmsDiscreteScheduler({ ...config, use_karras_sigmas: false }, steps, opts);
    case 'dpmpp_2s_a_karras':
      return new KDiffusionScheduler('dpmpp_2s_ancestral', config, steps, 'karras', opts, id);
    case 'dpmpp_sde_karras':
      return new KDiffusionScheduler('dpmpp_sde', config, steps, 'karras', opts, id);
    case 'ddim':
      return new DdimScheduler(config, steps, opts);
    case 'dpmpp_2m':
      return new DpmSolverMultistepScheduler(
        { ...config, algorithm_type: 'dpmsolver++', solver_order: 2, use_karras_sigmas: false },
        steps,
        opts,
        id,
      );
    case 'dpmpp_2m_karras':
      return new DpmSolverMultistepScheduler(
        { ...config, algorithm_type: 'dpmsolver++', solver_order: 2, use_karras_sigmas: true },
        steps,
        opts,
        id,
      );
    case 'unipc':
      return new UniPcMultistepScheduler({ ...config, use_karras_sigmas: false }, steps, opts);
    case 'lcm':
      return new LcmScheduler(config, steps, opts);
    case 'pndm':
      return new PndmScheduler(config, steps, opts);
    default:
      throw new Error(`sampler must be a known id, got ${JSON.stringify(id)}`);
  }
};
