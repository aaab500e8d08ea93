// One registry of stable error codes. Clients branch on `code`, never on the message text.
// Every code has a one-line description; docs/PROTOCOL.md lists them and a test checks that
// each is documented.

export const ErrorCodes = {
  E_BAD_REQUEST: 'A field of the request is missing, has the wrong type or breaks a limit; `field` names it.',
  E_MALFORMED: 'The message is not valid JSON or not a JSON object.',
  E_UNKNOWN_TYPE: 'The message `type` is not one the daemon understands.',
  E_UNAUTHORIZED: 'The token is missing, wrong or revoked.',
  E_NOT_AUTHENTICATED: 'A message other than `hello` or `pair` arrived before authentication.',
  E_VERSION_MISMATCH: 'The client speaks another protocol version.',
  E_PAIRING_CODE: 'The pairing code is wrong, expired or used up.',
  E_PAIRING_REMOTE: 'Pairing is only accepted from the same machine.',
  E_QUEUE_FULL: 'The job queue is full; retry after `retryAfterMs`.',
  E_JOB_NOT_FOUND: 'No queued or running job has that id (or it belongs to another client).',
  E_ATTACHMENT: 'A referenced image attachment was not sent, is too large or is not a supported image.',
  E_BAD_IMAGE: 'An image could not be decoded (bad magic, truncated, bad CRC or too many pixels).',
  E_RUNTIME: 'ONNX Runtime failed while loading or running a model.',
  E_MODEL_NOT_FOUND: 'No installed model has that id.',
  E_MODEL_LAYOUT: 'A model folder lacks a required part or has an unexpected layout.',
  E_MODEL_CHECKSUM: 'A model file does not match its recorded sha256.',
  E_MODEL_BUSY: 'The model is being downloaded or used and cannot be changed now.',
  E_HUB_UNAUTHORIZED: 'The hub refused the download (gated repo: accept the license or set HF_TOKEN).',
  E_HUB_NOT_FOUND: 'The hub has no such repo, revision or file.',
  E_HUB_NETWORK: 'The download failed after retries.',
  E_DISK_FULL: 'Not enough free disk space.',
  E_CANCELLED: 'The job or download was cancelled.',
  E_PIPELINE: 'The pipeline failed while running the job.',
  E_WORKER_CRASHED: 'The pipeline process died during the job; it was restarted.',
  E_OUT_OF_MEMORY: 'The job needed more memory than the device has.',
  E_INTERRUPTED: 'The daemon stopped while the job was running.',
  E_PRESET_NOT_FOUND: 'No preset has that id.',
  E_RATE_LIMITED: 'Too many requests from this client.',
  E_INTERNAL: 'An unexpected error in the daemon; details are in its log.',
  E_CONFIG: 'The config file is unreadable or invalid (the message names the file and key).',
  E_HUB_BAD_LISTING: 'The hub listing was malformed or named a path outside the model folder.',
  E_PRESET_FILE: 'A preset file is not valid JSON or not a style pack (the message names the file and line).',
  E_PROMPT_WEIGHT: 'A prompt weight is outside the allowed range.',
  E_PROTOCOL: 'Client side: the daemon answered with an unexpected message.',
  E_CLOSED: 'Client side: the client was closed by its owner.',
  E_DISCONNECTED: 'Client side: the connection dropped while waiting for an answer.',
  E_NOT_CONNECTED: 'Client side: not connected to the daemon.',
  E_TIMEOUT: 'Client side: no answer within the request timeout.',
  E_LLM_NOT_CONFIGURED: 'No LLM endpoint is configured (`llm` in config.json).',
  E_LLM_HTTP: 'The LLM endpoint answered with an HTTP error; the prompt is unchanged.',
  E_LLM_RESPONSE: 'The LLM endpoint answered with something unusable; the prompt is unchanged.',
  E_LLM_TIMEOUT: 'The LLM endpoint did not answer in time; the prompt is unchanged.',
  E_LLM_UNREACHABLE: 'The LLM endpoint cannot be reached; the prompt is unchanged.',
  E_SELECTION: 'Figma plugin: the current selection cannot be used for this mode (the message says why).',
  E_UNREACHABLE: 'Client side: the daemon cannot be reached (is it running? `npm start`).',
} as const;

export type ErrorCode = keyof typeof ErrorCodes;

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.hasOwn(ErrorCodes, value);
}
