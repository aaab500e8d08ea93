// The text encoder with LoRA updates and textual-inversion rows: LoRA deltas are written in place (same
// size), the token-embedding table (the initializer the token_embedding Gather reads) is re-encoded with
// the new rows appended — ids from the old row count up, as diffusers' resize_token_embeddings does.
import { AdapterError } from '../lora/adapter-errors.js';
import { encodeTensor, readOnnxModel, spliceInitializers } from '../lora/onnx-model-proto.js';
import {
  type ComponentWeights,
  encodeFloats,
  type InMemoryModel,
  initializerBytes,
  overwriteInitializers,
} from '../lora/onnx-weights.js';
import { concatBytes } from '../lora/protobuf-wire.js';

export interface TokenTable {
  initializer: string;
  rows: number;
  dim: number;
}

/** The token-embedding table: input[0] of `/text_model/embeddings/token_embedding/Gather`. */
export function findTokenTable(w: ComponentWeights): TokenTable {
  const node =
    w.model.nodes.find((n) => n.opType === 'Gather' && n.name.endsWith('/token_embedding/Gather')) ??
    w.model.nodes.find((n) => n.opType === 'Gather' && n.inputs[0]?.endsWith('token_embedding.weight'));
  const init = node ? w.model.initializers.get(node.inputs[0]) : undefined;
  if (init?.dims.length !== 2) {
    throw new AdapterError('unsupported_format', `${w.file} has no token_embedding Gather over a 2-D table`, {
      field: 'embeddings',
    });
  }
  return { initializer: init.name, rows: init.dims[0], dim: init.dims[1] };
}

export function patchTextEncoder(
  w: ComponentWeights,
  loraUpdates: ReadonlyMap<string, Float32Array>,
  extraRows: Float32Array | undefined,
): InMemoryModel {
  const patched = overwriteInitializers(w, loraUpdates);
  if (!extraRows || extraRows.length === 0) return patched;
  const table = findTokenTable(w);
  // Index the patched bytes again: moving LoRA-patched external weights may have shifted offsets.
  const index = patched.modelBytes === w.model.bytes ? w.model : readOnnxModel(patched.modelBytes);
  const init = index.initializers.get(table.initializer)!;
  const span = initializerBytes({ ...w, model: index }, init);
  const raw = concatBytes([span.buf.subarray(span.start, span.end), encodeFloats(extraRows, init.dataType)]);
  const rows = table.rows + extraRows.length / table.dim;
  const tensor = encodeTensor(init.name, [rows, table.dim], init.dataType, raw);
  const modelBytes = spliceInitializers(index, new Map([[init.name, tensor]]));
  return { modelBytes, externalData: patched.externalData };
}
