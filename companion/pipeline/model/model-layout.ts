// Reads a diffusers/optimum ONNX model folder: which component files exist, the configs that drive the
// pipeline (scheduler, VAE scale), and a clear E_MODEL_LAYOUT error naming the missing file otherwise.
// Must not create sessions (ort-engine.ts does) nor guess I/O names (those come from session metadata).
import { existsSync, readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import path from 'node:path';
import { PipelineError } from '../pipeline-errors.js';

export type Json = Record<string, unknown>;

export const COMPONENTS = ['text_encoder', 'text_encoder_2', 'unet', 'vae_decoder', 'vae_encoder'] as const;
export type ComponentName = (typeof COMPONENTS)[number];

export interface ModelLayout {
  dir: string;
  name: string;
  /** component -> model .onnx path (only those present). */
  files: Partial<Record<ComponentName, string>>;
  tokenizerDirs: string[];
  modelIndex: Json;
  schedulerConfig: Json;
  unetConfig: Json;
  vaeConfig: Json;
  /** 2 ** (len(block_out_channels) - 1) of the VAE: 8 for real SD, 2 for the tiny test models. */
  vaeScaleFactor: number;
  /** VAE latent scaling (0.18215 SD 1.x/2.x, 0.13025 SDXL). */
  scalingFactor: number;
  forceZerosForEmptyPrompt: boolean;
}

function readJson(file: string): Json {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Json;
  } catch (err) {
    throw new PipelineError(
      'E_MODEL_LAYOUT',
      `cannot read ${file}: ${err instanceof Error ? err.message : err}`,
    );
  }
}

function readJsonIfExists(file: string): Json {
  return existsSync(file) ? readJson(file) : {};
}

/** A path inside `root` after resolving links, or an error: model files never load from outside their folder. */
function inside(root: string, file: string): string {
  const real = realpathSync(file);
  if (real !== root && !real.startsWith(root + path.sep)) {
    throw new PipelineError('E_MODEL_LAYOUT', `${file} points outside the model folder ${root}`);
  }
  return real;
}

function findOnnx(root: string, sub: string): string | undefined {
  const folder = path.join(root, sub);
  if (!existsSync(folder) || !statSync(folder).isDirectory()) return undefined;
  const preferred = path.join(folder, 'model.onnx');
  if (existsSync(preferred)) return inside(root, preferred);
  const any = readdirSync(folder)
    .filter((f) => f.endsWith('.onnx'))
    .sort();
  return any.length ? inside(root, path.join(folder, any[0])) : undefined;
}

export function readModelLayout(dirIn: string, name?: string): ModelLayout {
  if (!existsSync(dirIn) || !statSync(dirIn).isDirectory()) {
    throw new PipelineError('E_MODEL_LAYOUT', `model folder ${dirIn} does not exist`, { field: 'model' });
  }
  const dir = realpathSync(dirIn);
  const files: Partial<Record<ComponentName, string>> = {};
  for (const c of COMPONENTS) {
    const f = findOnnx(dir, c);
    if (f) files[c] = f;
  }
  for (const required of ['text_encoder', 'unet', 'vae_decoder'] as const) {
    if (!files[required]) {
      throw new PipelineError(
        'E_MODEL_LAYOUT',
        `model folder ${dir} is missing ${required}/model.onnx (the ${required.replace('_', ' ')} part)`,
        { field: 'model' },
      );
    }
  }
  const tokenizerDirs: string[] = [];
  for (const t of ['tokenizer', 'tokenizer_2']) {
    const td = path.join(dir, t);
    if (!existsSync(td)) continue;
    for (const f of ['vocab.json', 'merges.txt']) {
      if (!existsSync(path.join(td, f))) {
        throw new PipelineError('E_MODEL_LAYOUT', `model folder ${dir} is missing ${t}/${f}`, {
          field: 'model',
        });
      }
    }
    tokenizerDirs.push(inside(dir, td));
  }
  if (tokenizerDirs.length === 0) {
    throw new PipelineError(
      'E_MODEL_LAYOUT',
      `model folder ${dir} is missing tokenizer/vocab.json and merges.txt`,
      {
        field: 'model',
      },
    );
  }
  if (files.text_encoder_2 && tokenizerDirs.length < 2) tokenizerDirs.push(tokenizerDirs[0]);
  const schedulerFile = path.join(dir, 'scheduler', 'scheduler_config.json');
  if (!existsSync(schedulerFile)) {
    throw new PipelineError(
      'E_MODEL_LAYOUT',
      `model folder ${dir} is missing scheduler/scheduler_config.json`,
      {
        field: 'model',
      },
    );
  }
  const modelIndex = readJsonIfExists(path.join(dir, 'model_index.json'));
  const vaeConfig = {
    ...readJsonIfExists(path.join(dir, 'vae_encoder', 'config.json')),
    ...readJsonIfExists(path.join(dir, 'vae_decoder', 'config.json')),
  };
  const blocks = Array.isArray(vaeConfig.block_out_channels) ? vaeConfig.block_out_channels.length : 4;
  const isXl = files.text_encoder_2 !== undefined;
  const scaling =
    typeof vaeConfig.scaling_factor === 'number' ? vaeConfig.scaling_factor : isXl ? 0.13025 : 0.18215;
  return {
    dir,
    name: name ?? path.basename(dir),
    files,
    tokenizerDirs,
    modelIndex,
    schedulerConfig: readJson(schedulerFile),
    unetConfig: readJsonIfExists(path.join(dir, 'unet', 'config.json')),
    vaeConfig,
    vaeScaleFactor: 2 ** (blocks - 1),
    scalingFactor: scaling,
    forceZerosForEmptyPrompt: modelIndex.force_zeros_for_empty_prompt !== false && isXl,
  };
}
