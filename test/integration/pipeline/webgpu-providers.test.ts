// Which execution providers the runtime tries and reports: auto mode never picks WebGPU on a software Vulkan
// adapter (Mesa lavapipe), explicit lists are honoured in order with CPU last, providers whose libraries are
// not installed are not reported, and a WebGPU provider that cannot get an adapter falls back to CPU.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import pino from 'pino';
import {
  autoProviders,
  type BackendEntry,
  linuxVulkanAdapter,
  loadableProviders,
  type ProviderEnv,
  resolveProviders,
} from '../../../companion/pipeline/runtime/providers.js';
import { fixturePath, skipNoFixtures } from '../../helpers/fixtures.js';

const tmp = mkdtempSync(path.join(tmpdir(), 'stipple-providers-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

let n = 0;
/** A fake filesystem root with a Vulkan loader, the given ICD manifests, render nodes and device files. */
function fakeRoot(o: {
  loader?: boolean;
  icds?: string[];
  renderDrivers?: string[];
  nvidiaDev?: boolean;
}): string {
  const root = path.join(tmp, `root${n++}`);
  const libDir = path.join(root, 'usr/lib/x86_64-linux-gnu');
  mkdirSync(libDir, { recursive: true });
  if (o.loader !== false) writeFileSync(path.join(libDir, 'libvulkan.so.1'), '');
  const icdDir = path.join(root, 'usr/share/vulkan/icd.d');
  mkdirSync(icdDir, { recursive: true });
  for (const icd of o.icds ?? [])
    writeFileSync(
      path.join(icdDir, `${icd}.x86_64.json`),
      JSON.stringify({
        ICD: { library_path: `/usr/lib/x86_64-linux-gnu/libvulkan_${icd.replace(/_icd$/, '')}.so` },
      }),
    );
  (o.renderDrivers ?? []).forEach((driver, i) => {
    const dev = path.join(root, `sys/class/drm/renderD${128 + i}/device`);
    mkdirSync(dev, { recursive: true });
    symlinkSync(`../../../../bus/pci/drivers/${driver}`, path.join(dev, 'driver'));
  });
  if (o.nvidiaDev) {
    mkdirSync(path.join(root, 'dev'), { recursive: true });
    writeFileSync(path.join(root, 'dev/nvidia0'), '');
  }
  return root;
}

const linux = (root: string, env: NodeJS.ProcessEnv = {}, bindingDir?: string): ProviderEnv => ({
  platform: 'linux',
  env,
  root,
  ...(bindingDir ? { bindingDir } : {}),
});

const LINUX_BACKENDS: BackendEntry[] = [
  { name: 'cpu', bundled: true },
  { name: 'webgpu', bundled: true },
  { name: 'cuda', bundled: false },
  { name: 'tensorrt', bundled: false },
];

describe('Vulkan adapter detection (Linux)', () => {
  it('no loader or no driver: none', () => {
    assert.equal(linuxVulkanAdapter(linux(fakeRoot({ loader: false, icds: ['lvp_icd'] }))), 'none');
    assert.equal(linuxVulkanAdapter(linux(fakeRoot({ icds: [] }))), 'none');
  });

  it('only lavapipe, or GPU drivers installed without a GPU: software', () => {
    assert.equal(linuxVulkanAdapter(linux(fakeRoot({ icds: ['lvp_icd'] }))), 'software');
    // mesa-vulkan-drivers ships intel/radeon/lvp manifests together; with no render node only lavapipe runs
    assert.equal(
      linuxVulkanAdapter(linux(fakeRoot({ icds: ['lvp_icd', 'intel_icd', 'radeon_icd'] }))),
      'software',
    );
    // an AMD GPU but only the Intel driver installed
    assert.equal(
      linuxVulkanAdapter(linux(fakeRoot({ icds: ['lvp_icd', 'intel_icd'], renderDrivers: ['amdgpu'] }))),
      'software',
    );
  });

  it('a GPU whose driver has an ICD: hardware', () => {
    assert.equal(
      linuxVulkanAdapter(linux(fakeRoot({ icds: ['lvp_icd', 'intel_icd'], renderDrivers: ['i915'] }))),
      'hardware',
    );
    assert.equal(linuxVulkanAdapter(linux(fakeRoot({ icds: ['nvidia_icd'], nvidiaDev: true }))), 'hardware');
  });

  it('VK_ICD_FILENAMES / VK_DRIVER_FILES decide when set', () => {
    const root = fakeRoot({ icds: ['lvp_icd', 'intel_icd'], renderDrivers: ['i915'] });
    const lvp = path.join(root, 'usr/share/vulkan/icd.d/lvp_icd.x86_64.json');
    const intel = path.join(root, 'usr/share/vulkan/icd.d/intel_icd.x86_64.json');
    assert.equal(linuxVulkanAdapter(linux(root, { VK_ICD_FILENAMES: lvp })), 'software');
    assert.equal(linuxVulkanAdapter(linux(root, { VK_DRIVER_FILES: intel })), 'hardware');
    assert.equal(
      linuxVulkanAdapter(linux(root, { VK_ICD_FILENAMES: path.join(root, 'missing.json') })),
      'none',
    );
  });
});

describe('provider lists', () => {
  it('loadable: CUDA/TensorRT only with their libraries installed; WebGPU only with Vulkan', () => {
    const bin = path.join(tmp, 'bin-cuda');
    mkdirSync(bin, { recursive: true });
    const soft = fakeRoot({ icds: ['lvp_icd'] });
    assert.deepEqual(loadableProviders(LINUX_BACKENDS, linux(soft, {}, path.join(tmp, 'bin-empty'))), [
      'cpu',
      'webgpu',
    ]);
    writeFileSync(path.join(bin, 'libonnxruntime_providers_cuda.so'), '');
    assert.deepEqual(loadableProviders(LINUX_BACKENDS, linux(soft, {}, bin)), ['cpu', 'webgpu', 'cuda']);
    assert.deepEqual(loadableProviders(LINUX_BACKENDS, linux(fakeRoot({ loader: false }), {}, bin)), [
      'cpu',
      'cuda',
    ]);
  });

  it('auto on Linux: CUDA when installed, WebGPU only on a hardware adapter, then CPU', () => {
    const soft = linux(fakeRoot({ icds: ['lvp_icd'] }));
    const hard = linux(fakeRoot({ icds: ['lvp_icd', 'radeon_icd'], renderDrivers: ['amdgpu'] }));
    assert.deepEqual(autoProviders(['cpu', 'webgpu'], soft), ['cpu']);
    assert.deepEqual(autoProviders(['cpu', 'webgpu'], hard), ['webgpu', 'cpu']);
    assert.deepEqual(autoProviders(['cpu', 'webgpu', 'cuda'], hard), ['cuda', 'webgpu', 'cpu']);
    assert.deepEqual(autoProviders(['cpu', 'webgpu', 'cuda'], soft), ['cuda', 'cpu']);
  });

  it('auto on Windows and macOS', () => {
    const win: ProviderEnv = { platform: 'win32', env: {} };
    const mac: ProviderEnv = { platform: 'darwin', env: {} };
    assert.deepEqual(autoProviders(['cpu', 'dml', 'webgpu'], win), ['dml', 'webgpu', 'cpu']);
    assert.deepEqual(autoProviders(['cpu', 'coreml', 'webgpu'], mac), ['coreml', 'webgpu', 'cpu']);
  });

  it('explicit lists are kept in order with CPU as the last resort; auto expands in place', () => {
    const soft = linux(fakeRoot({ icds: ['lvp_icd'] }));
    const loadable = ['cpu', 'webgpu'];
    assert.deepEqual(resolveProviders(['webgpu'], loadable, soft), ['webgpu', 'cpu']);
    assert.deepEqual(resolveProviders(['cuda', 'webgpu', 'cpu'], loadable, soft), ['cuda', 'webgpu', 'cpu']);
    assert.deepEqual(resolveProviders(undefined, loadable, soft), ['cpu']);
    assert.deepEqual(resolveProviders(['auto'], ['cpu', 'webgpu', 'cuda'], soft), ['cuda', 'cpu']);
    assert.deepEqual(resolveProviders(['webgpu', 'auto'], ['cpu', 'webgpu', 'cuda'], soft), [
      'webgpu',
      'cuda',
      'cpu',
    ]);
  });

  it("the list config.json carried as default before 'auto' is read as auto", () => {
    const soft = linux(fakeRoot({ icds: ['lvp_icd'] }));
    assert.deepEqual(resolveProviders(['cuda', 'dml', 'coreml', 'webgpu', 'cpu'], ['cpu', 'webgpu'], soft), [
      'cpu',
    ]);
  });

  it('STIPPLE_EXECUTION_PROVIDERS applies when the caller gives no list', () => {
    const env = linux(fakeRoot({ icds: ['lvp_icd'] }), { STIPPLE_EXECUTION_PROVIDERS: ' WebGPU , cpu ' });
    assert.deepEqual(resolveProviders(undefined, ['cpu', 'webgpu'], env), ['webgpu', 'cpu']);
    assert.deepEqual(resolveProviders(['cpu'], ['cpu', 'webgpu'], env), ['cpu']);
  });
});

describe('runtime on this machine', { skip: skipNoFixtures }, () => {
  it('reports only providers that can load, and falls back to CPU when WebGPU gets no adapter', async () => {
    // A manifest that looks like a GPU driver but whose library does not exist: the loader finds no device,
    // so the WebGPU session fails at creation. Set before the runtime first looks (and before Dawn starts).
    const bogus = path.join(tmp, 'bogus_icd.json');
    writeFileSync(
      bogus,
      JSON.stringify({
        file_format_version: '1.0.0',
        ICD: { library_path: '/nonexistent/libvulkan_bogus.so' },
      }),
    );
    process.env.VK_ICD_FILENAMES = bogus;
    const { availableProviders, createOrtEngine } = await import(
      '../../../companion/pipeline/runtime/ort-engine.js'
    );
    const before = availableProviders();
    assert.ok(before.includes('cpu'));
    assert.ok(!before.includes('cuda'), 'CUDA is not listed without its provider library');
    if (process.platform !== 'linux') return;
    assert.ok(before.includes('webgpu'), `webgpu listed from the manifest (got ${before.join(', ')})`);

    const lines: string[] = [];
    const logger = pino({ level: 'info' }, { write: (s: string) => void lines.push(s) });
    const engine = await createOrtEngine({
      files: { vae_decoder: fixturePath('tiny-sd', 'sd15-tiny', 'vae_decoder', 'model.onnx') },
      logger,
      providers: ['cuda', 'webgpu', 'cpu'],
    });
    try {
      assert.equal(engine.executionProvider, 'cpu');
      const reasons = lines.map((l) => JSON.parse(l) as { provider?: string; msg: string });
      assert.ok(
        reasons.some((r) => r.provider === 'cuda'),
        'the skipped CUDA provider is logged',
      );
      assert.ok(
        reasons.some((r) => r.provider === 'webgpu'),
        'the failed WebGPU provider is logged',
      );
      assert.equal(engine.toDevice, undefined, 'no device tensors on CPU');
      const out = await engine.run('vae_decoder', {
        latent_sample: { type: 'float32', data: new Float32Array(4 * 4 * 4), dims: [1, 4, 4, 4] },
      });
      assert.deepEqual(out.sample.dims, [1, 3, 8, 8]);
    } finally {
      await engine.release();
    }
    assert.ok(!availableProviders().includes('webgpu'), 'a provider that failed here is no longer reported');
  });
});
