// `stipple generate`: runs the pipeline in-process (no daemon), writes PNGs with A1111 metadata, prints the
// seeds and the execution provider. The lead wires it into main.ts with a model resolver.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { type Command, InvalidArgumentError, Option } from 'commander';
import pino from 'pino';
import { storeAdapterDirs } from '../pipeline/adapters/job-adapters.js';
import type { GenerateInput } from '../pipeline/generate-input.js';
import { readNpyFloat32 } from '../pipeline/npy-reader.js';
import { PipelineError } from '../pipeline/pipeline-errors.js';
import { createPipelineService } from '../pipeline/pipeline-service.js';
import type { SamplerId, TimestepSpacing } from '../pipeline/schedulers/types.js';
import { collect, parseLoraOption, resolveVaeOption } from './adapter-options.js';

export interface GenerateCommandContext {
  home: string;
  resolveModel(idOrDir: string): Promise<{ dir: string; name: string; family?: string | undefined }>;
  /** The installed TAESD for `--quality fast` on a model of `family` (ModelManager.installedTinyDecoder). */
  installedTinyDecoder?(family: string | undefined): Promise<string | undefined>;
  /** Output sinks (default process.stdout / process.stderr), injectable for in-process tests. */
  stdout?: (text: string) => void;
  stderr?: (text: string) => void;
}

function num(field: string, int = false) {
  return (v: string) => {
    const n = Number(v);
    if (v.trim() === '' || Number.isNaN(n) || (int && !Number.isInteger(n))) {
      throw new InvalidArgumentError(`--${field} must be ${int ? 'an integer' : 'a number'}, got ${v}`);
    }
    return n;
  };
}

/** Output file of image i: out.png, out-2.png, … */
function outPath(out: string, i: number, count: number): string {
  if (count === 1) return out;
  const ext = path.extname(out) || '.png';
  return `${out.slice(0, out.length - path.extname(out).length)}-${i + 1}${ext}`;
}

