// The prompt history's entries (prompt-history.ts renders them): each generated result's request
// as the daemon ran it and a small thumbnail, newest first, validated when loaded from
// clientStorage and bounded in count and size. No DOM.

import * as z from 'zod';
import { GenerateRequest } from '../../../../shared/protocol/generate-request';
import { MAX_HISTORY_CHARS } from '../contract/plugin-messages';

export const HistoryEntry = z.object({
  /** When it was generated (ms since the epoch). */
  at: z.number(),
  params: GenerateRequest,
  /** A JPEG data URL, at most THUMB_SIDE px. */
  thumb: z.string().max(40_000).startsWith('data:image/'),
});
export type HistoryEntry = z.infer<typeof HistoryEntry>;

export const MAX_ENTRIES = 40;
export const THUMB_SIDE = 64;

/** Parses stored history, dropping entries that no longer validate (an old or edited value). */
export function parseHistory(text: string | null | undefined): HistoryEntry[] {
  if (!text) return [];
  try {
    const raw: unknown = JSON.parse(text);
    if (!Array.isArray(raw)) return [];
    return raw.flatMap((e) => {
      const r = HistoryEntry.safeParse(e);
      return r.success ? [r.data] : [];
    });
  } catch {
    return [];
  }
}

/** The list with `entry` in front, at most MAX_ENTRIES, and small enough to store. */
export function addEntry(list: readonly HistoryEntry[], entry: HistoryEntry): HistoryEntry[] {
  const next = [entry, ...list].slice(0, MAX_ENTRIES);
  while (next.length > 1 && JSON.stringify(next).length > MAX_HISTORY_CHARS) next.pop();
  return next;
}
