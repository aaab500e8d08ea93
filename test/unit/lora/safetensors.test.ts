import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AdapterError } from '../../../companion/pipeline/lora/adapter-errors.js';
import {
  MAX_HEADER_BYTES,
  readSafetensors,
  tensorToFloat32,
} from '../../../companion/pipeline/lora/safetensors.js';
import { buildSafetensors } from './safetensors-builder.js';

function refused(fn: () => unknown, reason: string, text?: RegExp): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof AdapterError, `expected AdapterError, got ${err}`);
    assert.equal(err.reason, reason);
    assert.equal(err.code, 'E_BAD_REQUEST');
    if (text) assert.match(err.message, text);
    return true;
  });
}

const ok = () =>
  buildSafetensors(
    {
      a: { shape: [2, 2], values: [1, 2, 3, 4] },
      b: { dtype: 'F16', shape: [3], values: [0.5, -2, 0] },
      c: { dtype: 'BF16', shape: [1, 2], values: [1.5, -0.25] },
    },
    { metadata: { ss_network_dim: '4' } },
  );

describe('strict safetensors reader', () => {
  it('reads f32, f16 and bf16 tensors as float32 with their metadata', () => {
    const st = readSafetensors(ok(), 'x.safetensors', 'loras');
    assert.deepEqual(st.metadata, { ss_network_dim: '4' });
    const get = (k: string) => [...tensorToFloat32(st.tensors.get(k)!, k, 'x', 'loras')];
    assert.deepEqual(get('a'), [1, 2, 3, 4]);
    assert.deepEqual(get('b'), [0.5, -2, 0]);
    assert.deepEqual(get('c'), [1.5, -0.25]);
  });

  it('refuses a file shorter than the 8-byte length prefix', () => {
    refused(() => readSafetensors(new Uint8Array(5), 'x.safetensors', 'loras'), 'not_safetensors');
  });

  it('refuses a header longer than the 100 MB limit', () => {
    const bytes = buildSafetensors(
      { a: { shape: [1], values: [1] } },
      { headerLength: BigInt(MAX_HEADER_BYTES + 1) },
    );
    refused(() => readSafetensors(bytes, 'x.safetensors', 'loras'), 'bad_header', /limit/);
  });

  it('refuses a header length that runs past the end of a truncated file', () => {
    const bytes = ok();
    refused(
      () => readSafetensors(bytes.subarray(0, 40), 'x.safetensors', 'loras'),
      'bad_header',
      /truncated/,
    );
  });

  it('refuses tensor data cut short (truncated download)', () => {
    const bytes = ok();
    refused(
      () => readSafetensors(bytes.subarray(0, bytes.length - 3), 'x.safetensors', 'loras'),
      'bad_header',
    );
  });

  it('refuses overlapping data offsets', () => {
    const bytes = buildSafetensors(
      { a: { shape: [2], values: [1, 2] }, b: { shape: [2], values: [3, 4] } },
      { mutateHeader: (h) => ((h.b as { data_offsets: number[] }).data_offsets = [4, 12]) },
    );
    refused(() => readSafetensors(bytes, 'x.safetensors', 'loras'), 'bad_header', /overlaps/);
  });

  it('refuses a gap between tensors and bytes after the last one', () => {
    const gap = buildSafetensors(
      { a: { shape: [1], values: [1] }, b: { shape: [1], values: [2] } },
      { mutateHeader: (h) => ((h.a as { data_offsets: number[] }).data_offsets = [0, 0]) },
    );
    refused(() => readSafetensors(gap, 'x.safetensors', 'loras'), 'bad_header');
    const extra = new Uint8Array([...ok(), 0, 0, 0, 0]);
    refused(() => readSafetensors(extra, 'x.safetensors', 'loras'), 'bad_header', /unexplained/);
  });

  it('refuses a shape whose byte size overflows or disagrees with the offsets', () => {
    const huge = buildSafetensors(
      { a: { shape: [1], values: [1] } },
      { mutateHeader: (h) => ((h.a as { shape: number[] }).shape = [2 ** 40, 2 ** 40]) },
    );
    refused(() => readSafetensors(huge, 'x.safetensors', 'loras'), 'bad_header', /needs/);
    const neg = buildSafetensors(
      { a: { shape: [1], values: [1] } },
      { mutateHeader: (h) => ((h.a as { shape: number[] }).shape = [-1]) },
    );
    refused(() => readSafetensors(neg, 'x.safetensors', 'loras'), 'bad_header', /shape/);
  });

  it('refuses unknown dtypes and non-string metadata', () => {
    const dt = buildSafetensors(
      { a: { shape: [1], values: [1] } },
      { mutateHeader: (h) => ((h.a as { dtype: string }).dtype = 'F8_E4M3') },
    );
    refused(() => readSafetensors(dt, 'x.safetensors', 'loras'), 'bad_header', /dtype/);
    const meta = buildSafetensors(
      { a: { shape: [1], values: [1] } },
      { mutateHeader: (h) => (h.__metadata__ = { n: 4 }) },
    );
    refused(() => readSafetensors(meta, 'x.safetensors', 'loras'), 'bad_header', /metadata/);
  });

  it('refuses a file whose header is not JSON', () => {
    const bytes = new Uint8Array(64);
    new DataView(bytes.buffer).setBigUint64(0, 20n, true);
    bytes.set(new TextEncoder().encode('this is not json!!!!'), 8);
    refused(() => readSafetensors(bytes, 'x.safetensors', 'loras'), 'not_safetensors');
  });

  it('refuses pickles by extension and by content, saying that they can run code', () => {
    refused(() => readSafetensors(ok(), 'style.pt', 'embeddings'), 'unsafe_pickle', /run any code/);
    refused(() => readSafetensors(ok(), 'model.ckpt', 'loras'), 'unsafe_pickle');
    const zip = new Uint8Array([0x50, 0x4b, 0x03, 0x04, 0, 0, 0, 0, 0, 0]);
    refused(() => readSafetensors(zip, 'renamed.safetensors', 'loras'), 'unsafe_pickle');
    const pickle = new Uint8Array([0x80, 0x02, 0x7d, 0x71, 0, 0, 0, 0, 0, 0]);
    refused(() => readSafetensors(pickle, 'renamed.safetensors', 'loras'), 'unsafe_pickle');
  });
});
