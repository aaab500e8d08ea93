// One ONNX component's weights in memory: the model bytes, its external data files (read once, from the
// component's own folder only), and float32 read/write of any initializer wherever its bytes live.
// Patching produces an InMemoryModel — new model bytes plus external-data buffers — for ORT to load;
// the files on disk are never written.
import { readFileSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { fromHalfBits, toHalfBits } from '../runtime/float16.js';
import { AdapterError } from './adapter-errors.js';
import {
  ONNX_DTYPE,
  type OnnxInitializer,
  type OnnxModelIndex,
  readOnnxModel,
  spliceInitializers,
} from './onnx-model-proto.js';
import { concatBytes, encodeLenField, encodeVarintField } from './protobuf-wire.js';

/** What ORT needs to create a session without touching the files: model bytes + external data buffers. */
export interface InMemoryModel {
  modelBytes: Uint8Array;
  externalData: { path: string; data: Uint8Array }[];
}

export interface ComponentWeights {
  file: string;
  model: OnnxModelIndex;
  /** External data location (as written in the model) -> file bytes. */
  external: Map<string, Uint8Array>;
}

export function loadComponentWeights(file: string): ComponentWeights {
  const dir = realpathSync(path.dirname(file));
  const bytes = new Uint8Array(readFileSync(file));
  const model = readOnnxModel(bytes);
  const external = new Map<string, Uint8Array>();
  for (const init of model.initializers.values()) {
    const loc = init.external?.location;
    if (!loc || external.has(loc)) continue;
    const target = realpathSync(path.resolve(dir, loc));
    if (path.isAbsolute(loc) || (target !== dir && !target.startsWith(dir + path.sep))) {
      throw new AdapterError('vae_incompatible', `${file} names external data ${loc} outside its folder`, {
        field: 'model',
      });
    }
    external.set(loc, new Uint8Array(readFileSync(target)));
  }
  return { file, model, external };
}

function elementCount(init: OnnxInitializer): number {
  return init.dims.reduce((a, b) => a * b, 1);
}

function elementBytes(init: OnnxInitializer): number {
  if (init.dataType === ONNX_DTYPE.FLOAT) return 4;
  if (init.dataType === ONNX_DTYPE.FLOAT16 || init.dataType === ONNX_DTYPE.BFLOAT16) return 2;
  throw new Error(`initializer ${init.name} has data type ${init.dataType}, not a float weight`);
}

/** Where an initializer's element bytes are: a buffer and a span (inline raw/float data or external). */
export function initializerBytes(
  w: ComponentWeights,
  init: OnnxInitializer,
): { buf: Uint8Array; start: number; end: number; location?: string } {
  const size = elementCount(init) * elementBytes(init);
  if (init.external) {
    const buf = w.external.get(init.external.location)!;
    const start = init.external.offset;
    const end = start + (init.external.length ?? size);
    if (end > buf.byteLength || end - start !== size) {
      throw new Error(`initializer ${init.name}: external span ${start}..${end} does not fit ${size} bytes`);
    }
    return { buf, start, end, location: init.external.location };
  }
  const span = init.raw ?? (init.dataType === ONNX_DTYPE.FLOAT ? init.floatData : undefined);
  if (!span || span.end - span.start !== size) {
    throw new Error(`initializer ${init.name} has no raw data of ${size} bytes`);
  }
  return { buf: w.model.bytes, start: span.start, end: span.end };
}

export function decodeFloats(bytes: Uint8Array, dataType: number): Float32Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (dataType === ONNX_DTYPE.FLOAT) {
    const out = new Float32Array(bytes.byteLength / 4);
    for (let i = 0; i < out.length; i++) out[i] = view.getFloat32(i * 4, true);
    return out;
  }
  const out = new Float32Array(bytes.byteLength / 2);
  if (dataType === ONNX_DTYPE.FLOAT16) {
    for (let i = 0; i < out.length; i++) out[i] = fromHalfBits(view.getUint16(i * 2, true));
  } else {
    const u32 = new Uint32Array(out.buffer);
    for (let i = 0; i < out.length; i++) u32[i] = view.getUint16(i * 2, true) << 16;
  }
  return out;
}

