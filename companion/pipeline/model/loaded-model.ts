// A model ready to run: its layout, I/O contract, engine (sessions) and tokenizers. Built once per model and
// reused across jobs; `release()` frees the sessions. The engine factory is a parameter so tests can load
// the real tiny models through ORT or substitute a fake.
import type { Logger } from 'pino';
import type { ClipTokenizer } from '../../../shared/prompt/clip-tokenizer.js';
import type { Engine } from '../runtime/engine.js';
import { loadTokenizer } from '../text/load-tokenizer.js';
import type { TextEncoderSet } from '../text/text-encoder.js';
import { type ModelContract, readContract } from './model-contract.js';
import { type ModelLayout, readModelLayout } from './model-layout.js';

export type EngineFactory = (files: Record<string, string>) => Promise<Engine>;

export interface LoadedModel {
  layout: ModelLayout;
  contract: ModelContract;
  engine: Engine;
  tokenizers: ClipTokenizer[];
  text: TextEncoderSet;
  loadMs: number;
}

export interface ModelInfo {
  name: string;
  dir: string;
  family: ModelContract['family'];
  inpainting: boolean;
  prediction: ModelContract['prediction'];
  vaeScaleFactor: number;
  executionProvider: string;
  /** Whether img2img/inpaint latents are reproducible from the seed (encoder returns latent_parameters). */
  seededEncoder: boolean;
  cfgBatched: boolean;
  /** Default image side: unet sample_size * vae scale (512 SD 1.x, 1024 SDXL, 64 for the tiny models). */
  nativeSize: number;
  loadMs: number;
}

export async function loadModel(
  dir: string,
  createEngine: EngineFactory,
  opts: { name?: string; logger?: Logger } = {},
): Promise<LoadedModel> {
  const t0 = performance.now();
  const layout = readModelLayout(dir, opts.name);
  const tokenizers = layout.tokenizerDirs.map(loadTokenizer);
  const engine = await createEngine(layout.files as Record<string, string>);
  try {
    const contract = readContract(engine, layout);
    const text: TextEncoderSet = {
      engine,
      encoders: contract.textEncoders.map((c, i) => ({
        contract: c,
        tokenizer: tokenizers[i] ?? tokenizers[0],
      })),
    };
    const loadMs = performance.now() - t0;
    opts.logger?.info(
      { model: layout.name, family: contract.family, ep: engine.executionProvider, loadMs },
      'model loaded',
    );
    return { layout, contract, engine, tokenizers, text, loadMs };
  } catch (err) {
    await engine.release();
    throw err;
  }
}

export function modelInfo(m: LoadedModel): ModelInfo {
  return {
    name: m.layout.name,
    dir: m.layout.dir,
    family: m.contract.family,
    inpainting: m.contract.inpainting,
    prediction: m.contract.prediction,
    vaeScaleFactor: m.layout.vaeScaleFactor,
    executionProvider: m.engine.executionProvider,
    seededEncoder: m.contract.vae.encoderDeterministic,
    cfgBatched: m.contract.unet.batchDynamic,
    nativeSize: nativeSize(m),
    loadMs: m.loadMs,
  };
}

function nativeSize(m: LoadedModel): number {
  const sample = m.layout.unetConfig.sample_size;
  if (typeof sample === 'number' && sample > 0) return sample * m.layout.vaeScaleFactor;
  const f = m.contract.family;
  return f === 'sdxl' || f === 'sdxl-turbo' ? 1024 : f === 'sd2-v' ? 768 : 512;
}
