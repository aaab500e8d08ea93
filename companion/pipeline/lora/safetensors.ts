// A strict safetensors reader (format: huggingface/safetensors, `safetensors/src/tensor.rs` validation):
// 8-byte little-endian header length, a JSON header no larger than MAX_HEADER_BYTES, every tensor with a
// known dtype, a shape of safe non-negative integers, and data offsets that are contiguous from 0, do not
// overlap, end exactly at the end of the file and match dtype × shape. Anything else is refused: a LoRA
// is user-downloaded input. Pickles (.pt/.ckpt/.bin/.pth) are refused before reading, because unpickling
// runs code. Must not touch ORT or the disk: bytes in, views out.
import { fromHalfBits } from '../runtime/float16.js';
import { AdapterError } from './adapter-errors.js';

/** safetensors' own limit (100 MB); real LoRA headers are a few hundred KB. */
export const MAX_HEADER_BYTES = 100_000_000;

export const DTYPE_BYTES = {
  F64: 8,
  F32: 4,
  F16: 2,
  BF16: 2,
  I64: 8,
  I32: 4,
  I16: 2,
  I8: 1,
  U8: 1,
  BOOL: 1,
} as const;
export type SafetensorsDtype = keyof typeof DTYPE_BYTES;

export interface SafeTensor {
  dtype: SafetensorsDtype;
  shape: number[];
  /** View into the file bytes (not aligned: copy before typed-array use). */
  bytes: Uint8Array;
}

export interface SafetensorsFile {
  tensors: Map<string, SafeTensor>;
  /** `__metadata__`: string -> string, as the format requires. */
  metadata: Record<string, string>;
}

const PICKLE_EXTENSIONS = ['.pt', '.pth', '.ckpt', '.bin', '.pkl', '.pickle'];

export function pickleRefusal(file: string, field: string): AdapterError {
  return new AdapterError(
    'unsafe_pickle',
    `refusing ${file}: it is a PyTorch pickle (.pt/.ckpt/.bin), and loading a pickle can run any code it ` +
      'contains on this machine. Use the .safetensors version of this file (most sites offer one), or convert ' +
      'it yourself in a sandbox you trust.',
    { field },
  );
}

/** Refuses pickled checkpoints by extension or by content (zip archive of torch.save, or pickle opcodes). */
export function assertNotPickle(file: string, head: Uint8Array, field: string): void {
  const lower = file.toLowerCase();
  if (PICKLE_EXTENSIONS.some((e) => lower.endsWith(e))) throw pickleRefusal(file, field);
  const zip = head[0] === 0x50 && head[1] === 0x4b && head[2] === 0x03 && head[3] === 0x04;
  const pickle = head[0] === 0x80 && head[1] >= 2 && head[1] <= 5;
  if (zip || pickle) throw pickleRefusal(file, field);
}

function bad(file: string, field: string, rule: string): AdapterError {
  return new AdapterError('bad_header', `${file} is not a valid safetensors file: ${rule}`, { field });
}

