// Generation parameters stored on generated layers (setPluginData), so "regenerate",
// "variations" and "copy parameters" work on any generated layer later, in any session.
// Stored as the JSON text the UI sends; the UI validates it against the protocol on reading.

import type { BaseNode } from './figma-types';

export const PARAMS_KEY = 'stipple.params';
export const SOURCE_KEY = 'stipple.source';

export function writeParams(node: BaseNode, paramsJson: string, sourceNodeId: string | null): void {
  node.setPluginData(PARAMS_KEY, paramsJson);
  node.setPluginData(SOURCE_KEY, sourceNodeId ?? '');
}

export function readParams(node: BaseNode): string | null {
  const v = node.getPluginData(PARAMS_KEY);
  return v === '' ? null : v;
}
