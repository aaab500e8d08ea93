// Reads the text chunks of a PNG (tEXt and uncompressed iTXt) without decoding the image, so
// any side (a plugin, the CLI, the daemon) can read A1111's `parameters` chunk back. Pure: bytes
// in, strings out; it does not inflate zTXt or compressed iTXt (no zlib here) and never throws.

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a] as const;

export interface PngTextChunk {
  keyword: string;
  text: string;
  /** `tEXt` is Latin-1; `iTXt` is UTF-8. */
  chunkType: 'tEXt' | 'iTXt';
}

export function isPngBytes(bytes: Uint8Array): boolean {
  if (bytes.length < PNG_SIGNATURE.length) return false;
  return PNG_SIGNATURE.every((b, i) => bytes[i] === b);
}

function latin1(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return s;
}

function parseText(data: Uint8Array): PngTextChunk | null {
  const nul = data.indexOf(0);
  if (nul < 1) return null;
  return { keyword: latin1(data.subarray(0, nul)), text: latin1(data.subarray(nul + 1)), chunkType: 'tEXt' };
}

/** iTXt: keyword \0 compressionFlag compressionMethod languageTag \0 translatedKeyword \0 text. */
function parseInternationalText(data: Uint8Array): PngTextChunk | null {
  const nul = data.indexOf(0);
  if (nul < 1 || nul + 3 > data.length) return null;
  if (data[nul + 1] !== 0) return null; // compressed: needs zlib, not read here
  const langEnd = data.indexOf(0, nul + 3);
  if (langEnd < 0) return null;
  const translatedEnd = data.indexOf(0, langEnd + 1);
  if (translatedEnd < 0) return null;
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(data.subarray(translatedEnd + 1));
  } catch {
    return null;
  }
  return { keyword: latin1(data.subarray(0, nul)), text, chunkType: 'iTXt' };
}

/** Every readable text chunk, in file order. Stops quietly at the first malformed chunk. */
export function readPngTextChunks(bytes: Uint8Array): PngTextChunk[] {
  if (!isPngBytes(bytes)) return [];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: PngTextChunk[] = [];
  let pos = PNG_SIGNATURE.length;
  while (pos + 12 <= bytes.length) {
    const length = view.getUint32(pos, false);
    const type = latin1(bytes.subarray(pos + 4, pos + 8));
    const dataStart = pos + 8;
    const dataEnd = dataStart + length;
    if (dataEnd + 4 > bytes.length) break;
    const data = bytes.subarray(dataStart, dataEnd);
    const chunk = type === 'tEXt' ? parseText(data) : type === 'iTXt' ? parseInternationalText(data) : null;
    if (chunk) out.push(chunk);
    if (type === 'IEND') break;
    pos = dataEnd + 4;
  }
  return out;
}

/** The text of the first chunk with that keyword, or undefined. */
export function readPngText(bytes: Uint8Array, keyword: string): string | undefined {
  return readPngTextChunks(bytes).find((c) => c.keyword === keyword)?.text;
}
