// "Reverse prompt": ranks candidate keywords against an image by CLIP image–text cosine
// similarity and proposes a prompt (subject first, then medium, style, lighting, …). Runs the
// CLIP vision and text ONNX models of an `interrogator` model folder (Xenova/optimum layout:
// onnx/vision_model*.onnx + onnx/text_model*.onnx, preprocessor_config.json, vocab.json/merges.txt)
// through the Engine seam; keyword embeddings are computed once per model and cached.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { type ClipTokenizer, createClipTokenizer } from '../../../shared/prompt/clip-tokenizer';
import { decodeRgb, resizeImage } from '../../images/image-codec';
import { PipelineError } from '../pipeline-errors';
import type { Engine, HostTensor } from '../runtime/engine';
import { castFloat, castInts, toFloat32 } from '../runtime/tensor-cast';
import { INTERROGATE_KEYWORDS, KEYWORD_CATEGORIES, type KeywordCategory } from './interrogate-keywords';

export interface ClipFiles {
  vision: string;
  text: string;
  dir: string;
}

export interface RankedKeyword {
  category: KeywordCategory;
  text: string;
  score: number;
}

export interface Interrogation {
  prompt: string;
  keywords: RankedKeyword[];
}

interface Preprocess {
  size: number;
  mean: [number, number, number];
  std: [number, number, number];
}

const TEXT_LENGTH = 77;

function pickOnnx(dir: string, stem: string): string | null {
  const onnxDir = path.join(dir, 'onnx');
  if (!existsSync(onnxDir)) return null;
  const files = readdirSync(onnxDir).filter((f) => f.startsWith(stem) && f.endsWith('.onnx'));
  // Prefer full precision where both exist; fp16 is what the catalog downloads.
  const order = [`${stem}.onnx`, `${stem}_fp16.onnx`, `${stem}_quantized.onnx`];
  const chosen = order.find((f) => files.includes(f)) ?? files.sort()[0];
  return chosen ? path.join(onnxDir, chosen) : null;
}

/** The CLIP files of an interrogator folder; throws E_MODEL_LAYOUT naming what is missing. */
export function findClipFiles(dir: string): ClipFiles {
  const vision = pickOnnx(dir, 'vision_model');
  const text = pickOnnx(dir, 'text_model');
  for (const [what, f] of [
    ['onnx/vision_model*.onnx', vision],
    ['onnx/text_model*.onnx', text],
    ['vocab.json', existsSync(path.join(dir, 'vocab.json')) ? 'ok' : null],
    ['merges.txt', existsSync(path.join(dir, 'merges.txt')) ? 'ok' : null],
  ] as const) {
    if (!f) throw new PipelineError('E_MODEL_LAYOUT', `the CLIP model folder ${dir} has no ${what}`);
  }
  return { vision: vision!, text: text!, dir };
}

function readPreprocess(dir: string): Preprocess {
  const file = path.join(dir, 'preprocessor_config.json');
  const p = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>) : {};
  const crop = p.crop_size as number | { height?: number } | undefined;
  const size = typeof crop === 'number' ? crop : (crop?.height ?? 224);
  return {
    size,
    mean: (p.image_mean as [number, number, number]) ?? [0.48145466, 0.4578275, 0.40821073],
    std: (p.image_std as [number, number, number]) ?? [0.26862954, 0.26130258, 0.27577711],
  };
}

function normalize(v: Float32Array): Float32Array {
  let n = 0;
  for (const x of v) n += x * x;
  n = Math.sqrt(n) || 1;
  return v.map((x) => x / n);
}

export class ClipInterrogator {
  private keywordEmbeddings: Map<KeywordCategory, Float32Array[]> | null = null;

  private constructor(
    private readonly engine: Engine,
    private readonly tokenizer: ClipTokenizer,
    private readonly pre: Preprocess,
  ) {}

