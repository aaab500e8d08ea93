import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  addLowRank,
  applyPlan,
  applyPlanWith,
  planComponent,
} from '../../../companion/pipeline/lora/lora-patch.js';
import { findTarget, indexWeightTargets } from '../../../companion/pipeline/lora/onnx-lora-targets.js';
import {
  encodeTensor,
  readOnnxModel,
  spliceInitializers,
} from '../../../companion/pipeline/lora/onnx-model-proto.js';
import { maxAbsDiff } from '../../helpers/fixtures.js';
import { buildOnnx } from './onnx-builder.js';

const f = (n: number, start = 0) => Float32Array.from({ length: n }, (_, i) => start + i);

function model() {
  return readOnnxModel(
    buildOnnx(
      [
        { name: '/blocks.0/attn1/to_q/MatMul', op: 'MatMul', inputs: ['x', 'onnx::MatMul_7'] },
        { name: '/blocks.0/attn1/MatMul', op: 'MatMul', inputs: ['q', 'k'] },
        { name: '/blocks.0/attn1/MatMul_1', op: 'MatMul', inputs: ['s', 'v'] },
        {
          name: '/blocks.0/time_emb_proj/Gemm',
          op: 'Gemm',
          inputs: ['t', 'blocks.0.time_emb_proj.weight'],
          ints: { transB: [1] },
        },
        { name: '/blocks.0/ff/Gemm', op: 'Gemm', inputs: ['t', 'gemm_w'], ints: { transB: [0] } },
        { name: '/blocks.0/conv1/Conv', op: 'Conv', inputs: ['x', 'blocks.0.conv1.weight'] },
        {
          name: '/blocks.0/proj/Transpose',
          op: 'Transpose',
          inputs: ['proj_w'],
          outputs: ['proj_wT'],
          ints: { perm: [1, 0] },
        },
        { name: '/blocks.0/proj/MatMul', op: 'MatMul', inputs: ['x', 'proj_wT'] },
      ],
      [
        { name: 'onnx::MatMul_7', dims: [3, 2], values: f(6) },
        { name: 'blocks.0.time_emb_proj.weight', dims: [2, 3], values: f(6) },
        { name: 'gemm_w', dims: [3, 2], values: f(6) },
        { name: 'blocks.0.conv1.weight', dims: [2, 3, 3, 3], values: f(54) },
        { name: 'proj_w', dims: [2, 3], values: f(6) },
      ],
    ),
  );
}

describe('ONNX weight targets', () => {
  it('maps MatMul to its transposed onnx::MatMul constant, ignoring attention score products', () => {
    const idx = indexWeightTargets(model());
    const t = idx.byPath.get('blocks.0.attn1.to_q')!;
    assert.equal(t.initializer, 'onnx::MatMul_7');
    assert.equal(t.layout, 'transposed');
    assert.deepEqual(t.torchShape, [2, 3]);
    assert.equal(idx.byPath.get('blocks.0.attn1')?.initializer, undefined);
  });

  it('reads Gemm layout from transB and Conv weights as stored', () => {
    const idx = indexWeightTargets(model());
    assert.equal(idx.byPath.get('blocks.0.time_emb_proj')!.layout, 'as_is');
    assert.equal(idx.byPath.get('blocks.0.ff')!.layout, 'transposed');
    assert.deepEqual(idx.byPath.get('blocks.0.conv1')!.torchShape, [2, 3, 3, 3]);
  });

  it('follows a MatMul weight through a Transpose node to the torch-layout initializer', () => {
    const t = indexWeightTargets(model()).byPath.get('blocks.0.proj')!;
    assert.equal(t.initializer, 'proj_w');
    assert.equal(t.layout, 'as_is');
    assert.deepEqual(t.torchShape, [2, 3]);
  });

  it("finds kohya's flattened names through the model's own paths", () => {
    const idx = indexWeightTargets(model());
    assert.equal(findTarget(idx, 'blocks_0_attn1_to_q', true)?.path, 'blocks.0.attn1.to_q');
    assert.equal(findTarget(idx, 'blocks.0.time_emb_proj', false)?.path, 'blocks.0.time_emb_proj');
  });

  it('adds scale·up·down in torch layout or transposed', () => {
    const m = {
      component: 'unet' as const,
      path: 'p',
      flat: false,
      rank: 1,
      down: Float32Array.from([1, 2, 3]),
      downShape: [1, 3],
      up: Float32Array.from([1, -1]),
      upShape: [2, 1],
    };
    const asIs = new Float32Array(6);
    addLowRank(asIs, m, 0.5, 'as_is', 2, 3);
    assert.deepEqual([...asIs], [0.5, 1, 1.5, -0.5, -1, -1.5]);
    const tr = new Float32Array(6);
    addLowRank(tr, m, 0.5, 'transposed', 2, 3);
    assert.deepEqual([...tr], [0.5, -0.5, 1, -1, 1.5, -1.5]);
  });

  it('splices a resized initializer and leaves the rest of the model readable', () => {
    const m = model();
    const bigger = encodeTensor('gemm_w', [4, 2], 1, new Uint8Array(f(8, 100).buffer));
    const again = readOnnxModel(spliceInitializers(m, new Map([['gemm_w', bigger]])));
    assert.deepEqual(again.initializers.get('gemm_w')!.dims, [4, 2]);
    assert.equal(again.nodes.length, m.nodes.length);
    assert.deepEqual(again.initializers.get('proj_w')!.dims, [2, 3]);
  });
});

describe('LoRA products', () => {
  it('applyPlanWith (products computed elsewhere) equals the JS arithmetic, for both layouts', async () => {
    const bytes = buildOnnx(
      [
        { name: '/a/to_q/MatMul', op: 'MatMul', inputs: ['x', 'wq'] },
        { name: '/a/proj/Gemm', op: 'Gemm', inputs: ['x', 'wg'], ints: { transB: [1] } },
      ],
      [
        { name: 'wq', dims: [3, 2], values: f(6) },
        { name: 'wg', dims: [2, 3], values: f(6) },
      ],
    );
    const w = { file: 'm.onnx', model: readOnnxModel(bytes), external: new Map<string, Uint8Array>() };
    const targets = indexWeightTargets(w.model);
    const module = (path: string) => ({
      component: 'unet' as const,
      path,
      flat: false,
      rank: 2,
      down: Float32Array.from([1, 2, 3, -1, 0.5, 2]),
      downShape: [2, 3],
      up: Float32Array.from([0.5, 1, -2, 0.25]),
      upShape: [2, 2],
      alpha: 1,
    });
    const lora = {
      name: 'l',
      file: 'l',
      format: 'kohya' as const,
      metadata: {},
      modules: [module('a.to_q'), module('a.proj')],
    };
    const plan = planComponent('unet', targets, [{ lora, weight: 0.7 }]);
    assert.equal(plan.items.length, 2);
    const js = applyPlan(w, plan);
    const product = async (up: Float32Array, out: number, r: number, down: Float32Array, n: number) => {
      const d = new Float32Array(out * n);
      for (let o = 0; o < out; o++)
        for (let k = 0; k < r; k++)
          for (let i = 0; i < n; i++) d[o * n + i] += up[o * r + k] * down[k * n + i];
      return d;
    };
    const viaProduct = await applyPlanWith(w, plan, product);
    for (const [name, values] of js) {
      assert.ok(maxAbsDiff(values, viaProduct.get(name)!) < 1e-6, name);
    }
  });
});
