// Messages between the extension host and its webviews (side panel, mask editor, candidate
// picker), defined once as schemas and validated on both sides: a webview is a trust boundary.
// Pure data only; images travel as webview URIs or data: URLs, never as host objects.
import { z } from 'zod';
import { EMBEDDING_WEIGHT, LORA_WEIGHT } from './extra-networks';

const Text = z.string().max(20_000);
const Side = z.number().int().min(64).max(2048).multipleOf(8);

export const PromptTool = z.enum(['optimize', 'rewrite', 'presetIntoPrompt']);
export type PromptTool = z.infer<typeof PromptTool>;

// ---- webview → host ----
export const WebviewToHost = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ready') }),
  z.object({ type: z.literal('analyze'), requestId: z.number().int(), prompt: Text, negativePrompt: Text }),
  z.object({ type: z.literal('fixAll'), prompt: Text, negativePrompt: Text }),
  /** Optimize, Rewrite (LLM) or Preset into prompt: the host answers `proposal` or `toolFailed`. */
  z.object({
    type: z.literal('promptTool'),
    tool: PromptTool,
    prompt: Text,
    negativePrompt: Text,
    /** The picked preset id (Preset into prompt needs one; the LLM gets its name as context). */
    preset: z.string().max(64).optional(),
    /** The picked checkpoint id: its family picks the optimizer's and the preset's settings. */
    model: z.string().max(128).optional(),
  }),
  z.object({
    type: z.literal('generate'),
    prompt: Text.min(1),
    negativePrompt: Text,
    preset: z.string().max(64).optional(),
    width: Side,
    height: Side,
    count: z.number().int().min(1).max(8),
    /** Checkpoint id; absent = the daemon's default model. */
    model: z.string().min(1).max(128).optional(),
    loras: z
      .array(
        z.object({
          name: z.string().min(1).max(128),
          weight: z
            .number()
            .min(LORA_WEIGHT.min, `LoRA weight must be between ${LORA_WEIGHT.min} and ${LORA_WEIGHT.max}`)
            .max(LORA_WEIGHT.max, `LoRA weight must be between ${LORA_WEIGHT.min} and ${LORA_WEIGHT.max}`),
        }),
      )
      .max(8, 'at most 8 LoRAs per generation')
      .default([]),
    embeddings: z
      .array(
        z.object({
          token: z.string().min(1).max(128),
          weight: z
            .number()
            .min(
              EMBEDDING_WEIGHT.min,
              `embedding weight must be between ${EMBEDDING_WEIGHT.min} and ${EMBEDDING_WEIGHT.max}`,
            )
            .max(
              EMBEDDING_WEIGHT.max,
              `embedding weight must be between ${EMBEDDING_WEIGHT.min} and ${EMBEDDING_WEIGHT.max}`,
            ),
          target: z.enum(['prompt', 'negative']),
        }),
      )
      .max(16)
      .default([]),
  }),
  z.object({ type: z.literal('reversePrompt') }),
  z.object({ type: z.literal('refreshModels') }),
  z.object({ type: z.literal('pullModel'), ref: z.string().min(1).max(200) }),
  /** Stops a running download (the daemon keeps the verified part: pulling again resumes). */
  z.object({ type: z.literal('cancelPull'), model: z.string().min(1).max(200) }),
  z.object({ type: z.literal('refreshGallery') }),
  z.object({
    type: z.enum(['galleryInsert', 'galleryReveal', 'galleryRegenerate']),
    path: z.string().min(1).max(4096),
  }),
  // Mask editor
  z.object({
    type: z.literal('maskDone'),
    /** data:image/png;base64,… of the mask: white = repaint. */
    maskDataUrl: z
      .string()
      .max(64 * 1024 * 1024)
      .regex(/^data:image\/png;base64,[A-Za-z0-9+/=]+$/),
    prompt: Text,
  }),
  z.object({ type: z.literal('maskCancel') }),
  // Candidate picker
  z.object({ type: z.literal('pickCandidate'), index: z.number().int().min(0).max(7) }),
]);
export type WebviewToHost = z.infer<typeof WebviewToHost>;

