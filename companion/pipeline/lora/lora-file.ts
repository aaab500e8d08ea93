// A LoRA file's tensors grouped into modules: which component (unet / text_encoder / text_encoder_2),
// which module (a dotted diffusers path, or kohya's flattened `_` form), the down/up matrices and alpha.
// Key layouts: kohya/A1111 (`lora_unet_*`, `lora_te_*`, `lora_te1_*`, `lora_te2_*` with `.lora_down`,
// `.lora_up`, `.alpha`), diffusers legacy (`unet.<path>.lora.down.weight`,
// `text_encoder.<path>.lora_linear_layer.down.weight`, attention-processor `to_q_lora`), and PEFT
// (`.lora_A.weight` / `.lora_B.weight`). diffusers and PEFT files carry no alpha: it is baked into `up`.
// Must not guess kohya paths back from `_` names (module names contain `_`); onnx-lora-targets.ts matches
// them against the model's own paths.
import { AdapterError } from './adapter-errors.js';
import { type SafetensorsFile, tensorToFloat32 } from './safetensors.js';

export type LoraComponent = 'unet' | 'text_encoder' | 'text_encoder_2';
export type LoraKeyFormat = 'kohya' | 'diffusers' | 'peft';

export interface LoraModule {
  component: LoraComponent;
  /** Dotted module path (diffusers/PEFT) or kohya's flattened name without the `lora_unet_` prefix. */
  path: string;
  /** True when `path` is kohya's flattened form. */
  flat: boolean;
  down: Float32Array;
  downShape: number[];
  up: Float32Array;
  upShape: number[];
  /** Undefined: factor alpha/rank is 1. */
  alpha?: number;
  rank: number;
}

export interface LoraFile {
  name: string;
  file: string;
  format: LoraKeyFormat;
  modules: LoraModule[];
  metadata: Record<string, string>;
}

const KOHYA_PREFIXES: [string, LoraComponent][] = [
  ['lora_unet_', 'unet'],
  ['lora_te1_', 'text_encoder'],
  ['lora_te2_', 'text_encoder_2'],
  ['lora_te_', 'text_encoder'],
];

const UNSUPPORTED: [RegExp, string][] = [
  [/\.hada_w[12]_[ab]$/, 'LoHa (LyCORIS)'],
  [/\.lokr_w[12](_[ab])?$/, 'LoKr (LyCORIS)'],
  [/\.lora_mid\.weight$/, 'LoCon with CP decomposition (lora_mid)'],
  [/\.dora_scale$/, 'DoRA'],
  [/\.(diff|diff_b)$/, 'full-weight difference (diff)'],
];

interface Parts {
  component: LoraComponent;
  path: string;
  flat: boolean;
  role: 'down' | 'up' | 'alpha';
  format: LoraKeyFormat;
}

function splitDiffusersPrefix(key: string): { component: LoraComponent; rest: string } | undefined {
  for (const [prefix, component] of [
    ['text_encoder_2.', 'text_encoder_2'],
    ['text_encoder.', 'text_encoder'],
    ['unet.', 'unet'],
  ] as const) {
    if (key.startsWith(prefix)) return { component, rest: key.slice(prefix.length) };
  }
  if (key.startsWith('base_model.model.')) {
    const rest = key.slice('base_model.model.'.length);
    return { component: rest.startsWith('text_model.') ? 'text_encoder' : 'unet', rest };
  }
  return undefined;
}

function classify(key: string): Parts | undefined {
  for (const [prefix, component] of KOHYA_PREFIXES) {
    if (!key.startsWith(prefix)) continue;
    const m = /^(.*)\.(lora_down\.weight|lora_up\.weight|alpha)$/.exec(key.slice(prefix.length));
    if (!m) return undefined;
    const role = m[2] === 'alpha' ? 'alpha' : m[2].startsWith('lora_down') ? 'down' : 'up';
    return { component, path: m[1], flat: true, role, format: 'kohya' };
  }
  const split = splitDiffusersPrefix(key);
  if (!split) return undefined;
  const { component, rest } = split;
  const suffixes: [RegExp, 'down' | 'up' | 'alpha', LoraKeyFormat][] = [
    [/\.lora\.down\.weight$/, 'down', 'diffusers'],
    [/\.lora\.up\.weight$/, 'up', 'diffusers'],
    [/\.lora_linear_layer\.down\.weight$/, 'down', 'diffusers'],
    [/\.lora_linear_layer\.up\.weight$/, 'up', 'diffusers'],
    [/\.lora_A(\.default)?\.weight$/, 'down', 'peft'],
    [/\.lora_B(\.default)?\.weight$/, 'up', 'peft'],
    [/\.alpha$/, 'alpha', 'peft'],
    [/(?<=_lora)\.down\.weight$/, 'down', 'diffusers'],
    [/(?<=_lora)\.up\.weight$/, 'up', 'diffusers'],
  ];
  for (const [re, role, format] of suffixes) {
    if (!re.test(rest)) continue;
    let path = rest.replace(re, '');
    // Older diffusers attention-processor names: attn1.processor.to_q_lora -> attn1.to_q.
    const proc = /^(.*)\.processor\.(to_q|to_k|to_v|to_out)_lora$/.exec(path);
    if (proc) path = `${proc[1]}.${proc[2] === 'to_out' ? 'to_out.0' : proc[2]}`;
    // Older text-encoder names: self_attn.to_q_lora -> self_attn.q_proj.
    const te = /^(.*)\.(to_q|to_k|to_v|to_out)_lora$/.exec(path);
    if (te)
      path = `${te[1]}.${{ to_q: 'q_proj', to_k: 'k_proj', to_v: 'v_proj', to_out: 'out_proj' }[te[2]]}`;
    return { component, path, flat: false, role, format };
  }
  return undefined;
}

