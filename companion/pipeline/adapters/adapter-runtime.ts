// LoRAs, textual-inversion embeddings and a VAE swap on top of a loaded ONNX model, without touching its
// files: the UNet and text encoder(s) are patched in memory and loaded as new sessions from bytes (+
// external data buffers), the VAE comes from another folder. Sessions are cached per component and per
// adapter set (LRU, `cacheEntries` each), so a second job with the same set reuses them and switching
// between two sets does not patch again. Everything is read, checked and computed before a session is
// created; a failure leaves the previous state as it was.
// Must not import onnxruntime-node: sessions come from the `createEngine` factory (ort-engine.ts).
import type { Logger } from 'pino';
import type { TextualInversion } from '../embeddings/embedding-file.js';
import { type AddedToken, assignTokenIds, withAddedTokens } from '../embeddings/embedding-tokenizer.js';
import { AdapterError } from '../lora/adapter-errors.js';
import { BASE_FAMILY_LABEL, detectLoraFamily, modelBaseFamily } from '../lora/lora-family.js';
import type { LoraComponent } from '../lora/lora-file.js';
import {
  applyPlan,
  applyPlanWith,
  type ComponentPlan,
  planComponent,
  type WeightedLora,
} from '../lora/lora-patch.js';
import { matmulModelBytes } from '../lora/matmul-model.js';
import { indexWeightTargets, type TargetIndex } from '../lora/onnx-lora-targets.js';
import {
  type ComponentWeights,
  type InMemoryModel,
  loadComponentWeights,
  overwriteInitializers,
} from '../lora/onnx-weights.js';
import type { LoadedModel } from '../model/loaded-model.js';
import { readContract } from '../model/model-contract.js';
import { type Engine, type EngineRunStats, f32 } from '../runtime/engine.js';
import { AdapterFileCache, loraNameOf, stampFile } from './adapter-files.js';
import { findTokenTable, patchTextEncoder } from './text-encoder-patch.js';
import { resolveVae } from './vae-swap.js';

/** A session source: a model file path, or model bytes + external data in memory. */
export type SessionSource = string | InMemoryModel;
export type SourceEngineFactory = (sources: Record<string, SessionSource>) => Promise<Engine>;

export interface AdapterRequest {
  loras?: readonly { file: string; weight: number; name?: string }[];
  embeddings?: readonly string[];
  vaeDir?: string;
}

export interface ActiveAdapters {
  /** The model to generate with: patched sessions, tokenizers that know the embedding tokens. */
  model: LoadedModel;
  /** Components whose session was built for this call (empty: everything came from the cache). */
  built: string[];
  notes: string[];
  timings: { readMs: number; patchMs: number; sessionMs: number };
  /** Embedding tokens in use, for autocomplete and metadata. */
  tokens: string[];
}

export interface AdapterRuntimeStats {
  patches: number;
  sessionsBuilt: number;
  cacheHits: number;
  fileReads: number;
}

export interface AdapterRuntime {
  prepare(request: AdapterRequest): Promise<ActiveAdapters>;
  stats(): AdapterRuntimeStats;
  release(): Promise<void>;
}

interface CachedComponent {
  engine: Engine;
  usedAt: number;
}

const TEXT_COMPONENTS: LoraComponent[] = ['text_encoder', 'text_encoder_2'];

