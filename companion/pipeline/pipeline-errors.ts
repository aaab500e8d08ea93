// Stable error codes of the pipeline. Callers (jobs, server, CLI) branch on `code`, never on text.
// Messages name the field or file, the value and the rule.

export const PIPELINE_ERROR_CODES = {
  E_BAD_REQUEST: 'the generate request breaks a rule (field named in `field`)',
  E_MODEL_LAYOUT: 'the model folder lacks a part or a part has an unexpected contract',
  E_BAD_IMAGE: 'an input image could not be decoded safely (format, CRC, size limit)',
  E_CANCELLED: 'the job was cancelled between steps',
  E_RUNTIME: 'ONNX Runtime failed while loading or running a model',
} as const;

export type PipelineErrorCode = keyof typeof PIPELINE_ERROR_CODES;

export class PipelineError extends Error {
  readonly code: PipelineErrorCode;
  readonly field?: string;

  constructor(code: PipelineErrorCode, message: string, opts: { field?: string; cause?: unknown } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'PipelineError';
    this.code = code;
    if (opts.field !== undefined) this.field = opts.field;
  }

  toJSON(): { code: PipelineErrorCode; message: string; field?: string } {
    return this.field === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, field: this.field };
  }
}

/** Thrown by the denoise loop when `isCancelled()` turns true; the worker reports `cancelled`, not `error`. */
export class CancelledError extends PipelineError {
  constructor(where: string) {
    super('E_CANCELLED', `generation cancelled (${where})`);
    this.name = 'CancelledError';
  }
}
