// PNG container checks and the A1111 `parameters` text chunk, on raw bytes (no decoding).
// Checks the signature, every chunk's CRC and the IHDR's declared size before any pixel is inflated,
// so truncated files, corrupt files and decompression bombs fail early with a clear message.
import { crc32 } from 'node:zlib';
import { PipelineError } from '../pipeline/pipeline-errors.js';

const SIGNATURE = Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a);

export interface PngChunk {
  type: string;
  /** Offset of the chunk's length field. */
  offset: number;
  data: Uint8Array;
}

export function isPng(bytes: Uint8Array): boolean {
  if (bytes.length < 8) return false;
  for (let i = 0; i < 8; i++) if (bytes[i] !== SIGNATURE[i]) return false;
  return true;
}

function u32(b: Uint8Array, o: number): number {
  return ((b[o] << 24) | (b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3]) >>> 0;
}

function bad(field: string, why: string): PipelineError {
  return new PipelineError('E_BAD_IMAGE', `\`${field}\` is not a valid PNG: ${why}`, { field });
}

/** All chunks, verified (signature, lengths, CRCs, IHDR first, IEND present). */
export function readPngChunks(bytes: Uint8Array, field = 'image'): PngChunk[] {
  if (!isPng(bytes)) throw bad(field, 'wrong signature');
  const chunks: PngChunk[] = [];
  let o = 8;
  while (o < bytes.length) {
    if (o + 12 > bytes.length) throw bad(field, `truncated at byte ${o}`);
    const len = u32(bytes, o);
    if (o + 12 + len > bytes.length) throw bad(field, `truncated chunk at byte ${o}`);
    const type = String.fromCharCode(...bytes.subarray(o + 4, o + 8));
    const crc = u32(bytes, o + 8 + len);
    if (crc32(bytes.subarray(o + 4, o + 8 + len)) !== crc) throw bad(field, `bad CRC in ${type} chunk`);
    chunks.push({ type, offset: o, data: bytes.subarray(o + 8, o + 8 + len) });
    o += 12 + len;
    if (type === 'IEND') break;
  }
  if (chunks[0]?.type !== 'IHDR') throw bad(field, 'IHDR is not the first chunk');
  if (chunks[chunks.length - 1].type !== 'IEND') throw bad(field, 'truncated (no IEND)');
  return chunks;
}

export function pngSize(chunks: PngChunk[]): { width: number; height: number } {
  const ihdr = chunks[0].data;
  return { width: u32(ihdr, 0), height: u32(ihdr, 4) };
}

function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  out.set(data, 8);
  view.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
  return out;
}

/**
 * Adds a text chunk after IHDR. Latin-1 text goes in tEXt (what A1111 writes); anything else in an
 * uncompressed iTXt (UTF-8), which PNG Info readers also accept.
 */
export function withTextChunk(png: Uint8Array, keyword: string, text: string): Uint8Array {
  const chunks = readPngChunks(png, 'png');
  const latin1 = [...text].every((ch) => ch.charCodeAt(0) < 256 && ch.length === 1);
  const key = Buffer.from(keyword, 'latin1');
  const body = latin1
    ? Buffer.concat([key, Buffer.of(0), Buffer.from(text, 'latin1')])
    : Buffer.concat([key, Buffer.of(0, 0, 0, 0, 0), Buffer.from(text, 'utf8')]);
  const extra = chunk(latin1 ? 'tEXt' : 'iTXt', body);
  const ihdrEnd = chunks[0].offset + 12 + chunks[0].data.length;
  const out = new Uint8Array(png.length + extra.length);
  out.set(png.subarray(0, ihdrEnd), 0);
  out.set(extra, ihdrEnd);
  out.set(png.subarray(ihdrEnd), ihdrEnd + extra.length);
  return out;
}

/** The text of a tEXt/iTXt chunk with this keyword (uncompressed forms), or undefined. */
export function readTextChunk(png: Uint8Array, keyword: string): string | undefined {
  for (const c of readPngChunks(png, 'png')) {
    if (c.type !== 'tEXt' && c.type !== 'iTXt') continue;
    const nul = c.data.indexOf(0);
    if (nul < 0 || Buffer.from(c.data.subarray(0, nul)).toString('latin1') !== keyword) continue;
    if (c.type === 'tEXt') return Buffer.from(c.data.subarray(nul + 1)).toString('latin1');
    if (c.data[nul + 1] !== 0) continue; // compressed iTXt: not written by us
    let p = nul + 3;
    p = c.data.indexOf(0, p) + 1; // language tag
    p = c.data.indexOf(0, p) + 1; // translated keyword
    return Buffer.from(c.data.subarray(p)).toString('utf8');
  }
  return undefined;
}
