// The pipeline as the worker process and the CLI use it: validate, load (one model at a time, sessions
// reused across jobs), prepare images per mode (resize, mask blur, "only masked" crop, outpaint canvas),
// generate each image of the batch with its own seed, and return PNGs with A1111 metadata.
// Must not know about sockets or queues; progress goes out through the hooks.
import { randomInt } from 'node:crypto';
import { existsSync, realpathSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import { parseExtraNetworks } from '../../shared/prompt/extra-networks.js';
import { SAMPLER_LABELS } from '../../shared/protocol/samplers.js';
import {
  blurGray,
  decodeGray,
  decodeRgb,
  encodePng,
  extendImage,
  type GrayImage,
  type RgbImage,
  resizeImage,
} from '../images/image-codec.js';
import { formatInfotext } from '../images/infotext.js';
import { AdapterFileCache, loraNameOf, stampFile } from './adapters/adapter-files.js';
import { AdapterHashCache, adapterInfotextFields, sha256File } from './adapters/adapter-hashes.js';
import { type AdapterRuntime, createAdapterRuntime } from './adapters/adapter-runtime.js';
import { type AdapterDirs, resolveJobAdapters } from './adapters/job-adapters.js';
import { latentPreview, type PreviewImage } from './denoise/latent-preview.js';
import { generateImages, type SizeConditioning, sdxlTimeIds } from './generate-images.js';
import { type GenerateInput, validateGenerateInput } from './generate-input.js';
import { type LoadedModel, loadModel, type ModelInfo, modelInfo } from './model/loaded-model.js';
import { grayToMask, rgbToTensor, tensorToRgb } from './modes/image-tensors.js';
import {
  type Box,
  crop,
  cropRegion,
  maskBounds,
  outpaintMask,
  pasteWithMask,
} from './modes/mask-geometry.js';
import { PipelineError } from './pipeline-errors.js';
import type { Engine } from './runtime/engine.js';
import { availableProviders, createOrtEngine, type ModelSource } from './runtime/ort-engine.js';
import type { PromptScheduler } from './text/prompt-source.js';
import { promptSource } from './text/prompt-source.js';
import {
  decodeTiny,
  findTinyDecoder,
  TINY_COMPONENT,
  type TinyDecoderContract,
  TinyPreviews,
  tinyDecoderContract,
} from './vae/tiny-decoder.js';
import { decodeLatents } from './vae/vae.js';

export type { GenerateInput } from './generate-input.js';
export { validateGenerateInput } from './generate-input.js';

export interface GenerateHooks {
  onStep(info: { image: number; step: number; steps: number; preview?: PreviewImage }): void;
  isCancelled(): boolean;
}

export interface GeneratedImage {
  /** PNG with the A1111 `parameters` chunk. */
  png: Uint8Array;
  seed: number;
  width: number;
  height: number;
  infotext: string;
}

export interface GenerateOutput {
  images: GeneratedImage[];
  executionProvider: string;
  timings: {
    loadMs: number;
    totalMs: number;
    textMs: number;
    encodeMs: number;
    denoiseMs: number;
    decodeMs: number;
    ortRunMs: number;
  };
  notes: string[];
}

export interface PipelineService {
  generate(input: GenerateInput, hooks: GenerateHooks): Promise<GenerateOutput>;
  load(modelDir: string, name?: string): Promise<ModelInfo>;
  unload(): Promise<void>;
  info(): { executionProviders: string[]; loadedModel?: string; executionProvider?: string };
}

export interface PipelineServiceOptions {
  logger: Logger;
  preferredProviders?: string[];
  /** Folders `<lora:name:weight>` names and embedding tokens are looked up in (LoRA / embedding store). */
  adapterDirs?: AdapterDirs;
  /** Patched sessions kept per component (LoRA/embedding sets); 2 = switching between two sets is free. */
  adapterCacheEntries?: number;
  /** A1111 prompt editing/alternation schedule (shared/prompt); without it prompts are static. */
  promptScheduler?: PromptScheduler;
  /**
   * Run one 1-step generation at the model's native size right after loading, so the first real job does
   * not pay ORT's slow first runs per shape (arena growth; seconds on real models). Off in tests.
   */
  warmup?: boolean;
}

/** Latents (1,4,h,w) -> image (1,3,H,W) in [0,1]. */
type LatentDecode = (latents: Float32Array, h: number, w: number) => Promise<Float32Array>;

interface PreparedImages {
  init?: RgbImage;
  /** Mask at generation size, binary-ish before blur (white = repaint). */
  mask?: GrayImage;
  /** Where the result goes back into the original picture (only masked / full image). */
  paste?: { base: RgbImage; box: Box; feather: GrayImage };
}

async function prepareImages(input: GenerateInput): Promise<PreparedImages> {
  if (input.mode === 'txt2img' || !input.initImage) return {};
  let init = await decodeRgb(input.initImage, 'initImage');
  let mask: GrayImage | undefined;
  if (input.mode === 'outpaint' && input.outpaint) {
    const m = input.outpaint;
    init = await extendImage(init, m);
    mask = { width: init.width, height: init.height, data: outpaintMask(init.width, init.height, m) };
  } else if (input.mask) {
    mask = await decodeGray(input.mask, 'mask');
    if (mask.width !== init.width || mask.height !== init.height) {
      throw new PipelineError(
        'E_BAD_REQUEST',
        `\`mask\` must have the image's size ${init.width}x${init.height}, got ${mask.width}x${mask.height}`,
        { field: 'mask' },
      );
    }
  }
  if (input.mode === 'img2img' || !mask) {
    return { init: await resizeImage(init, input.width, input.height, input.resizeMode) };
  }
  const blurred = await blurGray(mask, input.maskBlur);
  if (input.onlyMasked) {
    const bounds = maskBounds(mask.data, mask.width, mask.height);
    if (bounds) {
      const box = cropRegion(
        bounds,
        input.onlyMaskedPadding,
        init.width,
        init.height,
        input.width,
        input.height,
      );
      const cropInit = { width: box.w, height: box.h, data: crop(init.data, init.width, 3, box) };
      const cropMask = { width: box.w, height: box.h, data: crop(blurred.data, init.width, 1, box) };
      return {
        init: await resizeImage(cropInit, input.width, input.height, 'exact'),
        mask: await resizeImage(cropMask, input.width, input.height, 'exact'),
        paste: { base: init, box, feather: cropMask },
      };
    }
  }
  return {
    init: await resizeImage(init, input.width, input.height, input.resizeMode),
    mask: await resizeImage(blurred, input.width, input.height, input.resizeMode),
  };
}

/**
 * The prompt as A1111 writes it into `parameters`: LoRAs chosen from a list (protocol `loras`, CLI
 * `--lora`) are appended as `<lora:name:weight>` tags unless the prompt already names them, so pasting
 * the parameters into A1111, or Regenerate from the PNG, applies the same LoRAs.
 */
export function infotextPrompt(
  prompt: string,
  loras: readonly { name?: string; file?: string; weight: number }[],
): string {
  const tagged = new Set(
    parseExtraNetworks(prompt)
      .networks.filter((n) => n.type === 'lora')
      .map((n) => n.name),
  );
  const tags = loras
    .map((l) => ({ name: l.name ?? loraNameOf(l.file ?? ''), weight: l.weight }))
    .filter((l) => l.name && !tagged.has(l.name))
    .map((l) => `<lora:${l.name}:${Number(l.weight.toFixed(4))}>`);
  if (tags.length === 0) return prompt;
  return prompt.trim() === '' ? tags.join(' ') : `${prompt} ${tags.join(' ')}`;
}

/** SDXL size-conditioning infotext fields, only where they differ from diffusers' defaults. */
export function sizeConditioningFields(
  width: number,
  height: number,
  c: SizeConditioning | undefined,
): Record<string, string> {
  if (!c) return {};
  const [oh, ow, top, left, th, tw] = sdxlTimeIds(width, height, c);
  const out: Record<string, string> = {};
  if (oh !== height || ow !== width) out['Original size'] = `${ow}x${oh}`;
  if (top !== 0) out['Crop top'] = String(top);
  if (left !== 0) out['Crop left'] = String(left);
  if (th !== height || tw !== width) out['Target size'] = `${tw}x${th}`;
  return out;
}

async function warmup(model: LoadedModel, log: Logger): Promise<void> {
  const t0 = performance.now();
  const size = modelInfo(model).nativeSize;
  await generateImages(model, {
    mode: 'txt2img',
    prompt: promptSource('', ''),
    sampler: 'euler',
    steps: 1,
    cfg: 7,
    width: size,
    height: size,
    strength: 1,
    seed: 0,
    batchSize: 1,
  });
  log.info({ model: model.layout.name, size, ms: Math.round(performance.now() - t0) }, 'model warmed up');
}

export function createPipelineService(opts: PipelineServiceOptions): PipelineService {
  const log = opts.logger;
  let current: { model: LoadedModel; hash: Promise<string>; adapters: AdapterRuntime } | undefined;
  const adapterFiles = new AdapterFileCache();
  const adapterHashes = new AdapterHashCache();
  const failedProviders = new Set<string>();
  // Tiny autoencoder sessions (quality 'fast'), by .onnx path; kept across jobs and model switches.
  const tinyDecoders = new Map<string, Promise<{ engine: Engine; contract: TinyDecoderContract }>>();
  // One ORT engine factory for model, adapter and tiny-decoder sessions: same providers, same failure memory.
  const createEngine = (files: Record<string, ModelSource>) =>
    createOrtEngine({
      files,
      logger: log,
      failedProviders,
      ...(opts.preferredProviders ? { providers: opts.preferredProviders } : {}),
    });

  function tinyDecoder(file: string, config: Record<string, unknown>) {
    let hit = tinyDecoders.get(file);
    if (!hit) {
      hit = createEngine({ [TINY_COMPONENT]: file }).then(async (engine) => {
        try {
          return { engine, contract: tinyDecoderContract(engine, config) };
        } catch (err) {
          await engine.release();
          throw err;
        }
      });
      hit.catch(() => tinyDecoders.delete(file));
      tinyDecoders.set(file, hit);
    }
    return hit;
  }

  async function ensureLoaded(
    dir: string,
    name?: string,
  ): Promise<{ model: LoadedModel; hash: Promise<string>; adapters: AdapterRuntime }> {
    const real = existsSync(dir) ? realpathSync(dir) : dir;
    if (current && current.model.layout.dir === real) return current;
    if (current) {
      await current.adapters.release();
      await current.model.engine.release();
      current = undefined;
    }
    const model = await loadModel(dir, createEngine, { logger: log, ...(name ? { name } : {}) });
    const unet = model.layout.files.unet!;
    // A1111's short model hash: the first 10 hex digits of the UNet file's sha256.
    const hash = sha256File(unet)
      .then((h) => h.slice(0, 10))
      .catch(() => '');
    const adapters = createAdapterRuntime(model, {
      createEngine,
      files: adapterFiles,
      logger: log,
      ...(opts.adapterCacheEntries ? { cacheEntries: opts.adapterCacheEntries } : {}),
    });
    current = { model, hash, adapters };
    if (opts.warmup) {
      // A failed warm-up costs only its time: the model stays loaded and jobs report their own errors.
      await warmup(model, log).catch((err) => log.warn({ err, model: model.layout.name }, 'warm-up failed'));
    }
    return current;
  }

  /**
   * quality 'fast': the final decode runs the tiny autoencoder (TAESD) when one is available, falling back
   * to the full VAE if it fails; with one at hand, step previews are TAESD decodes (A1111's "TAESD" live
   * preview) instead of the per-channel linear approximation. Notes go into `notes`.
   */
  async function prepareFastDecode(
    input: GenerateInput,
    model: LoadedModel,
    notes: string[],
  ): Promise<{ decode?: LatentDecode; preview?: LatentDecode; used(): boolean }> {
    let used = false;
    const none = { used: () => used };
    if (input.quality !== 'fast') return none;
    const found = findTinyDecoder(input.modelDir, input.tinyDecoderDir);
    if (!found) {
      notes.push(
        'quality "fast": no tiny autoencoder (the model folder has no vae_decoder_tiny/model.onnx and no compatible `taesd` is installed: `stipple models pull taesd` for SD 1.x/2.x), decoded with the full VAE',
      );
      return none;
    }
    let tiny: Awaited<ReturnType<typeof tinyDecoder>>;
    try {
      tiny = await tinyDecoder(found.file, found.config);
    } catch (err) {
      notes.push(
        `quality "fast": the tiny autoencoder ${found.file} could not be loaded (${(err as Error).message}), decoded with the full VAE`,
      );
      return none;
    }
    const f = model.layout.vaeScaleFactor;
    const tinyOpts = { engine: tiny.engine, contract: tiny.contract, scaleFactor: f, tileLatent: 128 };
    const full = {
      engine: model.engine,
      contract: model.contract.vae,
      scalingFactor: model.layout.scalingFactor,
      scaleFactor: f,
      tileLatent: 128,
    };
    const range = tiny.contract.range === '0..1' ? '[0,1]' : '[-1,1]';
    const where = found.source === 'model' ? 'the model folder’s vae_decoder_tiny' : 'the installed TAESD';
    const addNote = (note: string) => {
      if (!notes.includes(note)) notes.push(note);
    };
    const preview: LatentDecode = (latents, h, w) => decodeTiny(tinyOpts, latents, h, w);
    const decode: LatentDecode = async (latents, h, w) => {
      try {
        const img = await decodeTiny(tinyOpts, latents, h, w);
        addNote(
          `quality "fast": decoded with the tiny autoencoder (${where}, ${path.basename(path.dirname(found.file))}/${path.basename(found.file)}); output range ${range}: ${tiny.contract.rangeReason}`,
        );
        used = true;
        return img;
      } catch (err) {
        addNote(
          `quality "fast": the tiny autoencoder failed (${(err as Error).message}), decoded with the full VAE`,
        );
        used = false;
        return decodeLatents(full, latents, h, w);
      }
    };
    return { decode, preview, used: () => used };
  }

  async function generate(input: GenerateInput, hooks: GenerateHooks): Promise<GenerateOutput> {
    const t0 = performance.now();
    const errors = validateGenerateInput(input);
    if (errors.length)
      throw new PipelineError('E_BAD_REQUEST', errors[0].message, { field: errors[0].field });
    const prepared = await prepareImages(input);
    const loadStart = performance.now();
    const { hash, adapters } = await ensureLoaded(input.modelDir, input.modelName);
    // LoRAs (request list + `<lora:…>` tags), embeddings and VAE: patched sessions, cached per set.
    const jobAdapters = resolveJobAdapters(
      {
        prompt: input.prompt,
        negativePrompt: input.negativePrompt,
        ...(input.loras ? { loras: input.loras } : {}),
        ...(input.embeddings ? { embeddings: input.embeddings } : {}),
        ...(input.vaeDir ? { vaeDir: input.vaeDir } : {}),
      },
      opts.adapterDirs ?? { loras: [], embeddings: [] },
      adapterFiles,
    );
    const active = await adapters.prepare(jobAdapters.request);
    const model = active.model;
    const loadMs = performance.now() - loadStart;
    const f = model.layout.vaeScaleFactor;
    if (input.latents) {
      const [, , lh, lw] = input.latents.shape;
      if (input.latents.shape[0] !== 1 || lh * f !== input.height || lw * f !== input.width) {
        throw new PipelineError(
          'E_BAD_REQUEST',
          `\`latents\` must have shape [1,4,${input.height / f},${input.width / f}] for ${input.width}x${input.height}, got [${input.latents.shape}]`,
          { field: 'latents' },
        );
      }
    }
    if (input.mode !== 'txt2img' && !model.layout.files.vae_encoder) {
      throw new PipelineError(
        'E_MODEL_LAYOUT',
        `model ${model.layout.name} has no vae_encoder/model.onnx, needed for ${input.mode}`,
        {
          field: 'model',
        },
      );
    }
    const seed0 = input.seed === -1 ? randomInt(0, 2 ** 32 - input.batch) : input.seed;
    const ortBefore = model.engine.stats().runMs;
    const notes: string[] = [...jobAdapters.notes, ...active.notes];
    const fast = await prepareFastDecode(input, model, notes);
    const xl = model.contract.unet.timeIds !== undefined;
    if (input.sdxl && !xl) {
      notes.push(
        `\`sdxl\` size conditioning ignored: model ${model.layout.name} has no time_ids input (not SDXL)`,
      );
    }
    // Infotext names of the LoRAs and embeddings in use, with A1111's short hashes (same for every image);
    // hashed (once per file version) while the first image generates.
    const text = `${jobAdapters.prompt}\n${jobAdapters.negativePrompt}`.toLowerCase();
    const usedEmbeddings: { token: string; file: string }[] = [];
    for (const file of jobAdapters.request.embeddings ?? []) {
      const token = adapterFiles.embedding(stampFile(file, 'embeddings')).token;
      if (text.includes(token.toLowerCase())) usedEmbeddings.push({ token, file });
    }
    const adapterFieldsP = adapterInfotextFields(
      {
        loras: (jobAdapters.request.loras ?? []).map((l) => ({
          name: l.name ?? loraNameOf(l.file),
          file: l.file,
        })),
        embeddings: usedEmbeddings,
        ...(input.vaeDir ? { vaeName: path.basename(path.resolve(input.vaeDir)) } : {}),
      },
      adapterHashes,
    ).catch((err: Error) => {
      notes.push(`LoRA/embedding hashes left out of the PNG metadata: ${err.message}`);
      return {} as Record<string, string>;
    });
    const sizeFields = xl ? sizeConditioningFields(input.width, input.height, input.sdxl) : {};
    const timings = { loadMs, totalMs: 0, textMs: 0, encodeMs: 0, denoiseMs: 0, decodeMs: 0, ortRunMs: 0 };
    const images: GeneratedImage[] = [];
    const prompt = promptSource(jobAdapters.prompt, jobAdapters.negativePrompt, opts.promptScheduler);
    const mode = input.mode === 'outpaint' ? 'inpaint' : input.mode;
    const previewEvery = input.previewEvery ?? 1;
    for (let i = 0; i < input.batch; i++) {
      const seed = seed0 + i;
      const tinyPreviews = new TinyPreviews(input.height / f, input.width / f, f, (err) => {
        const note = `TAESD previews stopped (${err.message}); the cheap approximation is shown instead`;
        if (!notes.includes(note)) notes.push(note);
      });
      const result = await generateImages(model, {
        mode,
        prompt,
        sampler: input.sampler,
        steps: input.steps,
        cfg: input.cfg,
        width: input.width,
        height: input.height,
        strength: input.strength,
        seed,
        batchSize: 1,
        ...(prepared.init ? { initImage: rgbToTensor(prepared.init.data, input.width, input.height) } : {}),
        ...(prepared.mask ? { mask: grayToMask(prepared.mask.data, false) } : {}),
        ...(input.latents ? { latents: input.latents.data } : {}),
        ...(input.schedulerOverrides ? { schedulerOverrides: input.schedulerOverrides } : {}),
        vaeTileLatent: 128,
        ...(input.sdxl && xl ? { sizeConditioning: input.sdxl } : {}),
        ...(fast.decode ? { decode: fast.decode } : {}),
        isCancelled: () => hooks.isCancelled(),
        onStep: (e) => {
          const want = previewEvery > 0 && ((e.step + 1) % previewEvery === 0 || e.step + 1 === e.steps);
          let preview: PreviewImage | undefined;
          if (want && fast.preview) {
            // The tiny decode runs beside the next UNet step; each preview shows the newest finished
            // one (one step behind), the cheap approximation until the first is ready.
            tinyPreviews.start(e.denoised ?? e.latents, fast.preview);
            preview = tinyPreviews.take();
          }
          if (want && !preview) {
            preview = latentPreview(
              e.denoised ?? e.latents,
              [1, 4, input.height / f, input.width / f],
              0,
              model.contract.family,
            );
          }
          hooks.onStep({ image: i, step: e.step + 1, steps: e.steps, ...(preview ? { preview } : {}) });
        },
      });
      for (const n of result.notes) if (!notes.includes(n)) notes.push(n);
      timings.textMs += result.timings.textMs;
      timings.encodeMs += result.timings.encodeMs;
      timings.denoiseMs += result.timings.denoiseMs;
      timings.decodeMs += result.timings.decodeMs;
      let out: RgbImage = {
        width: input.width,
        height: input.height,
        data: tensorToRgb(result.images, input.width, input.height),
      };
      if (prepared.paste) {
        const { base, box, feather } = prepared.paste;
        const patch = await resizeImage(out, box.w, box.h, 'exact');
        out = {
          width: base.width,
          height: base.height,
          data: pasteWithMask(base.data, base.width, patch.data, feather.data, box),
        };
      }
      const infotext = formatInfotext({
        prompt: infotextPrompt(input.prompt, jobAdapters.request.loras ?? []),
        negativePrompt: input.negativePrompt,
        steps: input.steps,
        sampler: SAMPLER_LABELS[input.sampler],
        cfg: input.cfg,
        seed,
        width: out.width,
        height: out.height,
        modelHash: await hash,
        model: input.modelName,
        ...(mode !== 'txt2img' ? { denoisingStrength: input.strength } : {}),
        extra: {
          ...sizeFields,
          ...(await adapterFieldsP),
          ...(fast.used() ? { 'VAE Decoder': 'TAESD' } : {}),
        },
      });
      images.push({
        png: await encodePng(out, infotext),
        seed,
        width: out.width,
        height: out.height,
        infotext,
      });
    }
    timings.ortRunMs = model.engine.stats().runMs - ortBefore;
    timings.totalMs = performance.now() - t0;
    return { images, executionProvider: model.engine.executionProvider, timings, notes };
  }

  return {
    generate,
    async load(dir, name) {
      return modelInfo((await ensureLoaded(dir, name)).model);
    },
    async unload() {
      if (current) {
        await current.adapters.release();
        await current.model.engine.release();
      }
      current = undefined;
      for (const t of tinyDecoders.values()) await t.then((x) => x.engine.release()).catch(() => {});
      tinyDecoders.clear();
    },
    info() {
      return {
        executionProviders: availableProviders(),
        ...(current
          ? {
              loadedModel: current.model.layout.name,
              executionProvider: current.model.engine.executionProvider,
            }
          : {}),
      };
    },
  };
}
