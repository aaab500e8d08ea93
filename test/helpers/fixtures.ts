// Locates ../shared/fixtures (beside the checkout, present in CI) and reads its tensors.
// Tests that need fixtures call `requireFixtures(t)` and skip with a clear message when absent.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const fixturesDir = process.env.STIPPLE_FIXTURES ?? path.resolve(repoRoot, '../shared/fixtures');
export const haveFixtures = existsSync(fixturesDir);
export const skipNoFixtures = haveFixtures ? false : `fixtures not found at ${fixturesDir}`;

export function fixturePath(...parts: string[]): string {
  return path.join(fixturesDir, ...parts);
}

export function readFixtureJson<T = unknown>(...parts: string[]): T {
  return JSON.parse(readFileSync(fixturePath(...parts), 'utf8')) as T;
}

export interface Tensor {
  shape: number[];
  dtype: 'float32' | 'float64' | 'int64';
  data: Float32Array | Float64Array | BigInt64Array;
  meta: Record<string, unknown>;
}

/** Reads `<name>.json` sidecar + raw little-endian data from a fixture folder (name without extension). */
export function readFixtureTensor(...parts: string[]): Tensor {
  const base = fixturePath(...parts);
  const meta = JSON.parse(readFileSync(`${base}.json`, 'utf8')) as Record<string, unknown>;
  const file = path.join(path.dirname(base), String(meta.file));
  const buf = readFileSync(file);
  const bytes = buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength);
  const dtype = String(meta.dtype) as Tensor['dtype'];
  const data =
    dtype === 'float64'
      ? new Float64Array(bytes)
      : dtype === 'int64'
        ? new BigInt64Array(bytes)
        : new Float32Array(bytes);
  return { shape: meta.shape as number[], dtype, data, meta };
}

/** Largest absolute element-wise difference. */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length mismatch: ${a.length} vs ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}
