// LoRA benchmark on ../shared/fixtures/bench-sd15-small: time to apply one LoRA (read + patch + session),
// a second job with the same set (must not patch), and switching back and forth between two sets (cached
// sessions) versus without a cache. The LoRAs are generated here (seeded, kohya format) for every UNet and
// text-encoder module the model has. Prints a table and writes bench/results/lora.json.
// Run: npx tsx bench/lora.ts
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import {
  type AdapterRequest,
  createAdapterRuntime,
  type SourceEngineFactory,
} from '../companion/pipeline/adapters/adapter-runtime.js';
import { indexWeightTargets } from '../companion/pipeline/lora/onnx-lora-targets.js';
import { loadComponentWeights } from '../companion/pipeline/lora/onnx-weights.js';
import { encodeSafetensors } from '../companion/pipeline/lora/safetensors-writer.js';
import { loadModel } from '../companion/pipeline/model/loaded-model.js';
import { TorchGenerator } from '../companion/pipeline/rng/torch-generator.js';
import { createOrtEngine } from '../companion/pipeline/runtime/ort-engine.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const fixtures = process.env.STIPPLE_FIXTURES ?? path.resolve(root, '../shared/fixtures');
const modelDir = path.join(fixtures, 'bench-sd15-small');
const logger = pino({ level: 'silent' });

/** A kohya LoRA touching every matched module of the given components, rank r, seeded. */
function makeLora(file: string, seed: number, rank: number, convs: boolean): number {
  const gen = new TorchGenerator(seed);
  const tensors = new Map<string, { shape: number[]; data: Float32Array }>();
  let modules = 0;
  for (const [component, prefix] of [
    ['unet', 'lora_unet_'],
    ['text_encoder', 'lora_te_'],
  ] as const) {
    const w = loadComponentWeights(path.join(modelDir, component, 'model.onnx'));
    for (const t of indexWeightTargets(w.model).byPath.values()) {
      if (t.opType === 'Conv' && !convs) continue;
      const [out, ...rest] = t.torchShape;
      const key = prefix + t.path.replaceAll('.', '_');
      const down = gen.randn([rank * rest.reduce((a, b) => a * b, 1)]);
      const up = gen.randn([out * rank]);
      for (let i = 0; i < up.length; i++) up[i] *= 0.01;
      tensors.set(`${key}.lora_down.weight`, { shape: [rank, ...rest], data: down });
      tensors.set(`${key}.lora_up.weight`, {
        shape: t.opType === 'Conv' ? [out, rank, 1, 1] : [out, rank],
        data: up,
      });
      tensors.set(`${key}.alpha`, { shape: [], data: Float32Array.of(rank / 2) });
      modules++;
    }
  }
  writeFileSync(file, encodeSafetensors(tensors, { ss_network_dim: String(rank) }));
  return modules;
}

/** In-memory models go to ORT as bytes + external data buffers (nothing is written to disk). */
function factory(): SourceEngineFactory {
  return (sources) => createOrtEngine({ files: sources, logger, providers: ['cpu'] });
}

async function main(): Promise<void> {
  if (!existsSync(modelDir)) {
    process.stdout.write(`skipped: ${modelDir} not found\n`);
    return;
  }
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'stipple-bench-lora-'));
  const a = path.join(tmp, 'style-a.safetensors');
  const b = path.join(tmp, 'style-b.safetensors');
  const modulesA = makeLora(a, 1, 8, false);
  const modulesB = makeLora(b, 2, 16, true);
  const t0 = performance.now();
  const base = await loadModel(modelDir, (files) => createOrtEngine({ files, logger, providers: ['cpu'] }));
  const baseLoadMs = performance.now() - t0;
  const rows: {
    step: string;
    ms: number;
    readMs: number;
    patchMs: number;
    sessionMs: number;
    built: string;
    patches: number;
  }[] = [];
  const setA: AdapterRequest = { loras: [{ file: a, weight: 0.8 }] };
  const setB: AdapterRequest = {
    loras: [
      { file: b, weight: 0.6 },
      { file: a, weight: 0.3 },
    ],
  };
  for (const cacheEntries of [2, 1]) {
    const rt = createAdapterRuntime(base, { createEngine: factory(), cacheEntries });
    const plan: [string, AdapterRequest][] =
      cacheEntries === 2
        ? [
            ['apply A (cold: read + patch + sessions)', setA],
            ['second job, same set A', setA],
            ['switch to B (cold)', setB],
            ['switch back to A', setA],
            ['switch to B again', setB],
            ['no LoRA (base sessions)', {}],
          ]
        : [
            ['cache of 1: A', setA],
            ['cache of 1: switch to B', setB],
            ['cache of 1: switch back to A', setA],
          ];
    for (const [step, req] of plan) {
      const before = rt.stats().patches;
      const s = performance.now();
      const active = await rt.prepare(req);
      rows.push({
        step,
        ms: performance.now() - s,
        ...active.timings,
        built: active.built.join('+') || '(cached)',
        patches: rt.stats().patches - before,
      });
    }
    await rt.release();
  }
  await base.engine.release();
  rmSync(tmp, { recursive: true, force: true });
  const pad = (s: string, n: number) => s.padEnd(n);
  process.stdout.write(
    `bench-sd15-small, onnxruntime-node CPU; LoRA A: ${modulesA} modules rank 8 (no convs), ` +
      `set B: ${modulesB} modules rank 16 incl. convs + A; base load ${baseLoadMs.toFixed(0)} ms\n\n`,
  );
  const cols = ['total ms', 'read ms', 'patch ms', 'session ms', 'patched'];
  process.stdout.write(`${pad('step', 42)} ${cols.map((c) => pad(c, 11)).join('')}built\n`);
  for (const r of rows) {
    const v = [r.ms, r.readMs, r.patchMs, r.sessionMs].map((x) => pad(x.toFixed(0), 11)).join('');
    process.stdout.write(`${pad(r.step, 42)} ${v}${pad(String(r.patches), 11)}${r.built}\n`);
  }
  const outDir = path.join(root, 'bench', 'results');
  mkdirSync(outDir, { recursive: true });
  writeFileSync(
    path.join(outDir, 'lora.json'),
    JSON.stringify(
      { model: 'bench-sd15-small', cpus: os.cpus().length, baseLoadMs, modulesA, modulesB, rows },
      null,
      2,
    ),
  );
}

await main();
