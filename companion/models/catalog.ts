// The built-in list of recommended ONNX models on the Hugging Face hub. Data only: the
// manager reads it, nothing here touches disk or network. Revisions are commit shas seen on
// the hub (`revisionIsCommit: true`) except where only a branch name was available.
import type { FileSelection } from './file-patterns.js';

export type ModelFamily =
  | 'sd15'
  | 'sd15-inpaint'
  | 'sd2'
  | 'sd-turbo'
  | 'sdxl'
  | 'sdxl-turbo'
  | 'taesd'
  | 'clip';
/** `pipeline` folders must pass the diffusers layout check; the others list their required files. */
export type ModelKind = 'pipeline' | 'vae-approx' | 'interrogator';

export interface GenerationDefaults {
  width: number;
  height: number;
  sampler: string;
  steps: number;
  cfg: number;
}

export interface CatalogEntry {
  id: string;
  name: string;
  kind: ModelKind;
  family: ModelFamily;
  repo: string;
  revision: string;
  /** True when `revision` is a full commit sha rather than a branch name. */
  revisionIsCommit: boolean;
  files: FileSelection;
  precision: 'fp16' | 'fp32' | 'mixed';
  license: string;
  approxSizeBytes: number;
  defaults?: GenerationDefaults;
  /** For non-pipeline kinds: files that must be present after the download. */
  requiredFiles?: readonly string[];
  isDefault?: boolean;
}

const GB = 1024 ** 3;
const MB = 1024 ** 2;

/** Files of a diffusers ONNX SD 1.x/2.x pipeline (single text encoder). */
const SD_PIPELINE_FILES: FileSelection = {
  include: [
    'model_index.json',
    'scheduler/scheduler_config.json',
    'text_encoder/*',
    'tokenizer/*',
    'unet/*',
    'vae_decoder/*',
    'vae_encoder/*',
  ],
  exclude: [
    '**/*.safetensors',
    '**/*.bin',
    '**/*.ckpt',
    '**/*.msgpack',
    '**/*.h5',
    '**/openvino_*',
    '**/.gitkeep',
  ],
};

/** Files of a diffusers/optimum ONNX SDXL pipeline (two text encoders, external weights). */
const SDXL_PIPELINE_FILES: FileSelection = {
  include: [
    'model_index.json',
    'scheduler/scheduler_config.json',
    'text_encoder/config.json',
    'text_encoder/model.onnx',
    'text_encoder/model.onnx_data',
    'text_encoder_2/config.json',
    'text_encoder_2/model.onnx',
    'text_encoder_2/model.onnx_data',
    'tokenizer/*',
    'tokenizer_2/*',
    'unet/config.json',
    'unet/model.onnx',
    'unet/model.onnx_data',
    'vae_decoder/config.json',
    'vae_decoder/model.onnx',
    'vae_encoder/config.json',
    'vae_encoder/model.onnx',
  ],
};

