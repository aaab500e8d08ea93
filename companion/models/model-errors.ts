// Stable error codes for model management. Clients branch on `code`, never on `message`;
// the lead merges these into the protocol's error registry.

export const MODEL_ERROR_CODES = {
  E_MODEL_NOT_FOUND: 'no installed model (or folder) by that id',
  E_MODEL_UNKNOWN: 'the reference is neither a catalog id nor an `owner/name[@revision]` hub repo',
  E_BAD_MODEL_REF: 'malformed model id or repo reference',
  E_BAD_MODEL_LAYOUT: 'the folder is not a diffusers ONNX pipeline (a required part is missing)',
  E_HUB_UNAUTHORIZED: 'the hub answered 401/403: gated or private repo, accept the license or set HF_TOKEN',
  E_HUB_NOT_FOUND: 'the hub has no such repo',
  E_HUB_REVISION_NOT_FOUND: 'the repo has no such revision',
  E_HUB_FILE_NOT_FOUND: 'a file listed for download is missing at that revision',
  E_HUB_UNAVAILABLE: 'the hub or storage host kept failing after retries',
  E_HUB_BAD_LISTING: 'the hub listing was malformed or named a path outside the model folder',
  E_CHECKSUM: 'a file did not match its sha256 / git oid after repeated downloads',
  E_DISK_FULL: 'not enough free disk space (or size budget) for the download',
  E_CANCELLED: 'the operation was cancelled',
  E_MODEL_BUSY: 'the model is being downloaded; cancel it first',
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
