// Turns a tiny-sd golden case (meta.json + tensors, see ../shared/fixtures/tiny-sd/goldens*/README.md) into a
// GenerationJob. Generic over the meta fields, so unseen cases of the same kinds run too.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { decodeGray, decodeRgb } from '../../../companion/images/image-codec.js';
import type { GenerationJob } from '../../../companion/pipeline/generate-images.js';
import { grayToMask, rgbToTensor } from '../../../companion/pipeline/modes/image-tensors.js';
import { TorchGenerator } from '../../../companion/pipeline/rng/torch-generator.js';
import type { NoiseSource, SamplerId } from '../../../companion/pipeline/schedulers/types.js';
import { fixturePath, haveFixtures, readFixtureTensor } from '../../helpers/fixtures.js';

export interface GoldenMeta {
  name: string;
  scheduler: SamplerId;
  steps: number;
  guidance_scale: number;
  prompt: string;
  negative_prompt?: string | null;
  height?: number;
  width?: number;
  seed?: number;
  generator_seed?: number;
  generator?: string;
  strength?: number;
  num_images_per_prompt?: number;
  sched_kwargs?: Record<string, unknown>;
  scheduler_config?: Record<string, unknown>;
  pipeline: string;
  model: string;
  init_image?: string;
  mask_image?: string;
}

export interface GoldenCase {
  folder: string;
  meta: GoldenMeta;
  /** Model folder under tiny-sd: image modes use the optimum export (seedable vae_encoder, same weights). */
  model: string;
}

/** meta.json is Python's json.dumps, which writes -Infinity/NaN for some scheduler fields. */
function readMeta(file: string): GoldenMeta {
  const text = readFileSync(file, 'utf8').replace(/-?Infinity|NaN/g, 'null');
  return JSON.parse(text) as GoldenMeta;
}

export function listGoldenCases(): GoldenCase[] {
  if (!haveFixtures) return [];
  const out: GoldenCase[] = [];
  for (const set of ['goldens', 'goldens_seeded']) {
    const root = fixturePath('tiny-sd', set);
    for (const name of readdirSync(root).sort()) {
      if (!existsSync(fixturePath('tiny-sd', set, name, 'meta.json'))) continue;
      const meta = readMeta(fixturePath('tiny-sd', set, name, 'meta.json'));
      const base = meta.model.split(' ')[0];
      const imageMode = /Img2Img|Inpaint/.test(meta.pipeline);
      out.push({
        folder: `${set}/${name}`,
        meta,
        model: imageMode && !base.endsWith('-optimum') ? `${base}-optimum` : base,
      });
    }
  }
  return out;
}

function seedOf(meta: GoldenMeta): number {
  if (typeof meta.seed === 'number') return meta.seed;
  if (typeof meta.generator_seed === 'number') return meta.generator_seed;
  const m = /manual_seed\((\d+)\)/.exec(meta.generator ?? '');
  return m ? Number(m[1]) : 0;
}

async function asset(name: string): Promise<Uint8Array> {
  const file = name.includes('/')
    ? fixturePath('tiny-sd', name)
    : fixturePath('tiny-sd', 'goldens', 'assets', name);
  return new Uint8Array(readFileSync(file));
}

interface Draw {
  caller: string;
  loop_index: number;
  shape: number[];
}

/**
 * The in-loop draws a seeded case recorded, when they are NOT the continuation of the case's own
 * generator. The goldens_seeded README says every draw comes from the one seeded generator (as in
 * diffusers), and the pre-loop draws do; but in the public Euler a cases the scheduler's draws match
 * torch's *global* generator instead (seeded 0, after 3,535,769 draws) — a recording artefact: a
 * wrapped `scheduler.step` hides its `generator` parameter from diffusers' signature check. For such
 * cases the test replays the recorded draws, so the sampler, CFG and VAE are still checked exactly;
 * cases whose draws are consistent run from the seed alone.
 */
export function recordedStepNoise(c: GoldenCase, seed: number): NoiseSource | undefined {
  if (!existsSync(fixturePath('tiny-sd', c.folder, 'noise_draws.json'))) return undefined;
  const t = readFixtureTensor('tiny-sd', c.folder, 'noise_draws');
  const draws = (t.meta.draws as Draw[] | undefined) ?? [];
  const data = t.data as Float32Array;
  const probe = new TorchGenerator(seed);
  let offset = 0;
  const inLoop: Float32Array[] = [];
  let consistent = true;
  for (const d of draws) {
    const n = d.shape.reduce((a, b) => a * b, 1);
    const recorded = data.subarray(offset, offset + n);
    offset += n;
    if (d.loop_index < 0) {
      probe.randn(d.shape);
      continue;
    }
    if (inLoop.length === 0) {
      const ours = probe.randn(d.shape);
      let diff = 0;
      for (let i = 0; i < n; i++) diff = Math.max(diff, Math.abs(ours[i] - recorded[i]));
      consistent = diff < 1e-5;
    }
    inLoop.push(recorded);
  }
  if (consistent || inLoop.length === 0) return undefined;
  let next = 0;
  return {
    randn(shape: number[]) {
      const n = shape.reduce((a, b) => a * b, 1);
      const d = inLoop[next++];
      if (!d || d.length !== n) throw new Error(`recorded draw ${next - 1} has no ${shape.join('x')} tensor`);
      return d.slice();
    },
  };
}

function resolvedSchedulerConfig(meta: GoldenMeta): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(meta.scheduler_config ?? {})) {
    if (!k.startsWith('_') && v !== null) out[k] = v;
  }
  return out;
}

export async function goldenJob(c: GoldenCase): Promise<GenerationJob> {
  const { meta } = c;
  const mode = /Inpaint/.test(meta.pipeline)
    ? 'inpaint'
    : /Img2Img/.test(meta.pipeline)
      ? 'img2img'
      : 'txt2img';
  let width = meta.width ?? 0;
  let height = meta.height ?? 0;
  let initImage: Float32Array | undefined;
  let mask: Float32Array | undefined;
  if (meta.init_image) {
    const img = await decodeRgb(await asset(meta.init_image), 'initImage');
    width = img.width;
    height = img.height;
    initImage = rgbToTensor(img.data, img.width, img.height);
  }
  if (meta.mask_image)
    mask = grayToMask((await decodeGray(await asset(meta.mask_image), 'mask')).data, false);
  const negative = meta.negative_prompt ?? '';
  const hasLatents = existsSync(fixturePath('tiny-sd', c.folder, 'latents_in.json'));
  const stepNoise = recordedStepNoise(c, seedOf(meta));
  return {
    mode,
    prompt: {
      positive: () => [[meta.prompt, 1]],
      negative: () => [[negative, 1]],
      negativeEmpty: negative === '',
    },
    sampler: meta.scheduler,
    steps: meta.steps,
    cfg: meta.guidance_scale,
    width,
    height,
    strength: meta.strength ?? 1,
    seed: seedOf(meta),
    batchSize: meta.num_images_per_prompt ?? 1,
    ...(initImage ? { initImage } : {}),
    ...(mask ? { mask } : {}),
    ...(hasLatents
      ? { latents: readFixtureTensor('tiny-sd', c.folder, 'latents_in').data as Float32Array }
      : {}),
    // The resolved scheduler config diffusers ran with: image cases run on the -optimum export, whose
    // saved config carries `timestep_spacing: "leading"` where the original folder left the default.
    schedulerOverrides: { ...resolvedSchedulerConfig(meta), ...(meta.sched_kwargs ?? {}) },
    ...(stepNoise ? { stepNoise } : {}),
  };
}
