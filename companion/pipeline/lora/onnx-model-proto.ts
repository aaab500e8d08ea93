// A minimal ONNX ModelProto reader/writer (onnx/onnx.proto3): the graph's nodes (name, op type, inputs,
// a few int attributes) and its initializers (name, dims, dtype, where the bytes are: inline raw_data,
// float_data, or external data with location/offset/length). Enough to find and rewrite weights.
// Reads spans into the caller's buffer, never copies tensor data; writes by splicing re-encoded
// initializers into the original bytes, so everything else in the model stays byte-identical.
import {
  concatBytes,
  encodeLenField,
  encodeVarintField,
  fieldString,
  fields,
  ProtoError,
  readInt64s,
  WIRE_LEN,
  WIRE_VARINT,
  type WireField,
} from './protobuf-wire.js';

/** TensorProto.DataType values used by Stable Diffusion exports. */
export const ONNX_DTYPE = { FLOAT: 1, INT32: 6, INT64: 7, FLOAT16: 10, DOUBLE: 11, BFLOAT16: 16 } as const;

export interface OnnxNode {
  name: string;
  opType: string;
  inputs: string[];
  outputs: string[];
  /** Integer and integer-list attributes (transB, perm, ...). */
  ints: Record<string, bigint[]>;
}

export interface ExternalRef {
  location: string;
  offset: number;
  /** Undefined when the proto omits it (then: element count × size). */
  length?: number;
}

export interface OnnxInitializer {
  name: string;
  dims: number[];
  dataType: number;
  /** Span of the whole `initializer` field inside the model bytes (for splicing). */
  fieldStart: number;
  fieldEnd: number;
  raw?: { start: number; end: number };
  /** Packed float_data span (FLOAT tensors written without raw_data). */
  floatData?: { start: number; end: number };
  external?: ExternalRef;
}

export interface OnnxModelIndex {
  bytes: Uint8Array;
  /** Span of ModelProto.graph (the whole field) and its payload. */
  graphField: { start: number; end: number; valueStart: number; valueEnd: number };
  nodes: OnnxNode[];
  initializers: Map<string, OnnxInitializer>;
  /** Output name -> producing node. */
  producers: Map<string, OnnxNode>;
  /** Initializer name -> number of node inputs that read it. */
  useCount: Map<string, number>;
}

function parseNode(buf: Uint8Array, f: WireField): OnnxNode {
  const node: OnnxNode = { name: '', opType: '', inputs: [], outputs: [], ints: {} };
  for (const g of fields(buf, f.valueStart, f.valueEnd)) {
    if (g.wire !== WIRE_LEN) continue;
    if (g.field === 1) node.inputs.push(fieldString(buf, g));
    else if (g.field === 2) node.outputs.push(fieldString(buf, g));
    else if (g.field === 3) node.name = fieldString(buf, g);
    else if (g.field === 4) node.opType = fieldString(buf, g);
    else if (g.field === 5) {
      let name = '';
      const ints: bigint[] = [];
      for (const a of fields(buf, g.valueStart, g.valueEnd)) {
        if (a.field === 1 && a.wire === WIRE_LEN) name = fieldString(buf, a);
        else if (a.field === 3 && a.wire === WIRE_VARINT) ints.push(BigInt.asIntN(64, a.varint ?? 0n));
        else if (a.field === 8) readInt64s(buf, a, ints);
      }
      if (name && ints.length) node.ints[name] = ints;
    }
  }
  return node;
}