export function createAdapterRuntime(
  base: LoadedModel,
  opts: {
    createEngine: SourceEngineFactory;
    cacheEntries?: number;
    logger?: Logger;
    files?: AdapterFileCache;
  },
): AdapterRuntime {
  const files = opts.files ?? new AdapterFileCache();
  const capacity = Math.max(1, opts.cacheEntries ?? 2);
  const weights = new Map<string, { w: ComponentWeights; targets: TargetIndex }>();
  const cache = new Map<string, CachedComponent>();
  const stats = { patches: 0, sessionsBuilt: 0, cacheHits: 0 };
  let clock = 0;
  const modelFamily = modelBaseFamily(base.contract.family);

  // up·down products on ORT's MatMul (one tiny session with dynamic shapes); JS arithmetic if unavailable.
  let lowrank: Promise<Engine | undefined> | undefined;
  async function applyPlanFast(w: ComponentWeights, plan: ComponentPlan): Promise<Map<string, Float32Array>> {
    lowrank ??= opts
      .createEngine({ lowrank: { modelBytes: matmulModelBytes(), externalData: [] } })
      .catch((err: unknown) => {
        opts.logger?.warn({ err: String(err) }, 'LoRA products fall back to JS arithmetic');
        return undefined;
      });
    const engine = await lowrank;
    if (!engine) return applyPlan(w, plan);
    return applyPlanWith(w, plan, async (up, out, rank, down, inFlat) => {
      const r = await engine.run('lowrank', { A: f32(up, [out, rank]), B: f32(down, [rank, inFlat]) });
      return r.C.data as Float32Array;
    });
  }

  function componentWeights(component: string) {
    let hit = weights.get(component);
    if (!hit) {
      const file = base.layout.files[component as keyof typeof base.layout.files];
      if (!file)
        throw new AdapterError('no_match', `model ${base.layout.name} has no ${component}`, {
          field: 'loras',
        });
      const w = loadComponentWeights(file);
      hit = { w, targets: indexWeightTargets(w.model) };
      weights.set(component, hit);
    }
    return hit;
  }

  async function evict(component: string, keep: string): Promise<void> {
    const mine = [...cache].filter(([k]) => k.startsWith(`${component}#`) && k !== keep);
    mine.sort((a, b) => a[1].usedAt - b[1].usedAt);
    while (mine.length >= capacity) {
      const [k, v] = mine.shift()!;
      cache.delete(k);
      await v.engine.release();
    }
  }

  function checkFamily(lora: WeightedLora['lora']): void {
    const family = detectLoraFamily(lora);
    if (family !== 'unknown' && family !== modelFamily) {
      throw new AdapterError(
        'family_mismatch',
        `LoRA ${lora.name} is for ${BASE_FAMILY_LABEL[family]}, but model ${base.layout.name} is ${BASE_FAMILY_LABEL[modelFamily]} (${base.contract.family})`,
        { field: 'loras' },
      );
    }
  }

  async function prepare(request: AdapterRequest): Promise<ActiveAdapters> {
    const t0 = performance.now();
    const notes: string[] = [];
    // 1. Read and check every file (cached while unchanged).
    const loras: (WeightedLora & { key: string })[] = [];
    for (const l of request.loras ?? []) {
      if (!Number.isFinite(l.weight)) {
        throw new AdapterError('shape_mismatch', `LoRA weight must be a number, got ${l.weight}`, {
          field: 'loras',
        });
      }
      const stamp = stampFile(l.file, 'loras');
      const lora = files.lora(stamp, l.name ?? loraNameOf(l.file));
      checkFamily(lora);
      if (l.weight !== 0) loras.push({ lora, weight: l.weight, key: `${stamp.key}@${l.weight}` });
    }
    const embeddings: { emb: TextualInversion; key: string }[] = [];
    for (const f of request.embeddings ?? []) {
      const stamp = stampFile(f, 'embeddings');
      const emb = files.embedding(stamp);
      if (embeddings.some((e) => e.emb.token === emb.token)) {
        throw new AdapterError('unsupported_format', `two embeddings use the token ${emb.token}`, {
          field: 'embeddings',
        });
      }
      embeddings.push({ emb, key: stamp.key });
    }
    const vae = request.vaeDir ? resolveVae(request.vaeDir, base.layout) : undefined;
    const readMs = performance.now() - t0;

    // 2. Plan every component and check shapes before building anything.
    const t1 = performance.now();
    const encoders = base.text.encoders.map((e) => e.contract.component);
    if (embeddings.some((e) => e.emb.vectors.length !== encoders.length)) {
      const e = embeddings.find((x) => x.emb.vectors.length !== encoders.length)!;
      throw new AdapterError(
        'family_mismatch',
        `embedding ${e.emb.token} has vectors for ${e.emb.vectors.length === 2 ? 'two text encoders (SDXL)' : 'one text encoder'}, model ${base.layout.name} has ${encoders.length}`,
        { field: 'embeddings' },
      );
    }
    type Job = {
      component: string;
      key: string;
      build: () => Promise<InMemoryModel | string>;
      tokens?: AddedToken[];
    };
    const jobs: Job[] = [];
    let matched = 0;
    let total = 0;
    const plans = new Map<string, ComponentPlan>();
    for (const component of ['unet', ...encoders] as LoraComponent[]) {
      const wanted = loras.filter((l) => l.lora.modules.some((m) => m.component === component));
      total += wanted.reduce((s, l) => s + l.lora.modules.filter((m) => m.component === component).length, 0);
      if (wanted.length === 0) continue;
      const { targets } = componentWeights(component);
      const plan = planComponent(component, targets, wanted);
      matched += plan.items.length;
      plans.set(component, plan);
      for (const s of plan.skipped.slice(0, 3))
        notes.push(`LoRA ${s.lora}: ${component} ${s.path} skipped (${s.why})`);
      if (plan.skipped.length > 3)
        notes.push(`LoRA: ${plan.skipped.length - 3} more ${component} modules skipped`);
    }
    if (loras.length > 0 && total > 0 && matched === 0) {
      throw new AdapterError(
        'no_match',
        `none of the ${total} modules of LoRA ${loras.map((l) => l.lora.name).join(', ')} exist in model ${base.layout.name}`,
        { field: 'loras' },
      );
    }
    const addedPerEncoder: AddedToken[][] = encoders.map(() => []);
    encoders.forEach((component, e) => {
      const plan = plans.get(component);
      const loraKeys = plan
        ? loras.filter((l) => l.lora.modules.some((m) => m.component === component)).map((l) => l.key)
        : [];
      if (!plan && embeddings.length === 0) return;
      const { w } = componentWeights(component);
      const table = embeddings.length ? findTokenTable(w) : undefined;
      let rows: Float32Array | undefined;
      if (table) {
        for (const { emb } of embeddings) {
          if (emb.vectors[e].dim !== table.dim) {
            throw new AdapterError(
              'shape_mismatch',
              `embedding ${emb.token} (${emb.file}) has vectors of width ${emb.vectors[e].dim}, ` +
                `${component} of model ${base.layout.name} takes ${table.dim}`,
              { field: 'embeddings' },
            );
          }
        }
        addedPerEncoder[e] = assignTokenIds(
          embeddings.map(({ emb }) => ({ token: emb.token, count: emb.vectors[e].count })),
          table.rows,
        );
        const parts = embeddings.map(({ emb }) => emb.vectors[e].data);
        rows = new Float32Array(parts.reduce((s, p) => s + p.length, 0));
        let o = 0;
        for (const p of parts) {
          rows.set(p, o);
          o += p.length;
        }
      }
      const key = `${component}#${loraKeys.join(',')}|${embeddings.map((x) => x.key).join(',')}`;
      jobs.push({
        component,
        key,
        build: async () => patchTextEncoder(w, plan ? await applyPlanFast(w, plan) : new Map(), rows),
      });
    });
    const unetPlan = plans.get('unet');
    if (unetPlan) {
      const key = `unet#${loras
        .filter((l) => l.lora.modules.some((m) => m.component === 'unet'))
        .map((l) => l.key)
        .join(',')}`;
      jobs.push({
        component: 'unet',
        key,
        build: async () => {
          const { w } = componentWeights('unet');
          return overwriteInitializers(w, await applyPlanFast(w, unetPlan));
        },
      });
    }
    if (vae) {
      jobs.push({
        component: 'vae_decoder',
        key: `vae_decoder#${vae.dir}`,
        build: async () => vae.vae_decoder,
      });
      if (vae.vae_encoder && base.engine.has('vae_encoder')) {
        jobs.push({
          component: 'vae_encoder',
          key: `vae_encoder#${vae.dir}`,
          build: async () => vae.vae_encoder!,
        });
      }
    }

    // 3. Build what the cache lacks (patch + session), all or nothing.
    const overlay = new Map<string, Engine>();
    const built: string[] = [];
    const fresh: [string, Engine][] = [];
    let patchMs = 0;
    let sessionMs = 0;
    try {
      for (const job of jobs) {
        const hit = cache.get(job.key);
        if (hit) {
          hit.usedAt = ++clock;
          stats.cacheHits++;
          overlay.set(job.component, hit.engine);
          continue;
        }
        const tp = performance.now();
        const source = await job.build();
        if (typeof source !== 'string') stats.patches++;
        patchMs += performance.now() - tp;
        const ts = performance.now();
        const engine = await opts.createEngine({ [job.component]: source });
        sessionMs += performance.now() - ts;
        stats.sessionsBuilt++;
        fresh.push([job.key, engine]);
        overlay.set(job.component, engine);
        built.push(job.component);
      }
    } catch (err) {
      for (const [, e] of fresh) await e.release();
      throw err;
    }
    patchMs += performance.now() - t1 - sessionMs - patchMs;
    for (const [key, engine] of fresh) {
      await evict(key.slice(0, key.indexOf('#')), key);
      cache.set(key, { engine, usedAt: ++clock });
    }
    if (vae) {
      const input = overlay.get('vae_decoder')!.info('vae_decoder').inputs[0];
      const want = base.engine.info('vae_decoder').inputs[0];
      if (
        typeof input?.shape[1] === 'number' &&
        typeof want?.shape[1] === 'number' &&
        input.shape[1] !== want.shape[1]
      ) {
        throw new AdapterError(
          'vae_incompatible',
          `\`vae\`: decoder of ${vae.dir} takes ${input.shape[1]} latent channels, model ${base.layout.name} makes ${want.shape[1]}`,
          { field: 'vae' },
        );
      }
    }
    opts.logger?.debug({ built, readMs, patchMs, sessionMs }, 'adapters prepared');
    return {
      model: derive(base, overlay, addedPerEncoder, vae !== undefined),
      built,
      notes,
      timings: { readMs, patchMs, sessionMs },
      tokens: embeddings.map((e) => e.emb.token),
    };
  }

  return {
    prepare,
    stats: () => ({ ...stats, fileReads: files.reads }),
    async release() {
      const product = await lowrank;
      lowrank = undefined;
      await product?.release();
      for (const v of cache.values()) await v.engine.release();
      cache.clear();
      weights.clear();
    },
  };
}

