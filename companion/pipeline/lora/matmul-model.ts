// A one-node ONNX model, C = A·B with dynamic shapes, so the LoRA products up·down (hundreds of millions
// of multiply-adds for an SD-size LoRA) run on ORT's multithreaded MatMul instead of a JS loop.
import { concatBytes, encodeLenField, encodeVarintField } from './protobuf-wire.js';

const text = (s: string) => new TextEncoder().encode(s);

function valueInfo(name: string, dims: [string, string]): Uint8Array {
  const shape = concatBytes(dims.flatMap((d) => encodeLenField(1, concatBytes(encodeLenField(2, text(d))))));
  const tensorType = concatBytes([...encodeVarintField(1, 1), ...encodeLenField(2, shape)]);
  const type = concatBytes(encodeLenField(1, tensorType));
  return concatBytes([...encodeLenField(1, text(name)), ...encodeLenField(2, type)]);
}

/** ModelProto bytes: inputs A (m,k), B (k,n) float32 -> output C (m,n). */
export function matmulModelBytes(): Uint8Array {
  const node = concatBytes([
    ...encodeLenField(1, text('A')),
    ...encodeLenField(1, text('B')),
    ...encodeLenField(2, text('C')),
    ...encodeLenField(3, text('lowrank')),
    ...encodeLenField(4, text('MatMul')),
  ]);
  const graph = concatBytes([
    ...encodeLenField(1, node),
    ...encodeLenField(2, text('lora_product')),
    ...encodeLenField(11, valueInfo('A', ['m', 'k'])),
    ...encodeLenField(11, valueInfo('B', ['k', 'n'])),
    ...encodeLenField(12, valueInfo('C', ['m', 'n'])),
  ]);
  const opset = concatBytes([...encodeLenField(1, text('')), ...encodeVarintField(2, 14)]);
  return concatBytes([
    ...encodeVarintField(1, 8),
    ...encodeLenField(2, text('stipple')),
    ...encodeLenField(7, graph),
    ...encodeLenField(8, opset),
  ]);
}
