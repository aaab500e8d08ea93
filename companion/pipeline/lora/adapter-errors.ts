// Errors for LoRAs, embeddings and VAE swaps. On the wire they are PipelineErrors with code E_BAD_REQUEST
// and the request field they came from (`loras`, `embeddings`, `vae`); `reason` is a stable sub-code so
// callers and tests branch on it, never on the message text.
import { PipelineError } from '../pipeline-errors.js';

export const ADAPTER_ERROR_REASONS = {
  not_safetensors: 'the file is not a safetensors file (wrong size, header length or JSON)',
  bad_header: 'the safetensors header breaks a rule (size limit, dtype, shape, offsets)',
  unsafe_pickle: 'the file is a Python pickle (.pt/.ckpt/.bin); loading one can run code, so it is refused',
  unsupported_format: 'the LoRA/embedding uses a key layout or algorithm Stipple does not apply',
  family_mismatch: 'the LoRA or embedding was made for another model family',
  shape_mismatch: 'a tensor does not fit the weight it would change',
  no_match: 'none of the LoRA modules exist in the model',
  unknown_name: 'a `<lora:name>` (or other named adapter) is not installed',
  vae_incompatible: 'the VAE folder does not fit the model (latent channels, scale or layout)',
  not_found: 'the file or folder does not exist',
} as const;

export type AdapterErrorReason = keyof typeof ADAPTER_ERROR_REASONS;

export class AdapterError extends PipelineError {
  readonly reason: AdapterErrorReason;

  constructor(reason: AdapterErrorReason, message: string, opts: { field?: string; cause?: unknown } = {}) {
    super('E_BAD_REQUEST', message, opts);
    this.name = 'AdapterError';
    this.reason = reason;
  }
}
