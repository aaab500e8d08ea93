// Merges LoRAs into a component's weights: W' = W + Σ weight · (alpha/rank) · up·down, reshaped to the
// torch weight (Linear (out,in); Conv (out,in,kh,kw) with a 1×1 up) and transposed where the ONNX graph
// stores Wᵀ. Every module is matched and shape-checked before any arithmetic, so a bad LoRA fails
// with nothing patched. Pure: ComponentWeights in, new float32 initializer values out.
import { AdapterError } from './adapter-errors.js';
import { ldmToDiffusersFlat } from './ldm-unet-names.js';
import { type LoraComponent, type LoraFile, type LoraModule, loraFactor } from './lora-file.js';
import { findTarget, type TargetIndex, type WeightTarget } from './onnx-lora-targets.js';
import { type ComponentWeights, readInitializer } from './onnx-weights.js';

export interface WeightedLora {
  lora: LoraFile;
  /** The user's multiplier (A1111 `<lora:name:weight>`, diffusers `scale`). */
  weight: number;
}

export interface PatchPlanItem {
  target: WeightTarget;
  module: LoraModule;
  scale: number;
  loraName: string;
}

export interface ComponentPlan {
  items: PatchPlanItem[];
  /** LoRA modules the model has no weight for (reported, not fatal, unless nothing matched at all). */
  skipped: { lora: string; path: string; why: string }[];
}

function shapeOk(m: LoraModule, t: WeightTarget): boolean {
  const [out, inCh, ...kernel] = t.torchShape;
  const downIn = m.downShape.slice(1);
  if (m.upShape[0] !== out) return false;
  if (t.opType === 'Conv') {
    // down carries the conv's kernel; a Linear-shaped down on a 1×1 conv is also fine (proj_in/out).
    const kernelSize = kernel.reduce((a, b) => a * b, 1);
    return downIn.reduce((a, b) => a * b, 1) === inCh * kernelSize && downIn[0] === inCh;
  }
  // Linear weights take 2-D matrices, or 1×1 conv-shaped ones (a LoRA made where proj_in was a conv).
  return downIn[0] === inCh && downIn.slice(1).every((d) => d === 1);
}

/** Matches a LoRA set against one component; throws on shape mismatches. */
export function planComponent(
  component: LoraComponent,
  targets: TargetIndex,
  loras: readonly WeightedLora[],
  field = 'loras',
): ComponentPlan {
  const items: PatchPlanItem[] = [];
  const skipped: ComponentPlan['skipped'] = [];
  for (const { lora, weight } of loras) {
    for (const m of lora.modules) {
      if (m.component !== component) continue;
      let t = findTarget(targets, m.path, m.flat);
      if (!t && m.flat && component === 'unet') {
        for (const name of ldmToDiffusersFlat(m.path)) t ??= findTarget(targets, name, true);
      }
      if (!t) {
        skipped.push({ lora: lora.name, path: m.path, why: 'no such weight in the model' });
        continue;
      }
      if (t.useCount > 1) {
        skipped.push({
          lora: lora.name,
          path: m.path,
          why: `weight ${t.initializer} is shared by ${t.useCount} nodes`,
        });
        continue;
      }
      if (!shapeOk(m, t)) {
        throw new AdapterError(
          'shape_mismatch',
          `LoRA ${lora.name} does not fit this model: ${component} module ${t.path} has weight ` +
            `${JSON.stringify(t.torchShape)}, the LoRA gives up ${JSON.stringify(m.upShape)} · down ${JSON.stringify(m.downShape)}`,
          { field },
        );
      }
      items.push({ target: t, module: m, scale: weight * loraFactor(m), loraName: lora.name });
    }
  }
  return { items, skipped };
}

/** Adds scale · up·down to `w` (torch layout `as_is`, or stored transposed). */
export function addLowRank(
  w: Float32Array,
  m: LoraModule,
  scale: number,
  layout: WeightTarget['layout'],
  out: number,
  inFlat: number,
): void {
  const r = m.rank;
  const row = new Float32Array(inFlat);
  for (let o = 0; o < out; o++) {
    row.fill(0);
    for (let k = 0; k < r; k++) {
      const u = m.up[o * r + k];
      if (u === 0) continue;
      const base = k * inFlat;
      for (let i = 0; i < inFlat; i++) row[i] += u * m.down[base + i];
    }
    if (layout === 'as_is') {
      const base = o * inFlat;
      for (let i = 0; i < inFlat; i++) w[base + i] += scale * row[i];
    } else {
      for (let i = 0; i < inFlat; i++) w[i * out + o] += scale * row[i];
    }
  }
}

/** New values of every initializer the plan touches (JS arithmetic; see applyPlanWith for ORT). */
export function applyPlan(w: ComponentWeights, plan: ComponentPlan): Map<string, Float32Array> {
  const updates = new Map<string, Float32Array>();
  for (const item of plan.items) {
    const name = item.target.initializer;
    let values = updates.get(name);
    if (!values) {
      values = readInitializer(w, name).values;
      updates.set(name, values);
    }
    const [out, ...rest] = item.target.torchShape;
    const inFlat = rest.reduce((a, b) => a * b, 1);
    addLowRank(values, item.module, item.scale, item.target.layout, out, inFlat);
  }
  return updates;
}

/** up (out, r) · down (r, inFlat) -> (out, inFlat), computed elsewhere (ORT's MatMul). */
export type LowRankProduct = (
  up: Float32Array,
  out: number,
  rank: number,
  down: Float32Array,
  inFlat: number,
) => Promise<Float32Array>;

/** applyPlan with the products computed by `product`; the scaled add stays here. */
export async function applyPlanWith(
  w: ComponentWeights,
  plan: ComponentPlan,
  product: LowRankProduct,
): Promise<Map<string, Float32Array>> {
  const updates = new Map<string, Float32Array>();
  for (const item of plan.items) {
    const name = item.target.initializer;
    let values = updates.get(name);
    if (!values) {
      values = readInitializer(w, name).values;
      updates.set(name, values);
    }
    const [out, ...rest] = item.target.torchShape;
    const inFlat = rest.reduce((a, b) => a * b, 1);
    const d = await product(item.module.up, out, item.module.rank, item.module.down, inFlat);
    const s = item.scale;
    if (item.target.layout === 'as_is') {
      for (let i = 0; i < d.length; i++) values[i] += s * d[i];
    } else {
      for (let o = 0; o < out; o++) {
        const base = o * inFlat;
        for (let i = 0; i < inFlat; i++) values[i * out + o] += s * d[base + i];
      }
    }
  }
  return updates;
}
