// LoRA and textual-inversion parity with diffusers on sd15-tiny (fixtures/tiny-sd/goldens_lora): the
// kohya LoRA at scale 0.5 and the <tiny-style> embedding, seed 42, Euler 10 steps, must give diffusers'
// latents (1e-4) and image (2/255); kohya, diffusers and PEFT files must patch the same weights.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import pino from 'pino';
import { createAdapterRuntime } from '../../../companion/pipeline/adapters/adapter-runtime.js';
import { generateImages } from '../../../companion/pipeline/generate-images.js';
import { parseLoraFile } from '../../../companion/pipeline/lora/lora-file.js';
import { applyPlan, planComponent } from '../../../companion/pipeline/lora/lora-patch.js';
import { indexWeightTargets } from '../../../companion/pipeline/lora/onnx-lora-targets.js';
import { loadComponentWeights } from '../../../companion/pipeline/lora/onnx-weights.js';
import { readSafetensors } from '../../../companion/pipeline/lora/safetensors.js';
import { type LoadedModel, loadModel } from '../../../companion/pipeline/model/loaded-model.js';
import { createOrtEngine } from '../../../companion/pipeline/runtime/ort-engine.js';
import { encodePieces } from '../../../companion/pipeline/text/text-encoder.js';
import { fixturePath, maxAbsDiff, readFixtureTensor, skipNoFixtures } from '../../helpers/fixtures.js';
import { goldenJob } from '../pipeline/golden-cases.js';
import { tempSourceEngineFactory } from './source-engine.js';

const logger = pino({ level: 'silent' });
const lora = (format: string) => fixturePath('tiny-sd', 'lora', `tiny_lora_${format}.safetensors`);
const embedding = fixturePath('tiny-sd', 'embeddings', 'tiny-style.safetensors');
const LORA_CASE = 'goldens_lora/lora_kohya_euler_10steps_scale0.5_seed42';
const TI_CASE = 'goldens_lora/ti_euler_10steps_seed42';

const sha = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

