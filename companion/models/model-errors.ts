// Stable error codes for model management. Clients branch on `code`, never on `message`.
// Every code is also in shared/protocol/error-codes.ts (a unit test checks it); the field
// (`repo`, `revision`, `path`, `id`, `ref`, `disk`) says which input was at fault.

export const MODEL_ERROR_CODES = {
  E_BAD_REQUEST: 'malformed model id, repo reference or revision; `field` names it',
  E_MODEL_NOT_FOUND:
    'no installed model by that id, or a pull reference that is neither a catalog id nor a repo',
  E_MODEL_LAYOUT:
    'the folder (or repo file list) is not a diffusers ONNX pipeline; `field` names the missing part',
  E_MODEL_CHECKSUM:
    'a file does not match its sha256 / git oid (after repeated downloads, or on verify/load)',
  E_MODEL_BUSY: 'the model is being downloaded and cannot be changed now',
  E_HUB_UNAUTHORIZED: 'the hub answered 401/403: gated or private repo, accept the license or set HF_TOKEN',
  E_HUB_NOT_FOUND:
    'the hub has no such repo (`field` repo), revision (`field` revision) or file (`field` path)',
  E_HUB_NETWORK: 'the hub or storage host kept failing (5xx, dropped connections) after retries',
  E_HUB_BAD_LISTING: 'the hub listing was malformed or named a path outside the model folder',
  E_DISK_FULL: 'not enough free disk space (or size budget) for the download',
  E_CANCELLED: 'the download or import was cancelled',
} as const;

export type ModelErrorCode = keyof typeof MODEL_ERROR_CODES;

export class ModelError extends Error {
  readonly code: ModelErrorCode;
  readonly field: string | undefined;

  constructor(code: ModelErrorCode, message: string, options: { field?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ModelError';
    this.code = code;
    this.field = options.field;
  }

  /** Plain JSON for the wire: `{code, message, field?}`. */
  toJSON(): { code: ModelErrorCode; message: string; field?: string } {
    return this.field === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, field: this.field };
  }
}

export function isModelError(err: unknown, code?: ModelErrorCode): err is ModelError {
  return err instanceof ModelError && (code === undefined || err.code === code);
}
