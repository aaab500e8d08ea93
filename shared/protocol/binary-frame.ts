// Binary frame layout, both directions:
//   bytes 0..3   "STPL" magic
//   bytes 4..7   header length N (uint32, big-endian)
//   bytes 8..8+N UTF-8 JSON header (validated by BinaryHeader)
//   rest         payload (PNG bytes)
// Client → daemon: `attachment` frames carry input images, referenced by `ref` from `generate`.
// Daemon → client: `preview` (small JPEG/PNG while running) and `result` (final PNG).
import { z } from 'zod';
import { AttachmentRef } from './generate-request';

export const BINARY_MAGIC = [0x53, 0x54, 0x50, 0x4c] as const; // "STPL"
export const MAX_BINARY_HEADER_BYTES = 4096;

export const AttachmentHeader = z.object({
  kind: z.literal('attachment'),
  ref: AttachmentRef,
  mime: z.enum(['image/png', 'image/jpeg', 'image/webp']).default('image/png'),
});
export const PreviewHeader = z.object({
  kind: z.literal('preview'),
  jobId: z.string(),
  image: z.number().int(),
  step: z.number().int(),
  steps: z.number().int(),
  width: z.number().int(),
  height: z.number().int(),
  mime: z.literal('image/png'),
});
export const ResultHeader = z.object({
  kind: z.literal('result'),
  jobId: z.string(),
  index: z.number().int(),
  seed: z.number(),
  width: z.number().int(),
  height: z.number().int(),
  mime: z.literal('image/png'),
});
export const BinaryHeader = z.discriminatedUnion('kind', [AttachmentHeader, PreviewHeader, ResultHeader]);
export type BinaryHeader = z.infer<typeof BinaryHeader>;
export type BinaryHeaderInput = z.input<typeof BinaryHeader>;

export interface BinaryFrame {
  header: BinaryHeader;
  payload: Uint8Array;
}

export function encodeBinaryFrame(header: BinaryHeaderInput, payload: Uint8Array): Uint8Array {
  const headerBytes = new TextEncoder().encode(JSON.stringify(header));
  const out = new Uint8Array(8 + headerBytes.length + payload.length);
  out.set(BINARY_MAGIC, 0);
  new DataView(out.buffer).setUint32(4, headerBytes.length, false);
  out.set(headerBytes, 8);
  out.set(payload, 8 + headerBytes.length);
  return out;
}

export type DecodeResult = { ok: true; frame: BinaryFrame } | { ok: false; reason: string };

/** Decodes and validates a frame; never throws. */
export function decodeBinaryFrame(bytes: Uint8Array): DecodeResult {
  if (bytes.length < 8) return { ok: false, reason: 'binary frame shorter than its 8-byte prefix' };
  for (let i = 0; i < 4; i++) {
    if (bytes[i] !== BINARY_MAGIC[i]) return { ok: false, reason: 'binary frame does not start with "STPL"' };
  }
  const n = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(4, false);
  if (n > MAX_BINARY_HEADER_BYTES)
    return { ok: false, reason: `binary header must be at most ${MAX_BINARY_HEADER_BYTES} bytes, got ${n}` };
  if (8 + n > bytes.length)
    return { ok: false, reason: 'binary header length runs past the end of the frame' };
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + n)));
  } catch {
    return { ok: false, reason: 'binary header is not valid UTF-8 JSON' };
  }
  const parsed = BinaryHeader.safeParse(json);
  if (!parsed.success)
    return { ok: false, reason: `binary header invalid: ${parsed.error.issues[0]?.message ?? 'unknown'}` };
  return { ok: true, frame: { header: parsed.data, payload: bytes.subarray(8 + n) } };
}