describe('LoRA and embeddings match diffusers on sd15-tiny', { skip: skipNoFixtures }, () => {
  let base: LoadedModel;
  const temp = tempSourceEngineFactory();
  let before0: Record<string, string>;

  before(async () => {
    base = await loadModel(fixturePath('tiny-sd', 'sd15-tiny'), (files) =>
      createOrtEngine({ files, logger, providers: ['cpu'] }),
    );
    before0 = Object.fromEntries(
      ['unet/weights.pb', 'unet/model.onnx', 'text_encoder/model.onnx'].map((f) => [
        f,
        sha(fixturePath('tiny-sd', 'sd15-tiny', f)),
      ]),
    );
  });
  after(async () => {
    await base?.engine.release();
    temp.cleanup();
  });

  async function runCase(folder: string, model: LoadedModel) {
    const meta = JSON.parse(readFileSync(fixturePath('tiny-sd', folder, 'meta.json'), 'utf8'));
    const job = await goldenJob({ folder, meta, model: 'sd15-tiny' });
    // The golden prompt goes through the token-aware tokenizer like any other prompt.
    const steps: Float32Array[] = [];
    const result = await generateImages(model, { ...job, onStep: (e) => steps.push(e.latents.slice()) });
    const expected = readFixtureTensor('tiny-sd', folder, 'step_latents');
    const per = expected.data.length / expected.shape[0];
    let latent = 0;
    steps.forEach((s, i) => {
      latent = Math.max(
        latent,
        maxAbsDiff(s, (expected.data as Float32Array).subarray(i * per, (i + 1) * per)),
      );
    });
    const image = readFixtureTensor('tiny-sd', folder, 'image');
    const [, h, w] = image.shape;
    let worst = 0;
    let worstFloat = 0;
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++)
        for (let c = 0; c < 3; c++) {
          const want = (image.data as Float32Array)[(y * w + x) * 3 + c];
          const got = result.images[(c * h + y) * w + x];
          worstFloat = Math.max(worstFloat, Math.abs(want - got));
          worst = Math.max(worst, Math.abs(Math.round(want * 255) - Math.round(got * 255)));
        }
    return { latent, worst, worstFloat, steps: steps.length };
  }

  it('the kohya LoRA at 0.5 reproduces diffusers (UNet and text encoder patched)', async (t) => {
    const rt = createAdapterRuntime(base, { createEngine: temp.factory });
    const active = await rt.prepare({ loras: [{ file: lora('kohya'), weight: 0.5 }] });
    assert.deepEqual(active.built.sort(), ['text_encoder', 'unet']);
    const r = await runCase(LORA_CASE, active.model);
    t.diagnostic(
      `max latent diff ${r.latent.toExponential(2)}, image ${r.worstFloat.toExponential(2)} (${r.worst}/255)`,
    );
    assert.equal(r.steps, 10);
    assert.ok(r.latent < 1e-4, `latents differ by ${r.latent}`);
    assert.ok(r.worst <= 2, `image differs by ${r.worst}/255`);
    await rt.release();
  });

  it('the <tiny-style> embedding reproduces diffusers when its token is in the prompt', async (t) => {
    const rt = createAdapterRuntime(base, { createEngine: temp.factory });
    const active = await rt.prepare({ embeddings: [embedding] });
    assert.deepEqual(active.tokens, ['<tiny-style>']);
    const r = await runCase(TI_CASE, active.model);
    t.diagnostic(
      `max latent diff ${r.latent.toExponential(2)}, image ${r.worstFloat.toExponential(2)} (${r.worst}/255)`,
    );
    assert.ok(r.latent < 1e-4, `latents differ by ${r.latent}`);
    assert.ok(r.worst <= 2, `image differs by ${r.worst}/255`);
    await rt.release();
  });

  it('the optimum export (inline weights, wrapped node names) gets the same patched UNet and text encoder', async (t) => {
    const optimum = await loadModel(fixturePath('tiny-sd', 'sd15-tiny-optimum'), (files) =>
      createOrtEngine({ files, logger, providers: ['cpu'] }),
    );
    const rtA = createAdapterRuntime(base, { createEngine: temp.factory });
    const rtB = createAdapterRuntime(optimum, { createEngine: temp.factory });
    try {
      const a = await rtA.prepare({ loras: [{ file: lora('peft'), weight: 0.5 }] });
      const b = await rtB.prepare({ loras: [{ file: lora('peft'), weight: 0.5 }] });
      assert.deepEqual(b.notes, [], 'every module found under the optimum wrapper names');
      const sample = new Float32Array(2 * 4 * 32 * 32).map((_, i) => Math.sin(i));
      const hidden = new Float32Array(2 * 77 * 32).map((_, i) => Math.cos(i) * 0.5);
      const feeds = (scalar: boolean) => ({
        sample: { type: 'float32' as const, data: sample, dims: [2, 4, 32, 32] },
        timestep: {
          type: 'float32' as const,
          data: new Float32Array(scalar ? [500] : [500, 500]),
          dims: scalar ? [] : [2],
        },
        encoder_hidden_states: { type: 'float32' as const, data: hidden, dims: [2, 77, 32] },
      });
      const outA = Object.values(await a.model.engine.run('unet', feeds(false)))[0].data as Float32Array;
      const outB = Object.values(await b.model.engine.run('unet', feeds(true)))[0].data as Float32Array;
      const unetErr = maxAbsDiff(outA, outB);
      const want = readFixtureTensor('tiny-sd', LORA_CASE, 'prompt_embeds');
      const c = await encodePieces(b.model.text, [['a photo of an astronaut riding a horse on mars', 1]]);
      const teErr = maxAbsDiff(c.hidden, want.data as Float32Array);
      t.diagnostic(
        `UNet outputs differ by ${unetErr.toExponential(2)}, prompt embeds by ${teErr.toExponential(2)}`,
      );
      assert.ok(unetErr < 1e-4, `unet ${unetErr}`);
      assert.ok(teErr < 1e-5, `text encoder ${teErr}`);
    } finally {
      await rtA.release();
      await rtB.release();
      await optimum.engine.release();
    }
  });

  it('kohya, diffusers and PEFT files give the same text embeddings as diffusers', async (t) => {
    const rt = createAdapterRuntime(base, { createEngine: temp.factory });
    const want = readFixtureTensor('tiny-sd', LORA_CASE, 'prompt_embeds');
    const wantNeg = readFixtureTensor('tiny-sd', LORA_CASE, 'negative_prompt_embeds');
    for (const format of ['kohya', 'diffusers', 'peft']) {
      const active = await rt.prepare({ loras: [{ file: lora(format), weight: 0.5 }] });
      const c = await encodePieces(active.model.text, [
        ['a photo of an astronaut riding a horse on mars', 1],
      ]);
      const n = await encodePieces(active.model.text, [['blurry, low quality', 1]]);
      const err = Math.max(
        maxAbsDiff(c.hidden, want.data as Float32Array),
        maxAbsDiff(n.hidden, wantNeg.data as Float32Array),
      );
      t.diagnostic(`${format}: prompt embeds differ by ${err.toExponential(2)}`);
      assert.ok(err < 1e-5, `${format}: ${err}`);
    }
    await rt.release();
  });

  it('several LoRAs add up: kohya at 0.25 plus PEFT at 0.25 equals the 0.5 golden', async (t) => {
    const rt = createAdapterRuntime(base, { createEngine: temp.factory });
    const active = await rt.prepare({
      loras: [
        { file: lora('kohya'), weight: 0.25 },
        { file: lora('peft'), weight: 0.25 },
      ],
    });
    const c = await encodePieces(active.model.text, [['a photo of an astronaut riding a horse on mars', 1]]);
    const want = readFixtureTensor('tiny-sd', LORA_CASE, 'prompt_embeds');
    const err = maxAbsDiff(c.hidden, want.data as Float32Array);
    t.diagnostic(`prompt embeds differ by ${err.toExponential(2)}`);
    assert.ok(err < 1e-5, String(err));
    await rt.release();
  });

  it('kohya, diffusers and PEFT files patch the same UNet and text-encoder weights', (t) => {
    for (const component of ['unet', 'text_encoder'] as const) {
      const w = loadComponentWeights(fixturePath('tiny-sd', 'sd15-tiny', component, 'model.onnx'));
      const targets = indexWeightTargets(w.model);
      const updates = ['kohya', 'diffusers', 'peft'].map((format) => {
        const st = readSafetensors(new Uint8Array(readFileSync(lora(format))), lora(format), 'loras');
        const l = parseLoraFile(st, lora(format), format);
        const plan = planComponent(component, targets, [{ lora: l, weight: 0.5 }]);
        assert.equal(plan.skipped.length, 0, `${format}: ${JSON.stringify(plan.skipped[0])}`);
        return applyPlan(w, plan);
      });
      assert.equal(updates[0].size, component === 'unet' ? 117 : 30);
      let worst = 0;
      for (const [name, values] of updates[0]) {
        for (const other of updates.slice(1)) worst = Math.max(worst, maxAbsDiff(values, other.get(name)!));
      }
      t.diagnostic(
        `${component}: ${updates[0].size} initializers, formats differ by ${worst.toExponential(2)}`,
      );
      assert.ok(worst < 1e-6, `${component}: ${worst}`);
    }
  });

  it('patches match mapping.json: every LoRA module lands on the initializer the recipe names', () => {
    const mapping = JSON.parse(readFileSync(fixturePath('tiny-sd', 'lora', 'mapping.json'), 'utf8')) as {
      modules: { component: string; torch_module: string; initializer: string; layout: string }[];
    };
    const idx = {
      unet: indexWeightTargets(
        loadComponentWeights(fixturePath('tiny-sd', 'sd15-tiny', 'unet', 'model.onnx')).model,
      ),
      text_encoder: indexWeightTargets(
        loadComponentWeights(fixturePath('tiny-sd', 'sd15-tiny', 'text_encoder', 'model.onnx')).model,
      ),
    };
    for (const row of mapping.modules) {
      const t = idx[row.component as 'unet' | 'text_encoder'].byPath.get(row.torch_module);
      assert.equal(t?.initializer, row.initializer, row.torch_module);
      assert.equal(t?.layout, row.layout, row.torch_module);
    }
  });

  it('a second job with the same set patches nothing; switching between two sets reuses both', async () => {
    const rt = createAdapterRuntime(base, { createEngine: temp.factory, cacheEntries: 2 });
    const a = { loras: [{ file: lora('kohya'), weight: 0.5 }] };
    const b = { loras: [{ file: lora('kohya'), weight: 1 }], embeddings: [embedding] };
    await rt.prepare(a);
    const afterFirst = rt.stats();
    const again = await rt.prepare(a);
    assert.deepEqual(again.built, []);
    assert.equal(rt.stats().patches, afterFirst.patches, 'no re-patch for the same set');
    assert.equal(rt.stats().fileReads, afterFirst.fileReads, 'the LoRA file is not read again');
    await rt.prepare(b);
    const afterB = rt.stats().patches;
    assert.deepEqual((await rt.prepare(a)).built, []);
    assert.deepEqual((await rt.prepare(b)).built, []);
    assert.equal(rt.stats().patches, afterB, 'switching back and forth does not patch');
    assert.equal((await rt.prepare({})).model, base, 'no adapters: the base model as loaded');
    await rt.release();
  });

  it("never writes the user's model files", () => {
    for (const [f, hash] of Object.entries(before0)) {
      assert.equal(sha(fixturePath('tiny-sd', 'sd15-tiny', f)), hash, f);
    }
  });
});