function parseInitializer(buf: Uint8Array, f: WireField): OnnxInitializer {
  const dims: bigint[] = [];
  const init: OnnxInitializer = { name: '', dims: [], dataType: 0, fieldStart: f.start, fieldEnd: f.end };
  const ext: Record<string, string> = {};
  let location = 0;
  for (const g of fields(buf, f.valueStart, f.valueEnd)) {
    if (g.field === 1) readInt64s(buf, g, dims);
    else if (g.field === 2 && g.wire === WIRE_VARINT) init.dataType = Number(g.varint);
    else if (g.field === 8 && g.wire === WIRE_LEN) init.name = fieldString(buf, g);
    else if (g.field === 9 && g.wire === WIRE_LEN) init.raw = { start: g.valueStart, end: g.valueEnd };
    else if (g.field === 4 && g.wire === WIRE_LEN) init.floatData = { start: g.valueStart, end: g.valueEnd };
    else if (g.field === 14 && g.wire === WIRE_VARINT) location = Number(g.varint);
    else if (g.field === 13 && g.wire === WIRE_LEN) {
      let key = '';
      let value = '';
      for (const e of fields(buf, g.valueStart, g.valueEnd)) {
        if (e.field === 1) key = fieldString(buf, e);
        else if (e.field === 2) value = fieldString(buf, e);
      }
      ext[key] = value;
    }
  }
  init.dims = dims.map((d) => {
    if (d < 0n || d > BigInt(Number.MAX_SAFE_INTEGER))
      throw new ProtoError(`initializer ${init.name} has dim ${d}`);
    return Number(d);
  });
  if (location === 1 || ext.location !== undefined) {
    if (!ext.location) throw new ProtoError(`initializer ${init.name} is external but names no location`);
    init.external = {
      location: ext.location,
      offset: ext.offset ? Number(ext.offset) : 0,
      ...(ext.length ? { length: Number(ext.length) } : {}),
    };
  }
  return init;
}

/** Indexes a serialized ModelProto. Throws ProtoError on malformed bytes. */
export function readOnnxModel(bytes: Uint8Array): OnnxModelIndex {
  let graph: WireField | undefined;
  for (const f of fields(bytes, 0, bytes.byteLength)) if (f.field === 7 && f.wire === WIRE_LEN) graph = f;
  if (!graph) throw new ProtoError('not an ONNX model: no graph');
  const nodes: OnnxNode[] = [];
  const initializers = new Map<string, OnnxInitializer>();
  for (const f of fields(bytes, graph.valueStart, graph.valueEnd)) {
    if (f.wire !== WIRE_LEN) continue;
    if (f.field === 1) nodes.push(parseNode(bytes, f));
    else if (f.field === 5) {
      const init = parseInitializer(bytes, f);
      initializers.set(init.name, init);
    }
  }
  const producers = new Map<string, OnnxNode>();
  const useCount = new Map<string, number>();
  for (const n of nodes) {
    for (const o of n.outputs) producers.set(o, n);
    for (const i of n.inputs) if (initializers.has(i)) useCount.set(i, (useCount.get(i) ?? 0) + 1);
  }
  return {
    bytes,
    graphField: {
      start: graph.start,
      end: graph.end,
      valueStart: graph.valueStart,
      valueEnd: graph.valueEnd,
    },
    nodes,
    initializers,
    producers,
    useCount,
  };
}

/** A TensorProto with inline raw_data. */
export function encodeTensor(
  name: string,
  dims: readonly number[],
  dataType: number,
  raw: Uint8Array,
): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const d of dims) parts.push(...encodeVarintField(1, d));
  parts.push(...encodeVarintField(2, dataType));
  parts.push(...encodeLenField(8, new TextEncoder().encode(name)));
  parts.push(...encodeLenField(9, raw));
  return concatBytes(parts);
}

/**
 * The model with some initializers replaced by new TensorProtos (same name; any size or location).
 * Everything else is copied unchanged.
 */
export function spliceInitializers(
  model: OnnxModelIndex,
  replacements: ReadonlyMap<string, Uint8Array>,
): Uint8Array {
  const { bytes, graphField } = model;
  const targets = [...replacements.keys()].map((name) => {
    const init = model.initializers.get(name);
    if (!init) throw new ProtoError(`no initializer named ${name}`);
    return init;
  });
  targets.sort((a, b) => a.fieldStart - b.fieldStart);
  const graphParts: Uint8Array[] = [];
  let pos = graphField.valueStart;
  for (const t of targets) {
    graphParts.push(bytes.subarray(pos, t.fieldStart));
    graphParts.push(...encodeLenField(5, replacements.get(t.name)!));
    pos = t.fieldEnd;
  }
  graphParts.push(bytes.subarray(pos, graphField.valueEnd));
  const graph = concatBytes(graphParts);
  return concatBytes([
    bytes.subarray(0, graphField.start),
    ...encodeLenField(7, graph),
    bytes.subarray(graphField.end),
  ]);
}
