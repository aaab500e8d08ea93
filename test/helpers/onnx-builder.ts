// Builds small ONNX models in code (protobuf encoded by hand) so tests can run real ORT sessions
// on models with the right input/output contract but tiny, seeded weights.

type Bytes = number[];

function varint(n: number | bigint, out: Bytes): void {
  let v = BigInt.asUintN(64, BigInt(n));
  while (v >= 0x80n) {
    out.push(Number((v & 0x7fn) | 0x80n));
    v >>= 7n;
  }
  out.push(Number(v));
}

function key(field: number, wire: number, out: Bytes): void {
  varint((field << 3) | wire, out);
}

function int(field: number, n: number | bigint, out: Bytes): void {
  key(field, 0, out);
  varint(n, out);
}

function bytes(field: number, data: ArrayLike<number>, out: Bytes): void {
  key(field, 2, out);
  varint(data.length, out);
  for (let i = 0; i < data.length; i++) out.push(data[i]);
}

function str(field: number, s: string, out: Bytes): void {
  bytes(field, new TextEncoder().encode(s), out);
}

function msg(field: number, build: (o: Bytes) => void, out: Bytes): void {
  const inner: Bytes = [];
  build(inner);
  bytes(field, inner, out);
}

export const ElemType = { float: 1, int32: 6, int64: 7 } as const;

export interface ValueInfo {
  name: string;
  elemType: number;
  /** numbers for fixed dims, strings for symbolic ones */
  shape: Array<number | string>;
}

export interface Initializer {
  name: string;
  dims: number[];
  elemType: number;
  data: Float32Array | BigInt64Array | Int32Array;
}

export interface NodeSpec {
  op: string;
  inputs: string[];
  outputs: string[];
  name?: string;
  attrs?: Record<string, number | number[]>;
}

function valueInfo(field: number, v: ValueInfo, out: Bytes): void {
  msg(
    field,
    (o) => {
      str(1, v.name, o);
      msg(
        2,
        (t) =>
          msg(
            1,
            (tt) => {
              int(1, v.elemType, tt);
              msg(
                2,
                (shape) => {
                  for (const d of v.shape) {
                    msg(1, (dim) => (typeof d === 'number' ? int(1, d, dim) : str(2, d, dim)), shape);
                  }
                },
                tt,
              );
            },
            t,
          ),
        o,
      );
    },
    out,
  );
}

/** Serialises a single-graph ONNX model (opset 14). */
export function buildOnnxModel(spec: {
  nodes: NodeSpec[];
  inputs: ValueInfo[];
  outputs: ValueInfo[];
  initializers: Initializer[];
}): Uint8Array {
  const out: Bytes = [];
  int(1, 8, out); // ir_version
  str(2, 'stipple-tests', out); // producer_name
  msg(
    7,
    (g) => {
      spec.nodes.forEach((n, i) => {
        msg(
          1,
          (o) => {
            for (const x of n.inputs) str(1, x, o);
            for (const x of n.outputs) str(2, x, o);
            str(3, n.name ?? `${n.op}_${i}`, o);
            str(4, n.op, o);
            for (const [name, v] of Object.entries(n.attrs ?? {})) {
              msg(
                5,
                (a) => {
                  str(1, name, a);
                  if (Array.isArray(v)) {
                    for (const x of v) int(8, x, a);
                    int(20, 7, a); // INTS
                  } else {
                    int(3, v, a);
                    int(20, 2, a); // INT
                  }
                },
                o,
              );
            }
          },
          g,
        );
      });
      str(2, 'graph', g);
      for (const t of spec.initializers) {
        msg(
          5,
          (o) => {
            for (const d of t.dims) int(1, d, o);
            int(2, t.elemType, o);
            str(8, t.name, o);
            bytes(9, new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength), o);
          },
          g,
        );
      }
      for (const v of spec.inputs) valueInfo(11, v, g);
      for (const v of spec.outputs) valueInfo(12, v, g);
    },
    out,
  );
  msg(
    8,
    (o) => {
      str(1, '', o);
      int(2, 14, o);
    },
    out,
  );
  return Uint8Array.from(out);
}

/** Deterministic pseudo-random floats in [-1, 1) (xorshift32), for seeded test weights. */
export function seededFloats(n: number, seed: number): Float32Array {
  const a = new Float32Array(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    a[i] = (x / 0x100000000) * 2 - 1;
  }
  return a;
}
