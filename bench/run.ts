// `npm run bench [model-dir …]`: per-step time, whole-job time, pipeline overhead (job time / sum of ORT run
// times, goal <= 1.03), batched-CFG vs two-call speed-up, load time and peak RSS, on the tiny models, the
// SD 1.5-shaped bench-sd15-small and any model folder given. Prints a table, writes bench/results/*.json.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import pino from 'pino';
import { generateImages } from '../companion/pipeline/generate-images.js';
import { loadModel } from '../companion/pipeline/model/loaded-model.js';
import { createOrtEngine } from '../companion/pipeline/runtime/ort-engine.js';
import { promptSource } from '../companion/pipeline/text/prompt-source.js';

const fixtures = process.env.STIPPLE_FIXTURES ?? path.resolve(import.meta.dirname, '../../shared/fixtures');
const logger = pino({ level: 'silent' });
const args = process.argv.slice(2);
const targets = args.length
  ? args.map((dir) => ({ dir, steps: Number(process.env.BENCH_STEPS ?? 4) }))
  : [
      { dir: path.join(fixtures, 'tiny-sd', 'sd15-tiny'), steps: 10 },
      { dir: path.join(fixtures, 'tiny-sd', 'sdxl-tiny'), steps: 10 },
      { dir: path.join(fixtures, 'bench-sd15-small'), steps: 3 },
    ];

let peakRss = process.memoryUsage().rss;
const rssTimer = setInterval(() => {
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
}, 50);

interface Row {
  model: string;
  ep: string;
  size: string;
  steps: number;
  loadMs: number;
  stepMs: number;
  jobMs: number;
  ortMs: number;
  overhead: number;
  cfgSpeedup: number;
}

const rows: Row[] = [];
for (const t of targets) {
  process.stderr.write(`bench: loading ${t.dir}\n`);
  const model = await loadModel(t.dir, (files) => createOrtEngine({ files, logger, providers: ['cpu'] }));
  const size =
    typeof model.layout.unetConfig.sample_size === 'number'
      ? model.layout.unetConfig.sample_size * model.layout.vaeScaleFactor
      : 512;
  const job = (cfgMode: 'batched' | 'separate', steps: number) => ({
    mode: 'txt2img' as const,
    prompt: promptSource('a photo of an astronaut riding a horse on mars', 'blurry'),
    sampler: 'euler' as const,
    steps,
    cfg: 7,
    width: size,
    height: size,
    strength: 1,
    seed: 1,
    batchSize: 1,
    cfgMode,
  });
  // Warm up: ORT's first two runs per input shape are many times slower (arena growth / memory-pattern
  // planning), so each mode runs 2 UNet passes per shape before timing.
  await generateImages(model, job('batched', 2));
  await generateImages(model, job('separate', 2));
  const timed = async (mode: 'batched' | 'separate') => {
    const before = model.engine.stats().runMs;
    const t0 = performance.now();
    const r = await generateImages(model, job(mode, t.steps));
    return {
      jobMs: performance.now() - t0,
      ortMs: model.engine.stats().runMs - before,
      denoiseMs: r.timings.denoiseMs,
    };
  };
  process.stderr.write('bench: warmed up, timing\n');
  const batched = await timed('batched');
  const separate = await timed('separate');
  rows.push({
    model: path.basename(t.dir),
    ep: model.engine.executionProvider,
    size: `${size}x${size}`,
    steps: t.steps,
    loadMs: Math.round(model.loadMs),
    stepMs: Math.round(batched.denoiseMs / t.steps),
    jobMs: Math.round(batched.jobMs),
    ortMs: Math.round(batched.ortMs),
    overhead: Number((batched.jobMs / batched.ortMs).toFixed(3)),
    cfgSpeedup: Number((separate.denoiseMs / batched.denoiseMs).toFixed(2)),
  });
  await model.engine.release();
}
clearInterval(rssTimer);

process.stdout.write(
  `${['model', 'ep', 'size', 'steps', 'load ms', 'ms/step', 'job ms', 'ORT ms', 'job/ORT', 'CFG batch speed-up'].join('\t')}\n`,
);
for (const r of rows) {
  process.stdout.write(
    `${[r.model, r.ep, r.size, r.steps, r.loadMs, r.stepMs, r.jobMs, r.ortMs, r.overhead, `${r.cfgSpeedup}x`].join('\t')}\n`,
  );
}
process.stdout.write(`peak RSS ${Math.round(peakRss / 2 ** 20)} MiB\n`);
const dir = path.join(import.meta.dirname, 'results');
mkdirSync(dir, { recursive: true });
const file = path.join(dir, `pipeline-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
writeFileSync(
  file,
  JSON.stringify({ node: process.version, rows, peakRssMiB: Math.round(peakRss / 2 ** 20) }, null, 2),
);
process.stdout.write(`wrote ${file}\n`);