export function parseLoraFile(st: SafetensorsFile, file: string, name: string, field = 'loras'): LoraFile {
  const groups = new Map<string, { parts: Parts; down?: string; up?: string; alpha?: string }>();
  const formats = new Set<LoraKeyFormat>();
  const unknown: string[] = [];
  for (const key of st.tensors.keys()) {
    for (const [re, algo] of UNSUPPORTED) {
      if (re.test(key)) {
        throw new AdapterError(
          'unsupported_format',
          `${file} is a ${algo} network (key ${key}); Stipple applies plain LoRA/LoCon (down/up) only`,
          { field },
        );
      }
    }
    const parts = classify(key);
    if (!parts) {
      unknown.push(key);
      continue;
    }
    formats.add(parts.format === 'peft' && parts.role === 'alpha' ? 'peft' : parts.format);
    const id = `${parts.component}|${parts.path}`;
    const g = groups.get(id) ?? { parts };
    g[parts.role] = key;
    groups.set(id, g);
  }
  if (groups.size === 0) {
    throw new AdapterError(
      'unsupported_format',
      `${file} has no LoRA keys in a known layout (kohya lora_unet_/lora_te_, diffusers unet./text_encoder. ` +
        `.lora.down/up, PEFT lora_A/lora_B); first keys: ${[...st.tensors.keys()].slice(0, 3).join(', ')}`,
      { field },
    );
  }
  const modules: LoraModule[] = [];
  for (const { parts, down, up, alpha } of groups.values()) {
    if (!down || !up) {
      if (!down && !up) continue; // an alpha without weights: nothing to apply
      throw new AdapterError(
        'unsupported_format',
        `${file}: module ${parts.path} has a ${down ? 'down' : 'up'} matrix but no ${down ? 'up' : 'down'} matrix`,
        { field },
      );
    }
    const dt = st.tensors.get(down)!;
    const ut = st.tensors.get(up)!;
    const rank = dt.shape[0];
    const upOk = ut.shape.length >= 2 && ut.shape[1] === rank && ut.shape.slice(2).every((d) => d === 1);
    if (dt.shape.length < 2 || !upOk) {
      throw new AdapterError(
        'shape_mismatch',
        `${file}: module ${parts.path} has down ${JSON.stringify(dt.shape)} and up ${JSON.stringify(ut.shape)}; ` +
          'expected down (r, in[, kh, kw]) and up (out, r[, 1, 1])',
        { field },
      );
    }
    let alphaValue: number | undefined;
    if (alpha) {
      const a = tensorToFloat32(st.tensors.get(alpha)!, alpha, file, field);
      if (a.length !== 1)
        throw new AdapterError('shape_mismatch', `${file}: ${alpha} is not a scalar`, { field });
      alphaValue = a[0];
    }
    modules.push({
      component: parts.component,
      path: parts.path,
      flat: parts.flat,
      down: tensorToFloat32(dt, down, file, field),
      downShape: dt.shape,
      up: tensorToFloat32(ut, up, file, field),
      upShape: ut.shape,
      rank,
      ...(alphaValue !== undefined ? { alpha: alphaValue } : {}),
    });
  }
  const format: LoraKeyFormat = formats.has('kohya') ? 'kohya' : formats.has('peft') ? 'peft' : 'diffusers';
  return { name, file, format, modules, metadata: st.metadata };
}

/** alpha / rank, or 1 when the file stores no alpha (diffusers/PEFT bake it into `up`). */
export function loraFactor(m: LoraModule): number {
  return m.alpha === undefined ? 1 : m.alpha / m.rank;
}
