// The one job-request type: everything needed to replay a job exactly. Images are not in
// here: `initImage` and `mask` name attachments sent as binary frames on the same socket.
import { z } from 'zod';
import { Limits } from './limits';
import { SAMPLER_IDS } from './samplers';

const side = (name: string) =>
  z
    .number()
    .int(`\`${name}\` must be an integer`)
    .min(Limits.minSide, `\`${name}\` must be at least ${Limits.minSide}`)
    .max(Limits.maxSide, `\`${name}\` must be at most ${Limits.maxSide}`)
    .multipleOf(Limits.sideMultiple, `\`${name}\` must be a multiple of ${Limits.sideMultiple}`);

const promptText = (name: string) =>
  z
    .string()
    .max(Limits.maxPromptChars, `\`${name}\` must be at most ${Limits.maxPromptChars} characters`)
    .refine((s) => !s.includes('\u0000'), `\`${name}\` must not contain NUL characters`)
    .refine(isWellFormedUtf16, `\`${name}\` must be well-formed Unicode (no lone surrogates)`);

/** True when every surrogate is part of a pair (String.prototype.isWellFormed, for older runtimes). */
export function isWellFormedUtf16(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const n = s.charCodeAt(i + 1);
      if (!(n >= 0xdc00 && n <= 0xdfff)) return false;
      i++;
    } else if (c >= 0xdc00 && c <= 0xdfff) return false;
  }
  return true;
}

/** Attachment references: short ids chosen by the client for binary frames it sent before. */
export const AttachmentRef = z
  .string()
  .regex(/^[A-Za-z0-9_.-]{1,64}$/, 'attachment refs are 1–64 characters of A–Z, a–z, 0–9, _ . -');

