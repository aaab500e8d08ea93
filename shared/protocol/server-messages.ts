// Messages the daemon sends to clients as JSON text frames. Images never travel here:
// they follow as binary frames (see binary-frame.ts) named by job id and index.
import { z } from 'zod';
import { GenerateRequest } from './generate-request';

const ReplyTo = z.string().max(64).optional();

export const ServerInfo = z.object({
  name: z.literal('stipple'),
  version: z.string(),
  protocolVersion: z.number().int(),
  executionProviders: z.array(z.string()),
  /** The provider the loaded model runs on (null until a model is loaded). */
  executionProvider: z.string().nullable(),
  loadedModel: z.string().nullable(),
  defaultModel: z.string().nullable(),
  queueLength: z.number().int(),
});
export type ServerInfo = z.infer<typeof ServerInfo>;

export const WelcomeMessage = z.object({
  type: z.literal('welcome'),
  replyTo: ReplyTo,
  serverInfo: ServerInfo,
  clientId: z.string(),
});
export const PairedMessage = z.object({
  type: z.literal('paired'),
  replyTo: ReplyTo,
  token: z.string(),
  tokenId: z.string(),
});
export const QueuedMessage = z.object({
  type: z.literal('queued'),
  replyTo: ReplyTo,
  jobId: z.string(),
  position: z.number().int(),
});
export const StartedMessage = z.object({ type: z.literal('started'), jobId: z.string() });
export const ProgressMessage = z.object({
  type: z.literal('progress'),
  jobId: z.string(),
  /** Index of the image in the batch (0-based). */
  image: z.number().int(),
  step: z.number().int(),
  steps: z.number().int(),
});
export const ResultImage = z.object({
  index: z.number().int(),
  seed: z.number(),
  width: z.number().int(),
  height: z.number().int(),
  /** Path relative to the daemon's outputs folder. */
  file: z.string(),
});
export const DoneMessage = z.object({
  type: z.literal('done'),
  jobId: z.string(),
  seed: z.number(),
  /** The request as the pipeline ran it, defaults filled in: sending it again reproduces the images. */
  params: GenerateRequest,
  images: z.array(ResultImage),
  executionProvider: z.string(),
  infotext: z.string(),
  notes: z.array(z.string()),
});
/** Acknowledges a request that has no other answer (cancel, model_cancel). */
export const AckMessage = z.object({ type: z.literal('ack'), replyTo: ReplyTo });
export const CancelledMessage = z.object({
  type: z.literal('cancelled'),
  replyTo: ReplyTo,
  jobId: z.string(),
});
export const ErrorMessage = z.object({
  type: z.literal('error'),
  replyTo: ReplyTo,
  jobId: z.string().optional(),
  code: z.string(),
  message: z.string(),
  field: z.string().optional(),
  retryAfterMs: z.number().int().optional(),
});

export const QueueEntry = z.object({
  jobId: z.string(),
  position: z.number().int(),
  state: z.enum(['queued', 'running']),
  mine: z.boolean(),
  step: z.number().int().optional(),
  steps: z.number().int().optional(),
});
export const QueueStateMessage = z.object({
  type: z.literal('queue'),
  replyTo: ReplyTo,
  jobs: z.array(QueueEntry),
  limit: z.number().int(),
});

export const ModelEntry = z.object({
  id: z.string(),
  name: z.string(),
  family: z.string(),
  installed: z.boolean(),
  sizeBytes: z.number().optional(),
  source: z.string().optional(),
  kind: z.enum(['checkpoint', 'lora', 'embedding', 'vae', 'clip']).default('checkpoint'),
  /** LoRA: trigger words from the file's metadata (for autocomplete). */
  triggerWords: z.array(z.string()).optional(),
  /** Embedding: the word to type in a prompt. */
  token: z.string().optional(),
  defaults: z
    .object({
      width: z.number().int(),
      height: z.number().int(),
      sampler: z.string(),
      steps: z.number().int(),
      cfg: z.number(),
    })
    .partial()
    .optional(),
});
export const ModelsListMessage = z.object({
  type: z.literal('models'),
  replyTo: ReplyTo,
  models: z.array(ModelEntry),
  loaded: z.string().nullable(),
  defaultModel: z.string().nullable(),
});
export const ModelProgressMessage = z.object({
  type: z.literal('model_progress'),
  model: z.string(),
  phase: z.string(),
  file: z.string().optional(),
  bytesDone: z.number(),
  bytesTotal: z.number(),
  rateBytesPerSec: z.number(),
  etaSec: z.number().nullable(),
});
export const ModelDoneMessage = z.object({
  type: z.literal('model_done'),
  replyTo: ReplyTo,
  model: z.string(),
  status: z.enum(['installed', 'removed', 'cancelled']),
});

