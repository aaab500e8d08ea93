// The protobuf wire format, just enough to walk ONNX files: varints, length-delimited fields and their
// byte spans, and the encoders to write a field back. Lengths stay in Number: ONNX protos are < 2 GiB.
// Must not allocate copies of payloads: readers hand out spans into the caller's buffer.

export const WIRE_VARINT = 0;
export const WIRE_FIXED64 = 1;
export const WIRE_LEN = 2;
export const WIRE_FIXED32 = 5;

export interface WireField {
  field: number;
  wire: number;
  /** Span of the whole field (key, length prefix and payload) in the buffer. */
  start: number;
  end: number;
  /** Payload span for WIRE_LEN fields; for the others, the value's bytes. */
  valueStart: number;
  valueEnd: number;
  /** Varint value (WIRE_VARINT only), as a bigint to keep int64 exact. */
  varint?: bigint;
}

export class ProtoError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProtoError';
  }
}

export function readVarint(buf: Uint8Array, pos: number, end: number): { value: bigint; next: number } {
  let result = 0n;
  let shift = 0n;
  for (let i = 0; i < 10; i++) {
    if (pos >= end) throw new ProtoError(`truncated varint at byte ${pos}`);
    const b = buf[pos++];
    result |= BigInt(b & 0x7f) << shift;
    if ((b & 0x80) === 0) return { value: result, next: pos };
    shift += 7n;
  }
  throw new ProtoError(`varint longer than 10 bytes at byte ${pos}`);
}

/** Iterates the fields of the message that occupies buf[start, end). */
export function* fields(buf: Uint8Array, start: number, end: number): Generator<WireField> {
  let pos = start;
  while (pos < end) {
    const fieldStart = pos;
    const key = readVarint(buf, pos, end);
    pos = key.next;
    const field = Number(key.value >> 3n);
    const wire = Number(key.value & 7n);
    if (field === 0) throw new ProtoError(`field number 0 at byte ${fieldStart}`);
    if (wire === WIRE_VARINT) {
      const v = readVarint(buf, pos, end);
      yield {
        field,
        wire,
        start: fieldStart,
        end: v.next,
        valueStart: pos,
        valueEnd: v.next,
        varint: v.value,
      };
      pos = v.next;
    } else if (wire === WIRE_LEN) {
      const len = readVarint(buf, pos, end);
      const valueStart = len.next;
      const valueEnd = valueStart + Number(len.value);
      if (len.value > BigInt(end - valueStart)) {
        throw new ProtoError(`field ${field} at byte ${fieldStart} runs past its message`);
      }
      yield { field, wire, start: fieldStart, end: valueEnd, valueStart, valueEnd };
      pos = valueEnd;
    } else if (wire === WIRE_FIXED64 || wire === WIRE_FIXED32) {
      const size = wire === WIRE_FIXED64 ? 8 : 4;
      if (pos + size > end) throw new ProtoError(`truncated fixed field ${field} at byte ${fieldStart}`);
      yield { field, wire, start: fieldStart, end: pos + size, valueStart: pos, valueEnd: pos + size };
      pos += size;
    } else {
      throw new ProtoError(`unsupported wire type ${wire} (field ${field}) at byte ${fieldStart}`);
    }
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

export function fieldString(buf: Uint8Array, f: WireField): string {
  return utf8.decode(buf.subarray(f.valueStart, f.valueEnd));
}

/** Values of a repeated int64 field, packed or not (protobuf accepts both). */
export function readInt64s(buf: Uint8Array, f: WireField, into: bigint[]): void {
  if (f.wire === WIRE_VARINT) {
    into.push(BigInt.asIntN(64, f.varint ?? 0n));
    return;
  }
  let pos = f.valueStart;
  while (pos < f.valueEnd) {
    const v = readVarint(buf, pos, f.valueEnd);
    into.push(BigInt.asIntN(64, v.value));
    pos = v.next;
  }
}

export function encodeVarint(value: number | bigint): Uint8Array {
  let v = BigInt.asUintN(64, BigInt(value));
  const out: number[] = [];
  do {
    let b = Number(v & 0x7fn);
    v >>= 7n;
    if (v !== 0n) b |= 0x80;
    out.push(b);
  } while (v !== 0n);
  return Uint8Array.from(out);
}

export function encodeKey(field: number, wire: number): Uint8Array {
  return encodeVarint((field << 3) | wire);
}

export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  let size = 0;
  for (const p of parts) size += p.byteLength;
  const out = new Uint8Array(size);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.byteLength;
  }
  return out;
}

export function encodeLenField(field: number, payload: Uint8Array): Uint8Array[] {
  return [encodeKey(field, WIRE_LEN), encodeVarint(payload.byteLength), payload];
}

export function encodeVarintField(field: number, value: number | bigint): Uint8Array[] {
  return [encodeKey(field, WIRE_VARINT), encodeVarint(value)];
}
