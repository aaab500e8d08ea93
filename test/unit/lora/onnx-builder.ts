// Encodes small ONNX ModelProtos in tests (nodes + float initializers), using the protobuf wire encoders.
import { encodeTensor } from '../../../companion/pipeline/lora/onnx-model-proto.js';
import {
  concatBytes,
  encodeKey,
  encodeLenField,
  encodeVarint,
  encodeVarintField,
  WIRE_LEN,
} from '../../../companion/pipeline/lora/protobuf-wire.js';

const text = (s: string) => new TextEncoder().encode(s);

export interface BuildNode {
  name: string;
  op: string;
  inputs: string[];
  outputs?: string[];
  ints?: Record<string, number[]>;
}

function encodeNode(n: BuildNode): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const i of n.inputs) parts.push(...encodeLenField(1, text(i)));
  for (const o of n.outputs ?? [`${n.name}_out`]) parts.push(...encodeLenField(2, text(o)));
  parts.push(...encodeLenField(3, text(n.name)), ...encodeLenField(4, text(n.op)));
  for (const [name, values] of Object.entries(n.ints ?? {})) {
    const attr: Uint8Array[] = [...encodeLenField(1, text(name))];
    if (values.length === 1) attr.push(...encodeVarintField(3, values[0]));
    else {
      const packed = concatBytes(values.map((v) => encodeVarint(v)));
      attr.push(encodeKey(8, WIRE_LEN), encodeVarint(packed.length), packed);
    }
    parts.push(...encodeLenField(5, concatBytes(attr)));
  }
  return concatBytes(parts);
}

export function buildOnnx(
  nodes: BuildNode[],
  initializers: { name: string; dims: number[]; values: Float32Array }[],
): Uint8Array {
  const graph: Uint8Array[] = [];
  for (const n of nodes) graph.push(...encodeLenField(1, encodeNode(n)));
  graph.push(...encodeLenField(2, text('g')));
  for (const i of initializers) {
    graph.push(
      ...encodeLenField(5, encodeTensor(i.name, i.dims, 1, new Uint8Array(i.values.slice().buffer))),
    );
  }
  return concatBytes([...encodeVarintField(1, 8), ...encodeLenField(7, concatBytes(graph))]);
}
