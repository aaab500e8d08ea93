// A1111 extra-network tags (`extra_networks.parse_prompt`): `<lora:name:0.8>`, `<lyco:...>`,
// `<hypernet:...>` and any other `<type:args>` are removed from the prompt and returned as a list, so
// the text encoder never sees them. Parameters split on ":"; `key=value` items are named (A1111
// `ExtraNetworkParams`), e.g. `<lora:name:0.8:unet=0.5>`.

import { PY_WORD_CLASS } from './python-text';

export interface ExtraNetworkTag {
  /** The tag type: "lora", "lyco", "hypernet", ... */
  type: string;
  /** First positional parameter: the network's name. */
  name: string;
  /** Every ":"-separated item as written. */
  items: string[];
  positional: string[];
  named: Record<string, string>;
  /** `[start, end)` of the tag in the original prompt. */
  span: { start: number; end: number };
}

export interface ExtraNetworkParse {
  /** The prompt with every tag removed (nothing else changes, as in A1111). */
  prompt: string;
  networks: ExtraNetworkTag[];
}

// `<(\w+):([^>]+)>` with Python's Unicode `\w`.
const EXTRA_NETWORK = new RegExp(`<([${PY_WORD_CLASS}]+):([^>]+)>`, 'gu');

export function parseExtraNetworks(prompt: string): ExtraNetworkParse {
  const networks: ExtraNetworkTag[] = [];
  const cleaned = prompt.replace(
    EXTRA_NETWORK,
    (whole: string, type: string, args: string, offset: number) => {
      const items = args.split(':');
      const positional: string[] = [];
      const named: Record<string, string> = {};
      for (const item of items) {
        // Python `item.split('=', 2)` names the item only when it has exactly one "=".
        const parts = item.split('=');
        if (parts.length === 2) named[parts[0]] = parts[1];
        else positional.push(item);
      }
      networks.push({
        type,
        name: positional[0] ?? '',
        items,
        positional,
        named,
        span: { start: offset, end: offset + whole.length },
      });
      return '';
    },
  );
  return { prompt: cleaned, networks };
}

/**
 * The multiplier A1111's built-in Lora extension reads: text-encoder weight from the second positional
 * item (or `te=`), defaulting to `defaultMultiplier` (A1111's `extra_networks_default_multiplier`, 1).
 * Returns undefined where the text is not a number (A1111 would raise).
 */
export function extraNetworkWeight(tag: ExtraNetworkTag, defaultMultiplier = 1): number | undefined {
  const text = tag.named.te ?? tag.positional[1];
  if (text === undefined) return defaultMultiplier;
  const value = Number(text.trim());
  return text.trim() === '' || Number.isNaN(value) ? undefined : value;
}
