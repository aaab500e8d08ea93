// Builds safetensors bytes in tests (header JSON + contiguous data), with hooks to break the rules.
import type { SafetensorsDtype } from '../../../companion/pipeline/lora/safetensors.js';

export interface BuildTensor {
  dtype?: SafetensorsDtype;
  shape: number[];
  /** float32 values (converted for F16/BF16 by truncation of the bits: tests use exact values). */
  values: number[] | Float32Array;
}

function encode(t: BuildTensor): Uint8Array {
  const dtype = t.dtype ?? 'F32';
  const f32 = Float32Array.from(t.values);
  if (dtype === 'F32') return new Uint8Array(f32.buffer);
  const u32 = new Uint32Array(f32.buffer);
  const out = new Uint8Array(f32.length * 2);
  const view = new DataView(out.buffer);
  for (let i = 0; i < f32.length; i++) {
    if (dtype === 'BF16') view.setUint16(i * 2, u32[i] >>> 16, true);
    else {
      // exact halves only (tests use small dyadic values)
      const x = u32[i];
      const sign = (x >>> 16) & 0x8000;
      const exp = ((x >>> 23) & 0xff) - 127 + 15;
      const mant = (x >>> 13) & 0x3ff;
      view.setUint16(i * 2, f32[i] === 0 ? sign : sign | (exp << 10) | mant, true);
    }
  }
  return out;
}

export function buildSafetensors(
  tensors: Record<string, BuildTensor>,
  opts: {
    metadata?: Record<string, string>;
    mutateHeader?: (h: Record<string, unknown>) => void;
    headerLength?: bigint;
  } = {},
): Uint8Array {
  const header: Record<string, unknown> = {};
  if (opts.metadata) header.__metadata__ = opts.metadata;
  const blobs: Uint8Array[] = [];
  let offset = 0;
  for (const [name, t] of Object.entries(tensors)) {
    const bytes = encode(t);
    header[name] = { dtype: t.dtype ?? 'F32', shape: t.shape, data_offsets: [offset, offset + bytes.length] };
    blobs.push(bytes);
    offset += bytes.length;
  }
  opts.mutateHeader?.(header);
  const json = new TextEncoder().encode(JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + offset);
  new DataView(out.buffer).setBigUint64(0, opts.headerLength ?? BigInt(json.length), true);
  out.set(json, 8);
  let o = 8 + json.length;
  for (const b of blobs) {
    out.set(b, o);
    o += b.length;
  }
  return out;
}