export const MODEL_CATALOG: readonly CatalogEntry[] = [
  {
    id: 'sd-turbo',
    name: 'SD-Turbo (fp16)',
    kind: 'pipeline',
    family: 'sd-turbo',
    repo: 'schmuell/sd-turbo-ort-web',
    revision: 'ace89b7d2cd849f9a73914cdbb8a3ea60c853dd1',
    revisionIsCommit: true,
    files: SD_PIPELINE_FILES,
    precision: 'fp16',
    license: 'stabilityai-non-commercial (SD-Turbo research license)',
    approxSizeBytes: 2.6 * GB,
    defaults: { width: 512, height: 512, sampler: 'euler_a', steps: 1, cfg: 1 },
    isDefault: true,
  },
  {
    id: 'sdxl-turbo',
    name: 'SDXL-Turbo (fp32 ONNX from the official repo)',
    kind: 'pipeline',
    family: 'sdxl-turbo',
    repo: 'stabilityai/sdxl-turbo',
    revision: '1beb9564f2bf660d8c07fce64de00911dd8d00c8',
    revisionIsCommit: true,
    files: SDXL_PIPELINE_FILES,
    precision: 'fp32',
    license: 'sai-nc-community',
    approxSizeBytes: 13.9 * GB,
    defaults: { width: 512, height: 512, sampler: 'euler_a', steps: 1, cfg: 1 },
  },
  {
    id: 'sd15',
    name: 'Stable Diffusion 1.5 (fp16)',
    kind: 'pipeline',
    family: 'sd15',
    repo: 'nmkd/stable-diffusion-1.5-onnx-fp16',
    revision: '38dacf2c14c89e3538b5e32da888eb9c46e0e1bf',
    revisionIsCommit: true,
    files: SD_PIPELINE_FILES,
    precision: 'fp16',
    license: 'creativeml-openrail-m',
    approxSizeBytes: 2.1 * GB,
    defaults: { width: 512, height: 512, sampler: 'dpmpp_2m_karras', steps: 25, cfg: 7 },
  },
  {
    id: 'sd15-inpainting',
    name: 'Stable Diffusion 1.5 Inpainting (fp16)',
    kind: 'pipeline',
    family: 'sd15-inpaint',
    repo: 'RanaLLC/stable-diffusion-v1-5-inpainting-onnx-fp16',
    revision: 'a612b433500340de363966b9305a204e734822f6',
    revisionIsCommit: true,
    files: SD_PIPELINE_FILES,
    precision: 'fp16',
    license: 'creativeml-openrail-m',
    approxSizeBytes: 2.1 * GB,
    defaults: { width: 512, height: 512, sampler: 'dpmpp_2m_karras', steps: 25, cfg: 7 },
  },
  {
    id: 'sdxl-base',
    name: 'Stable Diffusion XL base 1.0 (fp32 ONNX from the official repo)',
    kind: 'pipeline',
    family: 'sdxl',
    repo: 'stabilityai/stable-diffusion-xl-base-1.0',
    revision: 'ffd13a1d2ed00b2bbcf5d78c2a347313a3b556c8',
    revisionIsCommit: true,
    files: SDXL_PIPELINE_FILES,
    precision: 'fp32',
    license: 'openrail++',
    approxSizeBytes: 13.9 * GB,
    defaults: { width: 1024, height: 1024, sampler: 'dpmpp_2m_karras', steps: 30, cfg: 7 },
  },
  {
    id: 'taesd',
    name: 'TAESD tiny autoencoder (fast previews, SD 1.x/2.x)',
    kind: 'vae-approx',
    family: 'taesd',
    repo: 'deinferno/taesd-onnx',
    // Not pinned: the hub page lists the head commit only by its short id (ca671f8, "Fix example"), and no
    // full sha could be confirmed. Its decoder's output range is not documented either: the pipeline
    // applies its detection rules (pipeline/vae/tiny-decoder.ts: config.json, then the output name).
    revision: 'main',
    revisionIsCommit: false,
    files: { include: ['vae_decoder/*.onnx', 'vae_encoder/*.onnx', '*/config.json'] },
    precision: 'fp32',
    license: 'mit',
    approxSizeBytes: 10 * MB,
    requiredFiles: ['vae_decoder/model.onnx'],
  },
  {
    id: 'clip-vit-b32',
    name: 'CLIP ViT-B/32 (fp16, prompt interrogator)',
    kind: 'interrogator',
    family: 'clip',
    repo: 'Xenova/clip-vit-base-patch32',
    revision: '4c1807b705b1d015fb032789cc4d221b23025a6f',
    revisionIsCommit: true,
    files: {
      include: [
        'config.json',
        'preprocessor_config.json',
        'tokenizer.json',
        'tokenizer_config.json',
        'special_tokens_map.json',
        'vocab.json',
        'merges.txt',
        'onnx/vision_model_fp16.onnx',
        'onnx/text_model_fp16.onnx',
      ],
    },
    precision: 'fp16',
    license: 'mit',
    approxSizeBytes: 310 * MB,
    requiredFiles: ['onnx/vision_model_fp16.onnx', 'onnx/text_model_fp16.onnx'],
  },
];

export const DEFAULT_MODEL_ID = 'sd-turbo';

export function findCatalogEntry(id: string): CatalogEntry | undefined {
  return MODEL_CATALOG.find((e) => e.id === id);
}
