// The one message contract between the Figma sandbox (code.ts) and the UI iframe (ui.ts).
// Both sides validate what they receive with these schemas: `figma.ui.onmessage` and the
// iframe's `message` event are trust boundaries like any socket. zod/mini keeps the sandbox
// bundle small. This module must stay free of Figma and DOM APIs: both runtimes import it.
import * as z from 'zod/mini';

/** Binary payloads cross `postMessage` by structured clone; a realm-safe Uint8Array check. */
export const Bytes = z.custom<Uint8Array>(
  (v) => v instanceof Uint8Array || Object.prototype.toString.call(v) === '[object Uint8Array]',
  { message: 'expected a Uint8Array' },
);

const Id = z.string().check(z.minLength(1), z.maxLength(128));
const Side = z.number().check(z.int(), z.minimum(8), z.maximum(8192));
const Finite = z.number().check(z.refine(Number.isFinite, 'expected a finite number'));

export const GenerationMode = z.enum(['txt2img', 'img2img', 'inpaint', 'outpaint']);
export type GenerationMode = z.infer<typeof GenerationMode>;

/** What the current selection means, sent on every selection change. */
export const SelectionInfo = z.object({
  /** `null` when the selection cannot be used; `reason` says why. */
  mode: z.nullable(GenerationMode),
  /** Short label for the UI ("Empty frame 300×200", "Image + 2 mask shapes"). */
  label: z.string(),
  reason: z.optional(z.string()),
  /** Size in canvas units of the node the result goes into/over, when there is one. */
  width: z.optional(Finite),
  height: z.optional(Finite),
  /** Generation parameters stored on the selected generated layer (JSON text), if any. */
  generatedParams: z.optional(z.string().check(z.maxLength(200_000))),
  /** One layer with an image fill is selected: "Reverse prompt" can read it. */
  hasImage: z.optional(z.boolean()),
});
export type SelectionInfo = z.infer<typeof SelectionInfo>;

export const Sizing = z.object({
  /** Size requested in the UI, used where the selection does not decide it (txt2img). */
  width: Side,
  height: Side,
  /** Largest side the chosen model should be asked for; bigger sources are scaled down. */
  maxSide: Side,
});
export type Sizing = z.infer<typeof Sizing>;

export const OutpaintMargins = z.object({
  left: z.number().check(z.int(), z.minimum(0)),
  right: z.number().check(z.int(), z.minimum(0)),
  top: z.number().check(z.int(), z.minimum(0)),
  bottom: z.number().check(z.int(), z.minimum(0)),
});

/** Grayscale mask, one byte per pixel (255 = repaint), rasterized by the sandbox. */
export const MaskBitmap = z.object({
  width: Side,
  height: Side,
  alpha: Bytes,
  /** Fraction of the image covered by the mask, 0..1. */
  coverage: Finite,
});
export type MaskBitmap = z.infer<typeof MaskBitmap>;

/** Everything the UI needs to send a `generate` for the current selection. */
export const JobInput = z.object({
  mode: GenerationMode,
  /** Generation size (multiples of 8); for outpaint, the whole canvas: image plus margins. */
  width: Side,
  height: Side,
  initImage: z.optional(Bytes),
  mask: z.optional(MaskBitmap),
  outpaint: z.optional(OutpaintMargins),
  /** Human-readable notes to show (e.g. "scaled down from 4000×3000 to 2048×1536"). */
  notices: z.array(z.string()),
  /** Opaque handle the sandbox uses to place results for this job. */
  targetId: Id,
});
export type JobInput = z.infer<typeof JobInput>;

/** Largest stored prompt history (thumbnails are small JPEG data URLs). */
export const MAX_HISTORY_CHARS = 1_000_000;

// ---- UI → sandbox -------------------------------------------------------------------------

export const UiToSandbox = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ui-ready') }),
  z.object({ type: z.literal('save-token'), token: z.nullable(z.string().check(z.maxLength(256))) }),
  z.object({ type: z.literal('save-prefs'), prefs: z.string().check(z.maxLength(100_000)) }),
  z.object({
    type: z.literal('prepare-job'),
    requestId: Id,
    sizing: Sizing,
    /**
     * Regenerating a generated layer: 'txt2img' makes a new image over it at `sizing`'s size;
     * 'source' runs again on the image it was made from (stored on the layer).
     */
    regenerate: z.optional(z.enum(['txt2img', 'source'])),
  }),
  z.object({
    type: z.literal('insert-result'),
    requestId: Id,
    targetId: Id,
    png: Bytes,
    width: Side,
    height: Side,
    /** Layer name (from the prompt). */
    name: z.string().check(z.maxLength(200)),
    /** Generation parameters as JSON text, stored with setPluginData. */
    params: z.string().check(z.maxLength(200_000)),
    /** Live-mode preview: refresh one preview layer in place, no undo step. */
    live: z.boolean(),
  }),
  /** Turns the live preview layer into a normal layer (one undo step). */
  z.object({ type: z.literal('keep-live'), requestId: Id }),
  z.object({ type: z.literal('discard-live') }),
  z.object({ type: z.literal('notify'), message: z.string().check(z.maxLength(500)), error: z.boolean() }),
  /** The prompt history (JSON text with small thumbnails), kept in clientStorage. */
  z.object({ type: z.literal('save-history'), history: z.string().check(z.maxLength(MAX_HISTORY_CHARS)) }),
  /** Reverse prompt: the selected image's bytes, as the file the user placed (metadata kept). */
  z.object({ type: z.literal('export-image'), requestId: Id }),
]);
export type UiToSandbox = z.infer<typeof UiToSandbox>;

// ---- sandbox → UI -------------------------------------------------------------------------

export const SandboxToUi = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('init'),
    token: z.nullable(z.string()),
    prefs: z.nullable(z.string()),
    editorType: z.string(),
    history: z.optional(z.nullable(z.string())),
  }),
  z.object({ type: z.literal('selection'), info: SelectionInfo }),
  /** A selected layer changed (pixels, size, position): live mode regenerates. */
  z.object({ type: z.literal('selection-edited') }),
  z.object({ type: z.literal('job-input'), requestId: Id, input: JobInput }),
  z.object({ type: z.literal('job-input-error'), requestId: Id, reason: z.string() }),
  z.object({ type: z.literal('inserted'), requestId: Id, nodeId: Id }),
  z.object({ type: z.literal('insert-error'), requestId: Id, reason: z.string() }),
  z.object({ type: z.literal('image-bytes'), requestId: Id, png: Bytes, name: z.string() }),
  z.object({ type: z.literal('image-error'), requestId: Id, reason: z.string() }),
]);
export type SandboxToUi = z.infer<typeof SandboxToUi>;

export type ParseResult<T> = { ok: true; message: T } | { ok: false; reason: string };

function describe(issues: readonly { path: PropertyKey[]; message: string }[]): string {
  const first = issues[0];
  if (!first) return 'invalid message';
  const where = first.path.map(String).join('.');
  return where ? `\`${where}\`: ${first.message}` : first.message;
}

export function parseUiToSandbox(value: unknown): ParseResult<UiToSandbox> {
  const r = UiToSandbox.safeParse(value);
  return r.success ? { ok: true, message: r.data } : { ok: false, reason: describe(r.error.issues) };
}

export function parseSandboxToUi(value: unknown): ParseResult<SandboxToUi> {
  const r = SandboxToUi.safeParse(value);
  return r.success ? { ok: true, message: r.data } : { ok: false, reason: describe(r.error.issues) };
}
