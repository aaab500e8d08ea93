// LoRA module path -> the ONNX initializer it changes, found through the graph (fixtures/tiny-sd/lora
// README): torch.onnx names each node after its module scope (`/down_blocks.1/attentions.0/…/to_q/MatMul`),
// the weight is the node's input[1], and its layout depends on the op: MatMul stores Wᵀ (in, out) as an
// `onnx::MatMul_*` constant — or reads W through a Transpose —, Gemm stores W (out, in) when transB=1,
// Conv stores W (out, in, kh, kw). Paths are matched exactly (diffusers/PEFT) or in kohya's `_`-flattened
// form, built from the model's own paths rather than guessed back from kohya names.
import type { OnnxModelIndex } from './onnx-model-proto.js';

export interface WeightTarget {
  /** Dotted module path, e.g. `down_blocks.1.attentions.0.transformer_blocks.0.attn1.to_q`. */
  path: string;
  node: string;
  opType: 'MatMul' | 'Gemm' | 'Conv';
  initializer: string;
  /** 'transposed': the stored tensor is Wᵀ of torch's (out, in) weight. */
  layout: 'transposed' | 'as_is';
  /** torch weight shape: (out, in) or (out, in, kh, kw). */
  torchShape: number[];
  /** How many node inputs read the initializer (a shared one cannot be patched in place). */
  useCount: number;
}

export interface TargetIndex {
  byPath: Map<string, WeightTarget>;
  byFlat: Map<string, WeightTarget>;
}

const WEIGHT_OPS = new Set(['MatMul', 'Gemm', 'Conv']);

export function indexWeightTargets(model: OnnxModelIndex): TargetIndex {
  const byPath = new Map<string, WeightTarget>();
  const byFlat = new Map<string, WeightTarget>();
  for (const node of model.nodes) {
    if (!WEIGHT_OPS.has(node.opType) || !node.name.startsWith('/')) continue;
    const parts = node.name.slice(1).split('/');
    if (parts.length < 2 || parts[parts.length - 1] !== node.opType) continue;
    const path = parts.slice(0, -1).join('.');
    const input = node.inputs[1];
    if (!input) continue;
    let initName: string | undefined;
    let transposedThroughGraph = false;
    if (model.initializers.has(input)) initName = input;
    else {
      const producer = model.producers.get(input);
      const perm = producer?.ints.perm?.map(Number);
      if (
        producer?.opType === 'Transpose' &&
        model.initializers.has(producer.inputs[0]) &&
        (!perm || (perm.length === 2 && perm[0] === 1 && perm[1] === 0))
      ) {
        initName = producer.inputs[0];
        transposedThroughGraph = true;
      }
    }
    if (!initName) continue;
    const dims = model.initializers.get(initName)!.dims;
    let layout: WeightTarget['layout'];
    if (node.opType === 'Conv') layout = 'as_is';
    else if (node.opType === 'Gemm') {
      const transB = Number(node.ints.transB?.[0] ?? 0n) === 1;
      layout = transB !== transposedThroughGraph ? 'as_is' : 'transposed';
    } else layout = transposedThroughGraph ? 'as_is' : 'transposed';
    if (node.opType !== 'Conv' && dims.length !== 2) continue;
    const torchShape = layout === 'transposed' ? [dims[1], dims[0]] : [...dims];
    const target: WeightTarget = {
      path,
      node: node.name,
      opType: node.opType as WeightTarget['opType'],
      initializer: initName,
      layout,
      torchShape,
      useCount: model.useCount.get(initName) ?? 1,
    };
    if (!byPath.has(path)) byPath.set(path, target);
  }
  // optimum wraps the exported module (`/unet/…`, `/te/…`, `/m/…`): when every path starts with the same
  // segment and it is not a module of the model itself, the paths are also known without it.
  const firsts = new Set([...byPath.keys()].map((p) => p.split('.')[0]));
  const wrapper = firsts.size === 1 ? [...firsts][0] : undefined;
  if (wrapper && wrapper !== 'text_model' && byPath.size > 1) {
    for (const [p, t] of [...byPath]) {
      const inner = p.slice(wrapper.length + 1);
      if (inner && !byPath.has(inner)) byPath.set(inner, { ...t, path: inner });
    }
  }
  for (const [p, t] of byPath) {
    const flat = p.replaceAll('.', '_');
    if (!byFlat.has(flat)) byFlat.set(flat, t);
  }
  return { byPath, byFlat };
}

export function findTarget(index: TargetIndex, path: string, flat: boolean): WeightTarget | undefined {
  if (!flat) return index.byPath.get(path) ?? index.byFlat.get(path.replaceAll('.', '_'));
  return index.byFlat.get(path);
}
