// The panel's remembered settings, stored by the sandbox in figma.clientStorage as JSON text
// and validated here on load (an old or edited value must not break the panel).

import * as z from 'zod/mini';

export const Prefs = z.object({
  port: z.optional(z.number().check(z.int(), z.minimum(1), z.maximum(65535))),
  prompt: z.optional(z.string()),
  negative: z.optional(z.string()),
  preset: z.optional(z.string()),
  model: z.optional(z.string()),
  sampler: z.optional(z.string()),
  steps: z.optional(z.number()),
  cfg: z.optional(z.number()),
  width: z.optional(z.number()),
  height: z.optional(z.number()),
  batch: z.optional(z.number()),
  strength: z.optional(z.number()),
  maskBlur: z.optional(z.number()),
  maxSide: z.optional(z.number()),
  seed: z.optional(z.number()),
  seedLocked: z.optional(z.boolean()),
  /** Checked LoRAs and their weights. */
  loras: z.optional(
    z.array(z.object({ name: z.string().check(z.minLength(1), z.maxLength(128)), weight: z.number() })),
  ),
});
export type Prefs = z.infer<typeof Prefs>;

export const DEFAULT_PORT = 7787;

export function parsePrefs(text: string | null): Prefs {
  if (!text) return {};
  try {
    const r = Prefs.safeParse(JSON.parse(text));
    return r.success ? r.data : {};
  } catch {
    return {};
  }
}