/** The base model seen through the overlay sessions and token-aware tokenizers. */
function derive(
  base: LoadedModel,
  overlay: ReadonlyMap<string, Engine>,
  added: readonly AddedToken[][],
  vaeSwapped: boolean,
): LoadedModel {
  if (overlay.size === 0 && added.every((a) => a.length === 0)) return base;
  const pick = (c: string) => overlay.get(c) ?? base.engine;
  const engines = [base.engine, ...new Set(overlay.values())];
  const engine: Engine = {
    executionProvider: base.engine.executionProvider,
    has: (c) => base.engine.has(c),
    info: (c) => pick(c).info(c),
    run: (c, feeds) => pick(c).run(c, feeds),
    // Shared inputs go to the device of whichever engine (base or patched overlay) runs the component.
    toDevice: (c, t) => pick(c).toDevice?.(c, t) ?? Promise.resolve(undefined),
    stats: () =>
      engines.reduce<EngineRunStats>(
        (s, e) => {
          const x = e.stats();
          return { runs: s.runs + x.runs, runMs: s.runMs + x.runMs };
        },
        { runs: 0, runMs: 0 },
      ),
    // The runtime owns the overlay sessions and the loader owns the base: nothing to release here.
    release: async () => {},
  };
  const tokenizers = base.text.encoders.map((e, i) => withAddedTokens(e.tokenizer, added[i] ?? []));
  return {
    ...base,
    engine,
    contract: vaeSwapped ? readContract(engine, base.layout) : base.contract,
    tokenizers,
    text: {
      engine,
      encoders: base.text.encoders.map((e, i) => ({ contract: e.contract, tokenizer: tokenizers[i] })),
    },
  };
}

export { TEXT_COMPONENTS };
