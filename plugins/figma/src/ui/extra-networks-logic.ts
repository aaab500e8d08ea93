// The Figma picker's own settings for the shared LoRA / embedding logic
// (shared/prompt/extra-network-picker.ts). No DOM, so the unit tests import it in Node.

import type { z } from 'zod';
import type { WeightRange } from '../../../../shared/prompt/extra-network-picker';
import type { LoraRef } from '../../../../shared/protocol/generate-request';

export type Lora = z.output<typeof LoraRef>;

/** LoRA and embedding weights: the protocol's range, on a 0.05 grid. */
export const WEIGHT: WeightRange = { min: -4, max: 4, default: 1, step: 0.05 };