export function registerGenerateCommand(program: Command, ctx: GenerateCommandContext): void {
  program
    .command('generate')
    .description(
      'generate images with a local model (txt2img, img2img with --init-image, inpaint with --mask)',
    )
    .requiredOption('--model <id|dir>', 'installed model id or a diffusers/optimum ONNX folder')
    .requiredOption('--prompt <text>', 'prompt (A1111 syntax)')
    .option('--negative <text>', 'negative prompt', '')
    .option('--sampler <id>', 'sampler id (euler_a, euler, ddim, dpmpp_2m, …)', 'euler_a')
    .option('--steps <n>', 'sampling steps', num('steps', true), 20)
    .option('--cfg <x>', 'classifier-free guidance scale', num('cfg'), 7)
    .option('--seed <n>', 'seed (-1: random)', num('seed', true), -1)
    .option('--width <px>', 'width (multiple of 8)', num('width', true))
    .option('--height <px>', 'height (multiple of 8)', num('height', true))
    .option('--latents <file.npy>', 'initial noise (1,4,h,w) float32 instead of drawing it from the seed')
    .option('--init-image <png>', 'source image for img2img / inpaint')
    .option('--strength <x>', 'img2img/inpaint denoising strength', num('strength'), 0.75)
    .option('--mask <png>', 'inpaint mask (white = repaint)')
    .option('--mask-blur <px>', 'mask blur radius', num('mask-blur', true), 4)
    .option('--only-masked', 'inpaint only the masked region at model resolution', false)
    .option('--resize-mode <mode>', 'fit | fill | exact', 'fill')
    .option('--batch <n>', 'batch count (seeds N, N+1, …)', num('batch', true), 1)
    .option('--timestep-spacing <s>', 'override scheduler timestep_spacing (leading | linspace | trailing)')
    .option(
      '--lora <file[:weight]>',
      'apply a LoRA (.safetensors file or installed name), repeatable',
      collect,
      [],
    )
    .option(
      '--embedding <file>',
      'load a textual-inversion embedding (.safetensors), repeatable',
      collect,
      [],
    )
    .option('--vae <dir|name>', 'use another VAE (folder with vae_decoder/, or an installed VAE)')
    .addOption(
      new Option('--quality <q>', 'fast: decode with a tiny autoencoder (TAESD)')
        .choices(['full', 'fast'])
        .default('full'),
    )
    .option(
      '--tiny-decoder <dir|id>',
      "tiny autoencoder for --quality fast: a folder with vae_decoder/model.onnx or an installed id (default: the model's vae_decoder_tiny/, else installed taesd)",
    )
    .option('--providers <list>', 'execution providers to try, comma-separated (e.g. cuda,cpu)')
    .requiredOption('--out <file.png>', 'output PNG (batch: out-1.png, out-2.png, …)')
    .action(async (o) => {
      const stdout = ctx.stdout ?? ((t: string) => process.stdout.write(t));
      const stderr = ctx.stderr ?? ((t: string) => process.stderr.write(t));
      const logger = pino({ level: process.env.STIPPLE_LOG_LEVEL ?? 'warn' }, pino.destination(2));
      const model = await ctx.resolveModel(o.model as string);
      // quality fast: an explicit tiny decoder, else the installed `taesd` as the daemon picks it (the
      // model's own vae_decoder_tiny/ wins inside the pipeline either way).
      let tinyDecoderDir: string | undefined;
      if (o.quality === 'fast') {
        tinyDecoderDir = o.tinyDecoder
          ? (await ctx.resolveModel(o.tinyDecoder as string)).dir
          : await ctx.installedTinyDecoder?.(model.family);
      }
      const service = createPipelineService({
        logger,
        adapterDirs: storeAdapterDirs(ctx.home),
        ...(o.providers ? { preferredProviders: String(o.providers).split(',') } : {}),
      });
      const read = (file: string | undefined) => (file ? new Uint8Array(readFileSync(file)) : undefined);
      const latents = o.latents
        ? readNpyFloat32(new Uint8Array(readFileSync(o.latents as string)))
        : undefined;
      const info = await service.load(model.dir, model.name);
      const native = info.nativeSize;
      const fromLatents = latents ? latents.shape.slice(2).map((d) => d * info.vaeScaleFactor) : undefined;
      const initImage = read(o.initImage as string | undefined);
      const mask = read(o.mask as string | undefined);
      const input: GenerateInput = {
        mode: mask ? 'inpaint' : initImage ? 'img2img' : 'txt2img',
        prompt: o.prompt as string,
        negativePrompt: o.negative as string,
        sampler: o.sampler as SamplerId,
        steps: o.steps as number,
        cfg: o.cfg as number,
        seed: o.seed as number,
        width: (o.width as number | undefined) ?? fromLatents?.[1] ?? native,
        height: (o.height as number | undefined) ?? fromLatents?.[0] ?? native,
        strength: initImage ? (o.strength as number) : 1,
        batch: o.batch as number,
        maskBlur: o.maskBlur as number,
        onlyMasked: o.onlyMasked as boolean,
        onlyMaskedPadding: 32,
        resizeMode: o.resizeMode as GenerateInput['resizeMode'],
        quality: o.quality as 'full' | 'fast',
        ...(tinyDecoderDir ? { tinyDecoderDir } : {}),
        modelDir: model.dir,
        modelName: model.name,
        previewEvery: 0,
        ...(initImage ? { initImage } : {}),
        ...(mask ? { mask } : {}),
        ...(latents ? { latents } : {}),
        loras: (o.lora as string[]).map(parseLoraOption),
        embeddings: o.embedding as string[],
        ...(o.vae ? { vaeDir: resolveVaeOption(o.vae as string, ctx.home) } : {}),
        ...(o.timestepSpacing
          ? { schedulerOverrides: { timestep_spacing: o.timestepSpacing as TimestepSpacing } }
          : {}),
      };
      try {
        const result = await service.generate(input, {
          onStep: (s) => stderr(`\rimage ${s.image + 1}/${input.batch} step ${s.step}/${s.steps}`),
          isCancelled: () => false,
        });
        stderr('\n');
        result.images.forEach((img, i) => {
          const file = outPath(o.out as string, i, result.images.length);
          writeFileSync(file, img.png);
          stdout(`${JSON.stringify({ file, seed: img.seed, width: img.width, height: img.height })}\n`);
        });
        for (const n of result.notes) stderr(`note: ${n}\n`);
        stderr(
          `execution provider: ${result.executionProvider}, ${Math.round(result.timings.totalMs)} ms (home ${ctx.home})\n`,
        );
      } catch (err) {
        if (err instanceof PipelineError) {
          throw Object.assign(new Error(`${err.code}: ${err.message}`), { code: err.code });
        }
        throw err;
      } finally {
        await service.unload();
      }
    });
}