// ---- host → webview ----
export const PresetItem = z.object({ id: z.string(), name: z.string() });
export const ModelItem = z.object({
  id: z.string(),
  name: z.string(),
  kind: z.enum(['checkpoint', 'lora', 'embedding', 'vae', 'clip']),
  family: z.string(),
  installed: z.boolean(),
  sizeBytes: z.number().optional(),
  triggerWords: z.array(z.string()).optional(),
  token: z.string().optional(),
});
export type ModelItem = z.infer<typeof ModelItem>;
export const GalleryItem = z.object({
  path: z.string(),
  name: z.string(),
  prompt: z.string(),
  seed: z.number().optional(),
  src: z.string(),
  /** What "Use prompt" restores besides the prompt (from the PNG's parameters). */
  negativePrompt: z.string().optional(),
  /** "WxH". */
  size: z
    .string()
    .regex(/^\d+x\d+$/)
    .optional(),
  /** The checkpoint's name or id as the image recorded it. */
  model: z.string().optional(),
});
export type GalleryItem = z.infer<typeof GalleryItem>;

export const PanelFinding = z.object({
  code: z.string(),
  severity: z.enum(['info', 'warning', 'error']),
  message: z.string(),
  target: z.enum(['prompt', 'negative']),
  start: z.number().int(),
  end: z.number().int(),
  fixLabel: z.string().optional(),
  /** The target text with this finding's fix applied. */
  fixedText: z.string().optional(),
});
export const PanelAnalysis = z.object({
  type: z.literal('analysis'),
  requestId: z.number().int(),
  /** Tokens per 75-token chunk of the prompt. */
  chunks: z.array(z.number().int()),
  total: z.number().int(),
  /** False while some counts are estimates (daemon not connected). */
  exact: z.boolean(),
  findings: z.array(PanelFinding),
});
export type PanelAnalysis = z.infer<typeof PanelAnalysis>;

export const HostToWebview = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('state'),
    connection: z.string(),
    statusText: z.string(),
    presets: z.array(PresetItem),
    models: z.array(ModelItem),
    defaultModel: z.string().nullable(),
    defaultPreset: z.string(),
    defaultWidth: Side,
    defaultHeight: Side,
  }),
  PanelAnalysis,
  z.object({ type: z.literal('gallery'), items: z.array(GalleryItem) }),
  z.object({
    type: z.literal('modelProgress'),
    model: z.string(),
    phase: z.string(),
    bytesDone: z.number(),
    bytesTotal: z.number(),
  }),
  z.object({
    type: z.literal('prompt'),
    prompt: z.string(),
    negativePrompt: z.string(),
    /** What changed, when the host rewrote the prompt (fix all). */
    changes: z.array(z.string()).optional(),
    /** Where the prompt came from (reverse prompt), shown as a notice. */
    notice: z.string().optional(),
  }),
  z.object({
    type: z.literal('proposal'),
    tool: PromptTool,
    title: z.string(),
    /** The texts the tool was run on: the webview drops the proposal if the boxes changed since. */
    base: z.object({ prompt: z.string(), negativePrompt: z.string() }),
    prompt: z.string(),
    negativePrompt: z.string(),
    details: z.array(z.string()),
    /** Accepting also sets the preset to None (Preset into prompt: so it is not applied twice). */
    clearPreset: z.boolean().default(false),
  }),
  z.object({ type: z.literal('toolFailed'), tool: PromptTool, text: z.string() }),
  z.object({ type: z.literal('notice'), level: z.enum(['info', 'error']), text: z.string() }),
  // Mask editor / candidate picker setup
  z.object({
    type: z.literal('maskImage'),
    src: z.string(),
    width: z.number().int(),
    height: z.number().int(),
    prompt: z.string(),
  }),
  z.object({
    type: z.literal('candidates'),
    items: z.array(z.object({ index: z.number().int(), seed: z.number(), src: z.string() })),
  }),
]);
export type HostToWebview = z.infer<typeof HostToWebview>;

export function parseWebviewToHost(
  value: unknown,
): { ok: true; message: WebviewToHost } | { ok: false; error: string } {
  const r = WebviewToHost.safeParse(value);
  if (r.success) return { ok: true, message: r.data };
  const issue = r.error.issues[0];
  return { ok: false, error: `${issue?.path.join('.') || 'message'}: ${issue?.message ?? 'invalid'}` };
}

export function parseHostToWebview(
  value: unknown,
): { ok: true; message: HostToWebview } | { ok: false; error: string } {
  const r = HostToWebview.safeParse(value);
  if (r.success) return { ok: true, message: r.data };
  const issue = r.error.issues[0];
  return { ok: false, error: `${issue?.path.join('.') || 'message'}: ${issue?.message ?? 'invalid'}` };
}