export function encodeFloats(values: Float32Array, dataType: number): Uint8Array {
  if (dataType === ONNX_DTYPE.FLOAT) {
    const out = new Uint8Array(values.length * 4);
    const view = new DataView(out.buffer);
    for (let i = 0; i < values.length; i++) view.setFloat32(i * 4, values[i], true);
    return out;
  }
  const out = new Uint8Array(values.length * 2);
  const view = new DataView(out.buffer);
  if (dataType === ONNX_DTYPE.FLOAT16) {
    for (let i = 0; i < values.length; i++) view.setUint16(i * 2, toHalfBits(values[i]), true);
  } else {
    const u32 = new Uint32Array(values.buffer, values.byteOffset, values.length);
    // bfloat16: round to nearest even on the upper 16 bits.
    for (let i = 0; i < values.length; i++) {
      const x = u32[i];
      view.setUint16(i * 2, ((x + 0x7fff + ((x >>> 16) & 1)) >>> 16) & 0xffff, true);
    }
  }
  return out;
}

export function readInitializer(
  w: ComponentWeights,
  name: string,
): { init: OnnxInitializer; values: Float32Array } {
  const init = w.model.initializers.get(name);
  if (!init) throw new Error(`no initializer ${name} in ${w.file}`);
  const { buf, start, end } = initializerBytes(w, init);
  return { init, values: decodeFloats(buf.subarray(start, end), init.dataType) };
}

/** Name of the in-memory external data file that holds patched copies of external initializers. */
export const PATCH_DATA_LOCATION = 'stipple-patched-weights.bin';

function encodeExternalTensor(init: OnnxInitializer, offset: number, length: number): Uint8Array {
  const text = new TextEncoder();
  const entry = (key: string, value: string) =>
    concatBytes([...encodeLenField(1, text.encode(key)), ...encodeLenField(2, text.encode(value))]);
  const parts: Uint8Array[] = [];
  for (const d of init.dims) parts.push(...encodeVarintField(1, d));
  parts.push(...encodeVarintField(2, init.dataType));
  parts.push(...encodeLenField(8, text.encode(init.name)));
  parts.push(...encodeLenField(13, entry('location', PATCH_DATA_LOCATION)));
  parts.push(...encodeLenField(13, entry('offset', String(offset))));
  parts.push(...encodeLenField(13, entry('length', String(length))));
  parts.push(...encodeVarintField(14, 1));
  return concatBytes(parts);
}

/**
 * The model with the given initializers changed (same dtype and size). Inline ones are overwritten in a
 * copy of the model bytes; external ones move to one new in-memory data file (PATCH_DATA_LOCATION) so
 * the original external files are passed to ORT as they are, shared by every patched session.
 */
export function overwriteInitializers(
  w: ComponentWeights,
  updates: ReadonlyMap<string, Float32Array>,
): InMemoryModel {
  let modelBytes = w.model.bytes;
  const moved = new Map<string, Uint8Array>();
  const sidecar: Uint8Array[] = [];
  let sidecarSize = 0;
  for (const [name, values] of updates) {
    const init = w.model.initializers.get(name)!;
    const span = initializerBytes(w, init);
    const encoded = encodeFloats(values, init.dataType);
    if (span.location) {
      const pad = (64 - (sidecarSize % 64)) % 64;
      if (pad) sidecar.push(new Uint8Array(pad));
      sidecarSize += pad;
      moved.set(name, encodeExternalTensor(init, sidecarSize, encoded.byteLength));
      sidecar.push(encoded);
      sidecarSize += encoded.byteLength;
    } else {
      if (modelBytes === w.model.bytes) modelBytes = new Uint8Array(w.model.bytes);
      modelBytes.set(encoded, span.start);
    }
  }
  if (moved.size) modelBytes = spliceInitializers({ ...w.model, bytes: modelBytes }, moved);
  const externalData = [...w.external].map(([loc, data]) => ({ path: loc, data }));
  if (sidecar.length) externalData.push({ path: PATCH_DATA_LOCATION, data: concatBytes(sidecar) });
  return { modelBytes, externalData };
}