/** Model ids in the local store: no path separators, no `..`, no drive letters. */
export const ModelId = z
  .string()
  .regex(
    /^(?!\.{1,2}$)[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/,
    'model ids are 1–128 characters of A–Z, a–z, 0–9, _ . - (no paths)',
  );

export const OutpaintMargins = z.object({
  left: z.number().int().min(0).max(Limits.maxOutpaintPerSide).default(0),
  right: z.number().int().min(0).max(Limits.maxOutpaintPerSide).default(0),
  top: z.number().int().min(0).max(Limits.maxOutpaintPerSide).default(0),
  bottom: z.number().int().min(0).max(Limits.maxOutpaintPerSide).default(0),
});

export const LoraRef = z.object({
  name: z.string().min(1).max(128),
  weight: z.number().min(-4).max(4).default(1),
});

/** Largest size/crop value in `sdxl` (diffusers accepts any; SDXL was trained up to ~4096). */
const SDXL_MAX_SIZE = 4096;

const sdxlSide = (name: string) =>
  z
    .number()
    .int(`\`sdxl.${name}\` must be an integer`)
    .min(1, `\`sdxl.${name}\` must be between 1 and ${SDXL_MAX_SIZE}`)
    .max(SDXL_MAX_SIZE, `\`sdxl.${name}\` must be between 1 and ${SDXL_MAX_SIZE}`);

const sdxlCrop = (name: string) =>
  z
    .number()
    .int(`\`sdxl.${name}\` must be an integer`)
    .min(0, `\`sdxl.${name}\` must be between 0 and ${SDXL_MAX_SIZE}`)
    .max(SDXL_MAX_SIZE, `\`sdxl.${name}\` must be between 0 and ${SDXL_MAX_SIZE}`);

/**
 * SDXL size conditioning (the UNet's `time_ids`: original size, crop top-left, target size, in pixels).
 * Every field is optional; diffusers' defaults apply: original = target = the output size, crop (0, 0).
 * Ignored by SD 1.x/2.x models.
 */
export const SdxlConditioning = z.object({
  originalWidth: sdxlSide('originalWidth').optional(),
  originalHeight: sdxlSide('originalHeight').optional(),
  cropTop: sdxlCrop('cropTop').optional(),
  cropLeft: sdxlCrop('cropLeft').optional(),
  targetWidth: sdxlSide('targetWidth').optional(),
  targetHeight: sdxlSide('targetHeight').optional(),
});

export const GenerateRequest = z
  .object({
    mode: z.enum(['txt2img', 'img2img', 'inpaint', 'outpaint']).default('txt2img'),
    /** Installed model id; absent = the daemon's default model. */
    model: ModelId.optional(),
    prompt: promptText('prompt'),
    negativePrompt: promptText('negativePrompt').default(''),
    /** Style preset id, applied by the daemon before encoding. */
    preset: z.string().max(64).optional(),
    sampler: z.enum(SAMPLER_IDS).optional(),
    steps: z
      .number()
      .int('`steps` must be an integer')
      .min(Limits.minSteps, `\`steps\` must be between ${Limits.minSteps} and ${Limits.maxSteps}`)
      .max(Limits.maxSteps, `\`steps\` must be between ${Limits.minSteps} and ${Limits.maxSteps}`)
      .optional(),
    cfg: z
      .number()
      .min(Limits.minCfg, `\`cfg\` must be between ${Limits.minCfg} and ${Limits.maxCfg}`)
      .max(Limits.maxCfg, `\`cfg\` must be between ${Limits.minCfg} and ${Limits.maxCfg}`)
      .optional(),
    /** -1 picks a random seed; the seed used is always reported. */
    seed: z
      .number()
      .int('`seed` must be an integer')
      .min(-1, '`seed` must be -1 (random) or a non-negative integer')
      .max(Number.MAX_SAFE_INTEGER, '`seed` must be at most 2^53-1')
      .default(-1),
    width: side('width').optional(),
    height: side('height').optional(),
    strength: z
      .number()
      .min(0, '`strength` must be between 0 and 1')
      .max(1, '`strength` must be between 0 and 1')
      .default(0.75),
    /** Batch count: images generated one after another with seeds N, N+1, … */
    batch: z
      .number()
      .int()
      .min(1)
      .max(Limits.maxBatch, `\`batch\` must be between 1 and ${Limits.maxBatch}`)
      .default(1),
    maskBlur: z.number().int().min(0).max(64).default(4),
    onlyMasked: z.boolean().default(false),
    onlyMaskedPadding: z.number().int().min(0).max(256).default(32),
    resizeMode: z.enum(['fit', 'fill', 'exact']).default('fill'),
    /**
     * Outpaint: how far to extend the init image on each side. `width`/`height` are then the whole
     * new canvas (image plus margins), not the image's own size.
     */
    outpaint: OutpaintMargins.optional(),
    /**
     * 'fast': final decode with a tiny autoencoder (TAESD: the model folder's vae_decoder_tiny/, else the
     * installed `taesd` catalog model for SD 1.x/2.x); without one the full VAE decodes and a note says so.
     */
    quality: z.enum(['full', 'fast']).default('full'),
    /** Send a preview image every N steps (0 = no previews). */
    previewEvery: z.number().int().min(0).max(150).default(1),
    initImage: AttachmentRef.optional(),
    mask: AttachmentRef.optional(),
    loras: z.array(LoraRef).max(8).default([]),
    /** A VAE installed in the store (`stipple vae import`, `<data>/vaes/<name>/`) instead of the model's own. */
    vae: ModelId.optional(),
    sdxl: SdxlConditioning.optional(),
  })
  .superRefine((r, ctx) => {
    if ((r.mode === 'img2img' || r.mode === 'inpaint' || r.mode === 'outpaint') && !r.initImage) {
      ctx.addIssue({
        code: 'custom',
        path: ['initImage'],
        message: `\`initImage\` is required for mode ${r.mode}`,
      });
    }
    if (r.mode === 'inpaint' && !r.mask) {
      ctx.addIssue({ code: 'custom', path: ['mask'], message: '`mask` is required for mode inpaint' });
    }
    if (r.mode === 'outpaint') {
      const m = r.outpaint;
      if (!m || m.left + m.right + m.top + m.bottom === 0) {
        ctx.addIssue({
          code: 'custom',
          path: ['outpaint'],
          message: '`outpaint` must extend at least one side',
        });
      }
    }
  });

export type GenerateRequest = z.infer<typeof GenerateRequest>;
export type GenerateRequestInput = z.input<typeof GenerateRequest>;
