// Which execution providers to try, and which can load here. Pure Node (fs + env); the list of backends the
// onnxruntime-node build ships is passed in by ort-engine.ts, the only module that imports onnxruntime-node.
//
// Auto mode (no explicit list, or an 'auto' entry) tries the best provider the platform has and ends with CPU:
//   Windows: cuda (when installed), dml, webgpu, cpu · macOS: coreml, webgpu, cpu ·
//   Linux: cuda (when installed), webgpu (only with a hardware Vulkan driver), cpu.
// On Linux WebGPU runs through Dawn on Vulkan. A machine with no GPU still has Mesa's lavapipe (a CPU Vulkan
// driver) when mesa-vulkan-drivers is installed; WebGPU on lavapipe works but is far slower than the CPU
// provider, so auto mode never picks it. An explicit list naming 'webgpu' uses whatever adapter Dawn finds.
import { existsSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import path from 'node:path';

/** One entry of onnxruntime-node's `listSupportedBackends()`. */
export interface BackendEntry {
  name: string;
  /** false: the provider's libraries are not part of the npm package (CUDA/TensorRT on Linux). */
  bundled: boolean;
}

export interface ProviderEnv {
  platform: NodeJS.Platform;
  env: NodeJS.ProcessEnv;
  /** Folder of onnxruntime_binding.node (non-bundled provider libraries are installed beside it). */
  bindingDir?: string;
  /** Root for /sys, /dev, /usr, /etc lookups (tests point it at a fake tree). */
  root?: string;
}

const PROVIDER_LIB: Record<string, string> = {
  linux: 'libonnxruntime_providers_%s.so',
  win32: 'onnxruntime_providers_%s.dll',
  darwin: 'libonnxruntime_providers_%s.dylib',
};

/** Whether a provider that the npm package does not bundle has its library installed beside the binding. */
function providerLibraryInstalled(name: string, pe: ProviderEnv): boolean {
  const lib = PROVIDER_LIB[pe.platform];
  return !!pe.bindingDir && !!lib && existsSync(path.join(pe.bindingDir, lib.replace('%s', name)));
}

function rooted(pe: ProviderEnv, p: string): string {
  return pe.root ? path.join(pe.root, p) : p;
}

const VULKAN_LOADER_DIRS = [
  '/usr/lib/x86_64-linux-gnu',
  '/usr/lib/aarch64-linux-gnu',
  '/usr/lib64',
  '/usr/lib',
  '/lib/x86_64-linux-gnu',
  '/lib/aarch64-linux-gnu',
  '/usr/local/lib',
];

const ICD_DIRS = ['/etc/vulkan/icd.d', '/usr/local/share/vulkan/icd.d', '/usr/share/vulkan/icd.d'];

/** Vulkan ICD manifests the loader would read (VK_DRIVER_FILES / VK_ICD_FILENAMES override the search). */
export function vulkanIcdFiles(pe: ProviderEnv): string[] {
  const override = pe.env.VK_DRIVER_FILES || pe.env.VK_ICD_FILENAMES;
  if (override) return override.split(':').filter((f) => f && existsSync(f));
  const files: string[] = [];
  for (const dir of ICD_DIRS) {
    const d = rooted(pe, dir);
    if (!existsSync(d)) continue;
    for (const f of readdirSync(d)) if (f.endsWith('.json')) files.push(path.join(d, f));
  }
  return files;
}

/** CPU (software) Vulkan drivers: Mesa lavapipe (lvp), SwiftShader. */
function isSoftwareIcd(file: string): boolean {
  const base = path.basename(file).toLowerCase();
  if (/^lvp_|lavapipe|swiftshader|vk_swiftshader/.test(base)) return true;
  try {
    const lib = String(JSON.parse(readFileSync(file, 'utf8'))?.ICD?.library_path ?? '').toLowerCase();
    return /lvp|lavapipe|swiftshader/.test(lib);
  } catch {
    return false;
  }
}

/** Kernel DRM driver -> the ICD manifest names that drive it. */
const DRM_DRIVER_ICDS: Record<string, RegExp> = {
  i915: /intel/,
  xe: /intel/,
  amdgpu: /radeon|amd/,
  radeon: /radeon|amd/,
  nvidia: /nvidia/,
  nouveau: /nouveau/,
  virtio_gpu: /virtio/,
  msm: /freedreno/,
  panfrost: /panfrost/,
  panthor: /panfrost/,
  v3d: /broadcom/,
  asahi: /asahi/,
};

export type VulkanAdapterKind = 'hardware' | 'software' | 'none';

/**
 * What a Vulkan-backed WebGPU adapter would be on this Linux machine, without creating one:
 * 'hardware' when a GPU device node exists whose driver has an installed ICD (or when the ICD override
 * names a non-software driver), 'software' when only lavapipe/SwiftShader would be found, 'none' when there
 * is no Vulkan loader or no ICD at all.
 */
export function linuxVulkanAdapter(pe: ProviderEnv): VulkanAdapterKind {
  const loader = VULKAN_LOADER_DIRS.some((d) => existsSync(rooted(pe, path.join(d, 'libvulkan.so.1'))));
  if (!loader) return 'none';
  const icds = vulkanIcdFiles(pe);
  if (icds.length === 0) return 'none';
  const hardwareIcds = icds.filter((f) => !isSoftwareIcd(f));
  if (hardwareIcds.length === 0) return 'software';
  if (pe.env.VK_DRIVER_FILES || pe.env.VK_ICD_FILENAMES) return 'hardware';
  const names = hardwareIcds.map((f) => path.basename(f).toLowerCase());
  const drivers: string[] = [];
  const drm = rooted(pe, '/sys/class/drm');
  if (existsSync(drm)) {
    for (const node of readdirSync(drm)) {
      if (!node.startsWith('renderD')) continue;
      try {
        drivers.push(path.basename(readlinkSync(path.join(drm, node, 'device', 'driver'))));
      } catch {
        // a render node without a driver link: nothing to match
      }
    }
  }
  // The proprietary NVIDIA driver may run without DRM render nodes.
  if (existsSync(rooted(pe, '/dev/nvidia0'))) drivers.push('nvidia');
  const matched = drivers.some((d) => {
    const re = DRM_DRIVER_ICDS[d];
    return re ? names.some((n) => re.test(n)) : false;
  });
  return matched ? 'hardware' : 'software';
}

/** Providers that can load in this process: bundled ones, plus non-bundled ones whose libraries are installed. */
export function loadableProviders(backends: readonly BackendEntry[], pe: ProviderEnv): string[] {
  const out: string[] = [];
  for (const b of backends) {
    if (!b.bundled && !providerLibraryInstalled(b.name, pe)) continue;
    // WebGPU on Linux needs the Vulkan loader and at least one driver (lavapipe counts).
    if (b.name === 'webgpu' && pe.platform === 'linux' && linuxVulkanAdapter(pe) === 'none') continue;
    out.push(b.name);
  }
  if (!out.includes('cpu')) out.push('cpu');
  return out;
}

/** The auto list for this platform, restricted to `loadable`; always ends with 'cpu'. */
export function autoProviders(loadable: readonly string[], pe: ProviderEnv): string[] {
  let order: string[];
  if (pe.platform === 'win32') order = ['cuda', 'dml', 'webgpu'];
  else if (pe.platform === 'darwin') order = ['coreml', 'webgpu'];
  else order = ['cuda', ...(linuxVulkanAdapter(pe) === 'hardware' ? ['webgpu'] : [])];
  return [...order.filter((p) => loadable.includes(p)), 'cpu'];
}

/** `STIPPLE_EXECUTION_PROVIDERS=webgpu,cpu` (or `auto`): the list to try when the caller gives none. */
export function providersFromEnv(env: NodeJS.ProcessEnv): string[] | undefined {
  const v = env.STIPPLE_EXECUTION_PROVIDERS?.trim();
  if (!v) return undefined;
  return v
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean);
}

/** The list config.json carried as its default before 'auto' existed; read as auto. */
const LEGACY_DEFAULT = ['cuda', 'dml', 'coreml', 'webgpu', 'cpu'];

/**
 * The ordered list to try: `requested` (else STIPPLE_EXECUTION_PROVIDERS, else auto). An 'auto' entry expands
 * to the auto list in place; duplicates are dropped; 'cpu' is always last-resort. Providers this build cannot
 * load stay in the list only when named explicitly, so the log says why they were skipped.
 */
export function resolveProviders(
  requested: readonly string[] | undefined,
  loadable: readonly string[],
  pe: ProviderEnv,
): string[] {
  let list = requested?.length ? requested : (providersFromEnv(pe.env) ?? ['auto']);
  if (list.length === LEGACY_DEFAULT.length && list.every((p, i) => p === LEGACY_DEFAULT[i])) list = ['auto'];
  const out: string[] = [];
  for (const p of list) {
    const entries = p === 'auto' ? autoProviders(loadable, pe) : [p];
    for (const e of entries) if (!out.includes(e)) out.push(e);
  }
  // 'cpu' stays where the user put it, and is always present as the last resort.
  if (!out.includes('cpu')) out.push('cpu');
  return out;
}