export function readSafetensors(bytes: Uint8Array, file: string, field: string): SafetensorsFile {
  assertNotPickle(file, bytes.subarray(0, 4), field);
  if (bytes.byteLength < 8) {
    throw new AdapterError(
      'not_safetensors',
      `${file} is not a safetensors file: only ${bytes.byteLength} bytes`,
      {
        field,
      },
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLen = view.getBigUint64(0, true);
  if (headerLen > BigInt(MAX_HEADER_BYTES)) {
    throw bad(file, field, `header length ${headerLen} exceeds the ${MAX_HEADER_BYTES}-byte limit`);
  }
  const n = Number(headerLen);
  if (8 + n > bytes.byteLength) {
    throw bad(
      file,
      field,
      `header length ${n} runs past the end of the ${bytes.byteLength}-byte file (truncated?)`,
    );
  }
  let header: unknown;
  try {
    const text = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + n));
    if (!text.startsWith('{')) throw new Error('header does not start with "{"');
    header = JSON.parse(text);
  } catch (err) {
    throw new AdapterError(
      'not_safetensors',
      `${file} is not a safetensors file: the header is not JSON (${err instanceof Error ? err.message : err})`,
      { field },
    );
  }
  if (!header || typeof header !== 'object' || Array.isArray(header)) {
    throw new AdapterError(
      'not_safetensors',
      `${file} is not a safetensors file: the header is not a JSON object`,
      {
        field,
      },
    );
  }
  const data = bytes.subarray(8 + n);
  const metadata: Record<string, string> = {};
  const entries: { name: string; dtype: SafetensorsDtype; shape: number[]; begin: number; end: number }[] =
    [];
  for (const [name, raw] of Object.entries(header as Record<string, unknown>)) {
    if (name === '__metadata__') {
      if (!raw || typeof raw !== 'object' || Array.isArray(raw))
        throw bad(file, field, '__metadata__ is not an object');
      for (const [k, v] of Object.entries(raw as Record<string, unknown>)) {
        if (typeof v !== 'string') throw bad(file, field, `__metadata__.${k} is not a string`);
        metadata[k] = v;
      }
      continue;
    }
    const t = raw as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    if (!t || typeof t !== 'object') throw bad(file, field, `tensor ${name} is not an object`);
    if (typeof t.dtype !== 'string' || !Object.hasOwn(DTYPE_BYTES, t.dtype)) {
      throw bad(file, field, `tensor ${name} has unsupported dtype ${JSON.stringify(t.dtype)}`);
    }
    const dtype = t.dtype as SafetensorsDtype;
    if (!Array.isArray(t.shape) || !t.shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
      throw bad(file, field, `tensor ${name} has an invalid shape ${JSON.stringify(t.shape)}`);
    }
    const offsets = t.data_offsets;
    if (
      !Array.isArray(offsets) ||
      offsets.length !== 2 ||
      !offsets.every((o) => Number.isSafeInteger(o) && o >= 0) ||
      offsets[1] < offsets[0]
    ) {
      throw bad(file, field, `tensor ${name} has invalid data_offsets ${JSON.stringify(offsets)}`);
    }
    // Element count × size in BigInt: a shape like [2^40, 2^40] must not wrap around.
    let count = 1n;
    for (const d of t.shape as number[]) count *= BigInt(d);
    const size = count * BigInt(DTYPE_BYTES[dtype]);
    if (size !== BigInt(offsets[1] - offsets[0])) {
      throw bad(
        file,
        field,
        `tensor ${name}: ${dtype} ${JSON.stringify(t.shape)} needs ${size} bytes, data_offsets give ${offsets[1] - offsets[0]}`,
      );
    }
    entries.push({ name, dtype, shape: [...(t.shape as number[])], begin: offsets[0], end: offsets[1] });
  }
  entries.sort((a, b) => a.begin - b.begin || a.end - b.end);
  let expected = 0;
  for (const e of entries) {
    if (e.begin < expected)
      throw bad(file, field, `tensor ${e.name} overlaps the previous tensor (offset ${e.begin})`);
    if (e.begin > expected)
      throw bad(file, field, `gap before tensor ${e.name} (offset ${e.begin}, expected ${expected})`);
    expected = e.end;
  }
  if (expected > data.byteLength) {
    throw bad(
      file,
      field,
      `tensor data ends at ${expected} but the file has ${data.byteLength} data bytes (truncated)`,
    );
  }
  if (expected !== data.byteLength) {
    throw bad(file, field, `${data.byteLength - expected} unexplained bytes after the last tensor`);
  }
  const tensors = new Map<string, SafeTensor>();
  for (const e of entries) {
    tensors.set(e.name, { dtype: e.dtype, shape: e.shape, bytes: data.subarray(e.begin, e.end) });
  }
  return { tensors, metadata };
}

/** A tensor's values as float32 (F32, F16, BF16, F64 accepted). */
export function tensorToFloat32(t: SafeTensor, name: string, file: string, field: string): Float32Array {
  const count = t.shape.reduce((a, b) => a * b, 1);
  const view = new DataView(t.bytes.buffer, t.bytes.byteOffset, t.bytes.byteLength);
  const out = new Float32Array(count);
  switch (t.dtype) {
    case 'F32':
      for (let i = 0; i < count; i++) out[i] = view.getFloat32(i * 4, true);
      return out;
    case 'F16':
      for (let i = 0; i < count; i++) out[i] = fromHalfBits(view.getUint16(i * 2, true));
      return out;
    case 'BF16': {
      const u32 = new Uint32Array(out.buffer);
      for (let i = 0; i < count; i++) u32[i] = view.getUint16(i * 2, true) << 16;
      return out;
    }
    case 'F64':
      for (let i = 0; i < count; i++) out[i] = view.getFloat64(i * 8, true);
      return out;
    default:
      throw new AdapterError(
        'bad_header',
        `${file}: tensor ${name} has dtype ${t.dtype}, expected a float type`,
        {
          field,
        },
      );
  }
}