export const HistoryEntry = z.object({
  jobId: z.string(),
  createdAt: z.string(),
  status: z.enum(['done', 'error', 'cancelled', 'interrupted']),
  params: GenerateRequest.optional(),
  images: z.array(ResultImage),
  error: z.object({ code: z.string(), message: z.string() }).optional(),
  client: z.string().optional(),
});
export const HistoryListMessage = z.object({
  type: z.literal('history'),
  replyTo: ReplyTo,
  entries: z.array(HistoryEntry),
});

export const PresetEntry = z.object({
  id: z.string(),
  name: z.string(),
  prompt: z.string(),
  negativePrompt: z.string(),
  source: z.enum(['builtin', 'user']),
  recommended: z.record(z.string(), z.unknown()).optional(),
});
export const PresetsListMessage = z.object({
  type: z.literal('presets'),
  replyTo: ReplyTo,
  presets: z.array(PresetEntry),
});

const TokenChunk = z.object({ tokens: z.number().int(), ids: z.array(z.number().int()) });

export const TokensMessage = z.object({
  type: z.literal('tokens'),
  replyTo: ReplyTo,
  /** Token count of each 75-token chunk (A1111 chunking). */
  chunks: z.array(TokenChunk),
  total: z.number().int(),
  /** For a batched request (`texts`): one entry per text, in order; `chunks`/`total` are the first's. */
  results: z.array(z.object({ chunks: z.array(TokenChunk), total: z.number().int() })).optional(),
});
export const InterrogationMessage = z.object({
  type: z.literal('interrogation'),
  replyTo: ReplyTo,
  /** `metadata`: read back exactly from the PNG's A1111 parameters; `clip`: proposed by CLIP ranking. */
  source: z.enum(['metadata', 'clip']),
  prompt: z.string(),
  negativePrompt: z.string(),
  /** The A1111 fields of the metadata line (Steps, Sampler, CFG scale, Seed, Size, …). */
  params: z.record(z.string(), z.string()),
  keywords: z.array(z.object({ category: z.string(), text: z.string(), score: z.number() })),
});
export const PromptRewrittenMessage = z.object({
  type: z.literal('prompt_rewritten'),
  replyTo: ReplyTo,
  prompt: z.string(),
  negativePrompt: z.string(),
  /** Analysis findings of the rewrite (codes, spans, messages), so it is checked before it is offered. */
  findings: z.array(
    z.object({ code: z.string(), severity: z.string(), target: z.string(), message: z.string() }).loose(),
  ),
});
export const TokenInfo = z.object({
  tokenId: z.string(),
  client: z.string(),
  createdAt: z.string(),
  primary: z.boolean(),
});
export const TokensListReply = z.object({
  type: z.literal('tokens_list'),
  replyTo: ReplyTo,
  tokens: z.array(TokenInfo),
});
export const TokenRevokedMessage = z.object({
  type: z.literal('token_revoked'),
  replyTo: ReplyTo,
  tokenId: z.string(),
});

export const ServerMessage = z.discriminatedUnion('type', [
  WelcomeMessage,
  PairedMessage,
  QueuedMessage,
  StartedMessage,
  ProgressMessage,
  DoneMessage,
  CancelledMessage,
  AckMessage,
  ErrorMessage,
  QueueStateMessage,
  ModelsListMessage,
  ModelProgressMessage,
  ModelDoneMessage,
  HistoryListMessage,
  PresetsListMessage,
  TokensMessage,
  InterrogationMessage,
  PromptRewrittenMessage,
  TokensListReply,
  TokenRevokedMessage,
]);
export type ServerMessage = z.infer<typeof ServerMessage>;
export type ServerMessageType = ServerMessage['type'];
export const SERVER_MESSAGE_TYPES = ServerMessage.options.map((o) => o.shape.type.value);