  /** `engine` must hold components `vision` and `text` (see findClipFiles). */
  static create(engine: Engine, dir: string): ClipInterrogator {
    const json = (f: string) =>
      existsSync(path.join(dir, f)) ? JSON.parse(readFileSync(path.join(dir, f), 'utf8')) : undefined;
    const tokenizer = createClipTokenizer({
      vocab: json('vocab.json'),
      merges: readFileSync(path.join(dir, 'merges.txt'), 'utf8'),
      config: json('tokenizer_config.json'),
      specialTokensMap: json('special_tokens_map.json'),
    });
    return new ClipInterrogator(engine, tokenizer, readPreprocess(dir));
  }

  private embeddingOf(out: Record<string, HostTensor>, name: string, dim0: number): Float32Array[] {
    const t = out[name] ?? Object.values(out)[0];
    const data = toFloat32(t);
    const d = data.length / dim0;
    return Array.from({ length: dim0 }, (_, i) => normalize(data.slice(i * d, (i + 1) * d)));
  }

  async imageEmbedding(bytes: Uint8Array): Promise<Float32Array> {
    const { size, mean, std } = this.pre;
    const rgb = await resizeImage(await decodeRgb(bytes, 'image'), size, size, 'fill');
    const plane = size * size;
    const x = new Float32Array(3 * plane);
    for (let i = 0; i < plane; i++) {
      for (let c = 0; c < 3; c++) x[c * plane + i] = (rgb.data[i * 3 + c] / 255 - mean[c]) / std[c];
    }
    const input = this.engine.info('vision').inputs[0];
    const out = await this.engine.run('vision', {
      [input.name]: castFloat(x, [1, 3, size, size], input.type),
    });
    return this.embeddingOf(out, 'image_embeds', 1)[0];
  }

  async textEmbeddings(texts: readonly string[]): Promise<Float32Array[]> {
    const info = this.engine.info('text');
    const ids: number[] = [];
    const mask: number[] = [];
    for (const t of texts) {
      const row = this.tokenizer.encodeWithSpecials(t).slice(0, TEXT_LENGTH);
      row[row.length - 1] = this.tokenizer.eosId;
      const pad = TEXT_LENGTH - row.length;
      ids.push(...row, ...new Array(pad).fill(this.tokenizer.eosId));
      mask.push(...new Array(row.length).fill(1), ...new Array(pad).fill(0));
    }
    const feeds: Record<string, HostTensor> = {};
    for (const input of info.inputs) {
      if (input.name === 'input_ids')
        feeds[input.name] = castInts(ids, [texts.length, TEXT_LENGTH], input.type);
      else if (input.name === 'attention_mask')
        feeds[input.name] = castInts(mask, [texts.length, TEXT_LENGTH], input.type);
    }
    return this.embeddingOf(await this.engine.run('text', feeds), 'text_embeds', texts.length);
  }

  private async keywords(): Promise<Map<KeywordCategory, Float32Array[]>> {
    if (this.keywordEmbeddings) return this.keywordEmbeddings;
    const map = new Map<KeywordCategory, Float32Array[]>();
    for (const c of KEYWORD_CATEGORIES) {
      const list = INTERROGATE_KEYWORDS[c];
      const out: Float32Array[] = [];
      for (let i = 0; i < list.length; i += 32)
        out.push(...(await this.textEmbeddings(list.slice(i, i + 32))));
      map.set(c, out);
    }
    this.keywordEmbeddings = map;
    return map;
  }

  /** Ranked keywords per category (best first) and a proposed prompt. */
  async interrogate(bytes: Uint8Array, topK = 3): Promise<Interrogation> {
    const img = await this.imageEmbedding(bytes);
    const table = await this.keywords();
    const keywords: RankedKeyword[] = [];
    const picks: string[] = [];
    for (const c of KEYWORD_CATEGORIES) {
      const list = INTERROGATE_KEYWORDS[c];
      const scored = table
        .get(c)!
        .map((e, i) => ({ category: c, text: list[i], score: e.reduce((a, x, j) => a + x * img[j], 0) }))
        .sort((a, b) => b.score - a.score || a.text.localeCompare(b.text));
      keywords.push(...scored.slice(0, topK));
      picks.push(scored[0].text);
    }
    return { prompt: picks.join(', '), keywords };
  }
}
