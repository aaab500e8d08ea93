// A one-node ONNX model y = Identity(x) of any shape, written as protobuf bytes. Run on the WebGPU provider with
// preferredOutputLocation 'gpu-buffer', it is how host data becomes a device tensor in onnxruntime-node (which
// has no GPUDevice of its own to create buffers from).
import type { TensorType } from './engine.js';

/** ONNX TensorProto.DataType codes. */
const ELEM_TYPE: Record<TensorType, number> = { float32: 1, int32: 6, int64: 7, float16: 10 };

function varint(n: number): number[] {
  const out: number[] = [];
  let v = n;
  while (v > 0x7f) {
    out.push((v & 0x7f) | 0x80);
    v = Math.floor(v / 128);
  }
  out.push(v);
  return out;
}

const utf8 = (s: string) => [...new TextEncoder().encode(s)];
const varintField = (field: number, value: number) => [...varint(field << 3), ...varint(value)];
const lenField = (field: number, payload: number[]) => [
  ...varint((field << 3) | 2),
  ...varint(payload.length),
  ...payload,
];

/** ValueInfoProto: name + TypeProto.tensor_type with an element type and no shape (any rank). */
function valueInfo(name: string, elemType: number): number[] {
  const tensorType = varintField(1, elemType);
  return [...lenField(1, utf8(name)), ...lenField(2, lenField(1, tensorType))];
}

export function identityModelBytes(type: TensorType): Uint8Array {
  const elem = ELEM_TYPE[type];
  const node = [...lenField(1, utf8('x')), ...lenField(2, utf8('y')), ...lenField(4, utf8('Identity'))];
  const graph = [
    ...lenField(1, node),
    ...lenField(2, utf8('stipple_upload')),
    ...lenField(11, valueInfo('x', elem)),
    ...lenField(12, valueInfo('y', elem)),
  ];
  const opset = [...lenField(1, []), ...varintField(2, 14)];
  return Uint8Array.from([
    ...varintField(1, 8), // ir_version
    ...lenField(2, utf8('stipple')), // producer_name
    ...lenField(7, graph),
    ...lenField(8, opset),
  ]);
}
