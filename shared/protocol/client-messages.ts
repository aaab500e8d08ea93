// Messages a client (plugin, CLI, script) sends to the daemon as JSON text frames.
// Every message may carry an `id`; the daemon echoes it as `replyTo` on the direct answer.
import { z } from 'zod';
import { AttachmentRef, GenerateRequest, ModelId } from './generate-request';
import { Limits } from './limits';

const RequestId = z.string().min(1).max(64).optional();

export const ClientInfo = z.object({
  name: z.string().min(1).max(64),
  version: z.string().max(32).optional(),
});

export const HelloMessage = z.object({
  type: z.literal('hello'),
  id: RequestId,
  token: z.string().min(1).max(256),
  client: ClientInfo,
  protocolVersion: z.number().int(),
});

export const PairMessage = z.object({
  type: z.literal('pair'),
  id: RequestId,
  code: z.string().min(1).max(32),
  client: ClientInfo,
  protocolVersion: z.number().int().optional(),
});

export const GenerateMessage = z.object({
  type: z.literal('generate'),
  id: RequestId,
  request: GenerateRequest,
});

export const CancelMessage = z.object({
  type: z.literal('cancel'),
  id: RequestId,
  jobId: z.string().min(1).max(64),
});
export const QueueMessage = z.object({ type: z.literal('queue'), id: RequestId });
export const ModelsMessage = z.object({ type: z.literal('models'), id: RequestId });
export const HistoryMessage = z.object({
  type: z.literal('history'),
  id: RequestId,
  limit: z.number().int().min(1).max(500).default(50),
  /** Only this client's jobs (default) or every job on this machine. */
  scope: z.enum(['mine', 'all']).default('mine'),
});
/** Asks for the stored result images of a finished job; they arrive as `result` binary frames. */
export const HistoryGetMessage = z.object({
  type: z.literal('history_get'),
  id: RequestId,
  jobId: z.string().min(1).max(64),
});
export const ModelPullMessage = z.object({
  type: z.literal('model_pull'),
  id: RequestId,
  /** A catalog id, or a hub repo `owner/name[@revision]`. */
  ref: z.string().min(1).max(200),
});
export const ModelCancelMessage = z.object({
  type: z.literal('model_cancel'),
  id: RequestId,
  model: z.string().min(1).max(200),
});
export const ModelRemoveMessage = z.object({
  type: z.literal('model_remove'),
  id: RequestId,
  model: ModelId,
});
export const PresetsMessage = z.object({ type: z.literal('presets'), id: RequestId });
/**
 * Token counts per 75-token chunk with the model's real tokenizer. `text` for one prompt, or
 * `texts` to count several (prompt and negative prompt) in one round trip; exactly one of the two.
 */
export const TokenizeMessage = z
  .object({
    type: z.literal('tokenize'),
    id: RequestId,
    text: z
      .string()
      .max(Limits.maxPromptChars, `\`text\` must be at most ${Limits.maxPromptChars} characters`)
      .optional(),
    texts: z
      .array(
        z
          .string()
          .max(
            Limits.maxPromptChars,
            `each of \`texts\` must be at most ${Limits.maxPromptChars} characters`,
          ),
      )
      .min(1, '`texts` must hold at least one text')
      .max(Limits.maxTokenizeTexts, `\`texts\` must hold at most ${Limits.maxTokenizeTexts} texts`)
      .optional(),
    model: ModelId.optional(),
  })
  .superRefine((m, ctx) => {
    if ((m.text === undefined) === (m.texts === undefined)) {
      ctx.addIssue({
        code: 'custom',
        path: ['text'],
        message: 'tokenize needs exactly one of `text` (one prompt) or `texts` (a batch)',
      });
    }
  });
/** Reverse prompt from an image sent as an attachment: its A1111 parameters if it has them, else CLIP ranking. */
export const InterrogateMessage = z.object({
  type: z.literal('interrogate'),
  id: RequestId,
  image: AttachmentRef,
  /** Interrogator model id (default: the installed CLIP model). */
  model: ModelId.optional(),
  topK: z.number().int().min(1).max(20).default(3),
});
/** Rewrites a prompt with the LLM endpoint configured in the daemon's config.json. */
export const PromptRewriteMessage = z.object({
  type: z.literal('prompt_rewrite'),
  id: RequestId,
  prompt: z.string().max(Limits.maxPromptChars),
  negativePrompt: z.string().max(Limits.maxPromptChars).default(''),
  /** Style or model hints for the instruction. */
  context: z.string().max(500).optional(),
  model: ModelId.optional(),
});
export const TokensListMessage = z.object({ type: z.literal('tokens_list'), id: RequestId });
export const TokenRevokeMessage = z.object({
  type: z.literal('token_revoke'),
  id: RequestId,
  tokenId: z.string().min(1).max(64),
});

export const ClientMessage = z.discriminatedUnion('type', [
  HelloMessage,
  PairMessage,
  GenerateMessage,
  CancelMessage,
  QueueMessage,
  ModelsMessage,
  HistoryMessage,
  HistoryGetMessage,
  ModelPullMessage,
  ModelCancelMessage,
  ModelRemoveMessage,
  PresetsMessage,
  TokenizeMessage,
  InterrogateMessage,
  PromptRewriteMessage,
  TokensListMessage,
  TokenRevokeMessage,
]);

export type ClientMessage = z.infer<typeof ClientMessage>;
export type ClientMessageInput = z.input<typeof ClientMessage>;
export type ClientMessageType = ClientMessage['type'];
export const CLIENT_MESSAGE_TYPES = ClientMessage.options.map((o) => o.shape.type.value);
