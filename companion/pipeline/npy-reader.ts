// Reads a NumPy .npy float32 array (v1-v3 header, C order, little-endian) for `stipple generate --latents`.
import { PipelineError } from './pipeline-errors.js';

export function readNpyFloat32(
  bytes: Uint8Array,
  field = 'latents',
): { data: Float32Array; shape: number[] } {
  const bad = (why: string) =>
    new PipelineError('E_BAD_REQUEST', `\`${field}\` is not a float32 .npy file: ${why}`, { field });
  if (bytes.length < 10 || bytes[0] !== 0x93 || String.fromCharCode(...bytes.subarray(1, 6)) !== 'NUMPY')
    throw bad('wrong magic');
  const major = bytes[6];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLen = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const start = major === 1 ? 10 : 12;
  const header = Buffer.from(bytes.subarray(start, start + headerLen)).toString('latin1');
  const descr = /'descr':\s*'([^']+)'/.exec(header)?.[1];
  const fortran = /'fortran_order':\s*True/.test(header);
  const shapeText = /'shape':\s*\(([^)]*)\)/.exec(header)?.[1];
  if (descr !== '<f4') throw bad(`dtype ${descr} (need <f4)`);
  if (fortran) throw bad('Fortran order');
  if (shapeText === undefined) throw bad('no shape');
  const shape = shapeText
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map(Number);
  const count = shape.reduce((a, b) => a * b, 1);
  const offset = start + headerLen;
  if (bytes.length - offset < count * 4) throw bad('truncated data');
  const data = new Float32Array(count);
  for (let i = 0; i < count; i++) data[i] = view.getFloat32(offset + i * 4, true);
  return { data, shape };
}
