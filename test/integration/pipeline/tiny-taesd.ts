// A TAESD-shaped decoder for tests: (B,4,h,w) latents -> (B,3,h*f,w*f) image through one ConvTranspose
// (kernel f, stride f) with seeded weights, so every output pixel is an affine map of one latent pixel and
// the expected image can be computed in JS: out[c][y*f+i][x*f+j] = bias[c] + Σk W[k][c][i][j]·lat[k][y][x].
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { buildOnnxModel, ElemType, seededFloats } from '../../helpers/onnx-builder.js';

export interface TinyTaesd {
  f: number;
  weight: Float32Array;
  bias: Float32Array;
  outputName: string;
}

export function tinyTaesd(f: number, outputName = 'image', seed = 5, bias = 0.5, gain = 0.15): TinyTaesd {
  const weight = seededFloats(4 * 3 * f * f, seed).map((v) => v * gain);
  return { f, weight, bias: Float32Array.of(bias, bias - 0.1, bias + 0.1), outputName };
}

export function tinyTaesdOnnx(t: TinyTaesd): Uint8Array {
  return buildOnnxModel({
    nodes: [
      {
        op: 'ConvTranspose',
        inputs: ['latent_sample', 'W', 'B'],
        outputs: [t.outputName],
        attrs: { kernel_shape: [t.f, t.f], strides: [t.f, t.f] },
      },
    ],
    inputs: [{ name: 'latent_sample', elemType: ElemType.float, shape: ['batch', 4, 'h', 'w'] }],
    outputs: [{ name: t.outputName, elemType: ElemType.float, shape: ['batch', 3, 'H', 'W'] }],
    initializers: [
      { name: 'W', dims: [4, 3, t.f, t.f], elemType: ElemType.float, data: t.weight },
      { name: 'B', dims: [3], elemType: ElemType.float, data: t.bias },
    ],
  });
}

/** Writes `<dir>/<sub>/model.onnx` (+ config.json when given). */
export function writeTinyTaesd(dir: string, sub: string, t: TinyTaesd, config?: object): string {
  mkdirSync(path.join(dir, sub), { recursive: true });
  const file = path.join(dir, sub, 'model.onnx');
  writeFileSync(file, tinyTaesdOnnx(t));
  if (config) writeFileSync(path.join(dir, sub, 'config.json'), JSON.stringify(config));
  return file;
}

/** The raw decoder output for (1,4,h,w) latents, in float64 (ORT computes in float32: compare with a tolerance). */
export function tinyTaesdRaw(t: TinyTaesd, lat: Float32Array, h: number, w: number): Float64Array {
  const { f } = t;
  const H = h * f;
  const W = w * f;
  const out = new Float64Array(3 * H * W);
  for (let c = 0; c < 3; c++)
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++)
        for (let i = 0; i < f; i++)
          for (let j = 0; j < f; j++) {
            let v = t.bias[c];
            for (let k = 0; k < 4; k++)
              v += t.weight[((k * 3 + c) * f + i) * f + j] * lat[(k * h + y) * w + x];
            out[c * H * W + (y * f + i) * W + x * f + j] = v;
          }
  return out;
}

/** What the pipeline should make of that output: [0,1] taken as is, [-1,1] mapped by x/2+0.5; clamped. */
export function toImage(raw: Float64Array, range: '0..1' | '-1..1'): Float64Array {
  return raw.map((v) => Math.min(1, Math.max(0, range === '-1..1' ? v / 2 + 0.5 : v)));
}
