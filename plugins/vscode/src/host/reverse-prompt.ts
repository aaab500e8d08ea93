// Reverse prompt for the side panel: a PNG that carries A1111 parameters is read locally
// (exactly, no daemon needed); any other image goes to the daemon's `interrogate` (CLIP
// ranking) as an attachment. No interrogator installed → a message naming the install command.
import type { StippleClient } from '../../../../shared/protocol/stipple-client';
import { readParametersFromPng } from './png-parameters';

/** Catalog id of the CLIP interrogator (companion/models/catalog.ts). */
export const INTERROGATOR_CATALOG_ID = 'clip-vit-b32';
/** CLIP on CPU loads two models on first use: give it time on a slow machine. */
const INTERROGATE_TIMEOUT_MS = 180_000;

export type ReversePromptResult =
  | {
      ok: true;
      source: 'metadata' | 'clip';
      prompt: string;
      negativePrompt: string;
      notice: string;
    }
  | { ok: false; notice: string; code: string };

export interface ReversePromptDeps {
  whenConnected(timeoutMs: number): Promise<Pick<StippleClient, 'request'>>;
}

export function interrogatorMissingNotice(detail?: string): string {
  return (
    `Reverse prompt from the image content needs a CLIP interrogator model, and none is installed${detail ? ` (${detail})` : ''}. ` +
    `Install it with \`npx stipple models pull ${INTERROGATOR_CATALOG_ID}\`, or click Download next to "CLIP ViT-B/32" under Models, then try again.`
  );
}

export async function reversePrompt(
  deps: ReversePromptDeps,
  bytes: Uint8Array,
  fileName: string,
): Promise<ReversePromptResult> {
  const params = readParametersFromPng(bytes);
  if (params) {
    return {
      ok: true,
      source: 'metadata',
      prompt: params.prompt,
      negativePrompt: params.negativePrompt,
      notice: `Prompt read from ${fileName}'s generation parameters.`,
    };
  }
  let client: Pick<StippleClient, 'request'>;
  try {
    client = await deps.whenConnected(3000);
  } catch (e) {
    return {
      ok: false,
      code: 'E_UNREACHABLE',
      notice: `${fileName} carries no generation parameters, so its prompt has to be proposed from the image content by the daemon, which is not running (${e instanceof Error ? e.message : String(e)}). Start it with \`npx stipple serve\`.`,
    };
  }
  const r = await client.request(
    { type: 'interrogate', image: 'image' },
    { image: bytes },
    {
      timeoutMs: INTERROGATE_TIMEOUT_MS,
    },
  );
  if (r.type === 'error') {
    if (r.code === 'E_MODEL_NOT_FOUND')
      return { ok: false, code: r.code, notice: interrogatorMissingNotice() };
    return { ok: false, code: r.code, notice: `Reverse prompt failed: ${r.message} (${r.code})` };
  }
  if (r.type !== 'interrogation') {
    return { ok: false, code: 'E_INTERNAL', notice: `Reverse prompt: unexpected reply ${r.type}` };
  }
  return {
    ok: true,
    source: r.source,
    prompt: r.prompt,
    negativePrompt: r.negativePrompt,
    notice:
      r.source === 'metadata'
        ? `Prompt read from ${fileName}'s generation parameters.`
        : `Prompt proposed by CLIP from ${fileName}'s content: a starting point, check it before generating.`,
  };
}
