// The parameters saved on a generated layer (pluginData, written by the sandbox as the UI
// sends them): the request exactly as the daemon ran it, with the image's own seed, and the
// A1111 infotext for "copy parameters". Validated against the protocol when read back.

import * as z from 'zod';
import { GenerateRequest } from '../../../../shared/protocol/generate-request';

export const StoredParams = z.object({
  version: z.literal(1),
  params: GenerateRequest,
  infotext: z.string(),
});
export type StoredParams = z.infer<typeof StoredParams>;

export function encodeStoredParams(params: GenerateRequest, seed: number, infotext: string): string {
  // One image per layer: its own seed, batch 1. Attachment refs stay (the schema requires them
  // for image modes); a new job always sends fresh attachments from the current selection.
  return JSON.stringify({ version: 1, params: { ...params, seed, batch: 1 }, infotext });
}

export function decodeStoredParams(text: string): StoredParams | null {
  try {
    const r = StoredParams.safeParse(JSON.parse(text));
    return r.success ? r.data : null;
  } catch {
    return null;
  }
}

/** A1111's infotext names the seed of the first image; each layer shows its own. */
export function infotextWithSeed(infotext: string, seed: number): string {
  return infotext.replace(/Seed: -?\d+/, `Seed: ${seed}`);
}
