// One Generate, start to finish: ask the sandbox for the selection's inputs, send the images
// as attachments and the request to the daemon through the shared client, report progress
// and previews, then hand the results back to be placed. Live mode runs the same flow with
// few steps and a preview layer. No DOM here beyond the mask encoder: the panel renders.

import type { GenerateRequestInput } from '../../../../shared/protocol/generate-request';
import type { JobImage, StippleClient } from '../../../../shared/protocol/stipple-client';
import type { JobInput, Sizing } from '../contract/plugin-messages';
import { layerName } from './layer-name';
import { maskToPng } from './mask-png';
import type { SandboxBridge } from './sandbox-bridge';
import { encodeStoredParams, infotextWithSeed } from './stored-params';

export interface JobCallbacks {
  onInput(input: JobInput): void;
  /** Inpaint with a small mask: resolves true for "only masked". */
  askOnlyMasked(coverage: number): Promise<boolean>;
  onQueued(position: number): void;
  onProgress(step: number, steps: number, image: number, batch: number): void;
  onPreview(png: Uint8Array): void;
  onResults(images: (JobImage & { params: string; name: string })[], targetId: string, live: boolean): void;
}

export interface RunningJob {
  cancel(): void;
  done: Promise<void>;
}

export interface JobSpec {
  settings: GenerateRequestInput & { maxSide: number };
  live: boolean;
  /** Whether "only masked" was already decided by the user for this session. */
  onlyMaskedDecided: boolean;
  /** Regenerating a generated layer (see the sandbox's regenerate.ts). */
  regenerate?: 'txt2img' | 'source';
}

export const SMALL_MASK_COVERAGE = 0.2;

export function runJob(
  client: StippleClient,
  bridge: SandboxBridge,
  spec: JobSpec,
  cb: JobCallbacks,
): RunningJob {
  let cancelled = false;
  let cancelJob: (() => Promise<void>) | null = null;
  const done = (async () => {
    const { maxSide, ...settings } = spec.settings;
    const sizing: Sizing = { width: settings.width ?? 512, height: settings.height ?? 512, maxSide };
    const prepared = await bridge.prepareJob(sizing, spec.regenerate);
    if (!prepared.ok) throw new SelectionError(prepared.reason);
    const input = prepared.input;
    cb.onInput(input);
    let onlyMasked = settings.onlyMasked ?? false;
    if (input.mask && !spec.live && !spec.onlyMaskedDecided && input.mask.coverage < SMALL_MASK_COVERAGE) {
      onlyMasked = await cb.askOnlyMasked(input.mask.coverage);
    }
    if (cancelled) throw new CancelledError();
    const attachments: Record<string, Uint8Array> = {};
    const request: GenerateRequestInput = {
      ...settings,
      mode: input.mode,
      width: input.width,
      height: input.height,
      onlyMasked,
      previewEvery: spec.live ? 0 : 1,
    };
    if (spec.live) {
      request.steps = Math.min(request.steps ?? 4, 4);
      request.batch = 1;
    }
    if (input.initImage) {
      attachments.init = input.initImage;
      request.initImage = 'init';
    }
    if (input.mask) {
      attachments.mask = await maskToPng(input.mask);
      request.mask = 'mask';
    }
    if (input.outpaint) request.outpaint = input.outpaint;
    const batch = request.batch ?? 1;
    const handle = client.generate(request, attachments, {
      onQueued: (_id, position) => cb.onQueued(position),
      onProgress: (p) => cb.onProgress(p.step, p.steps, p.image, batch),
      onPreview: (p) => cb.onPreview(p.png),
    });
    cancelJob = () => handle.cancel();
    if (cancelled) void handle.cancel().catch(() => undefined);
    const result = await handle.done;
    const name = layerName(settings.prompt);
    cb.onResults(
      result.images.map((img) => ({
        ...img,
        name,
        params: encodeStoredParams(
          result.done.params,
          img.seed,
          infotextWithSeed(result.done.infotext, img.seed),
        ),
      })),
      input.targetId,
      spec.live,
    );
  })();
  return {
    done,
    cancel() {
      cancelled = true;
      void cancelJob?.().catch(() => undefined);
    },
  };
}

export class SelectionError extends Error {
  readonly code = 'E_SELECTION';
}

export class CancelledError extends Error {
  readonly code = 'E_CANCELLED';
  constructor() {
    super('the job was cancelled');
  }
}
