// The daemon's view of models for clients: installed ones merged with the catalog (so the
// plugins can offer a download), the default model, and the generation defaults a request
// without explicit sampler/steps/cfg/size gets.
import type { z } from 'zod';
import type { ModelEntry } from '../../shared/protocol/server-messages';
import { AdapterStore } from '../models/adapter-store';
import { type CatalogEntry, findCatalogEntry, MODEL_CATALOG } from '../models/catalog';
import type { ModelManager } from '../models/model-manager';
import type { ModelManifest } from '../models/model-store';

type Entry = z.infer<typeof ModelEntry>;

export interface JobModel {
  id: string;
  dir: string;
  name: string;
  family: string;
  defaults: { width: number; height: number; sampler: string; steps: number; cfg: number };
}

const FAMILY_DEFAULTS: Record<string, JobModel['defaults']> = {
  'sd-turbo': { width: 512, height: 512, sampler: 'euler_a', steps: 1, cfg: 0 },
  'sdxl-turbo': { width: 512, height: 512, sampler: 'euler_a', steps: 1, cfg: 0 },
  sdxl: { width: 1024, height: 1024, sampler: 'dpmpp_2m_karras', steps: 25, cfg: 7 },
  sd2: { width: 768, height: 768, sampler: 'dpmpp_2m_karras', steps: 25, cfg: 7 },
};
const GENERIC_DEFAULTS: JobModel['defaults'] = {
  width: 512,
  height: 512,
  sampler: 'euler_a',
  steps: 20,
  cfg: 7,
};

export function defaultsFor(family: string | undefined, catalog?: CatalogEntry): JobModel['defaults'] {
  return catalog?.defaults ?? FAMILY_DEFAULTS[family ?? ''] ?? GENERIC_DEFAULTS;
}

export class ModelCatalogView {
  private readonly adapters: AdapterStore;

  constructor(
    private readonly models: ModelManager,
    private readonly configuredDefault: string | null,
    dataDir: string,
  ) {
    this.adapters = new AdapterStore(dataDir);
  }

  async installed(): Promise<ModelManifest[]> {
    return (await this.models.list()).filter((m) => m.kind === 'pipeline');
  }

  /** The configured default, else the catalog default if installed, else the first installed model. */
  async defaultModelId(): Promise<string | null> {
    const inst = await this.installed();
    if (this.configuredDefault && inst.some((m) => m.id === this.configuredDefault))
      return this.configuredDefault;
    const catalogDefault = MODEL_CATALOG.find((e) => e.isDefault);
    if (catalogDefault && inst.some((m) => m.id === catalogDefault.id)) return catalogDefault.id;
    return inst[0]?.id ?? this.configuredDefault;
  }

  async entries(): Promise<Entry[]> {
    const inst = await this.models.list();
    const out: Entry[] = inst.map((m) => {
      const cat = findCatalogEntry(m.catalogId ?? m.id);
      return {
        id: m.id,
        name: m.name ?? cat?.name ?? m.id,
        family: m.family ?? cat?.family ?? 'unknown',
        installed: true,
        sizeBytes: m.totalBytes,
        source: m.source.kind === 'hub' ? `${m.source.repo}@${m.source.revision}` : 'import',
        kind: m.kind === 'pipeline' ? 'checkpoint' : m.kind === 'interrogator' ? 'clip' : 'vae',
        defaults: defaultsFor(m.family, cat),
      };
    });
    // LoRAs, embeddings and VAEs, so the plugins' pickers show them next to checkpoints.
    for (const kind of ['lora', 'embedding', 'vae'] as const) {
      for (const a of await this.adapters.list(kind)) {
        out.push({
          id: a.name,
          name: a.name,
          family: a.familyLabel,
          installed: true,
          sizeBytes: a.sizeBytes,
          kind,
          ...(a.triggerWords?.length ? { triggerWords: a.triggerWords } : {}),
          ...(a.token ? { token: a.token } : {}),
        });
      }
    }
    for (const c of MODEL_CATALOG) {
      if (inst.some((m) => m.id === c.id)) continue;
      out.push({
        id: c.id,
        name: c.name,
        family: c.family,
        installed: false,
        sizeBytes: Math.round(c.approxSizeBytes),
        source: `${c.repo}@${c.revision}`,
        kind: c.kind === 'pipeline' ? 'checkpoint' : c.kind === 'interrogator' ? 'clip' : 'vae',
        defaults: defaultsFor(c.family, c),
      });
    }
    return out;
  }

  /**
   * The store folder of the VAE a request names (`request.vae`), checked before the job is queued:
   * an unknown name is E_MODEL_NOT_FOUND naming the field and the installed VAEs.
   */
  async vaeForJob(name: string): Promise<string> {
    const installed = await this.adapters.list('vae');
    const hit = installed.find((e) => e.name === name);
    if (!hit) {
      const have = installed.map((e) => e.name);
      const err = new Error(
        `\`vae\`: no VAE named "${name}" is installed (${have.length ? `installed: ${have.join(', ')}` : 'none is installed: `stipple vae import <folder>`'})`,
      ) as Error & { code: string; field: string };
      err.code = 'E_MODEL_NOT_FOUND';
      err.field = 'vae';
      throw err;
    }
    return hit.path;
  }

  /** The installed TAESD for a `quality: 'fast'` job on a model of `family` (ModelManager.installedTinyDecoder). */
  tinyDecoderForJob(family: string): Promise<string | undefined> {
    return this.models.installedTinyDecoder(family);
  }

  /** Resolves the model a job runs on; throws the manager's typed errors (E_MODEL_NOT_FOUND, …). */
  async forJob(id: string | undefined): Promise<JobModel> {
    const chosen = id ?? (await this.defaultModelId());
    if (!chosen) {
      const err = new Error(
        'no model is installed: run `stipple models pull sd-turbo` or import one',
      ) as Error & {
        code: string;
        field: string;
      };
      err.code = 'E_MODEL_NOT_FOUND';
      err.field = 'model';
      throw err;
    }
    const r = await this.models.resolve(chosen, { check: 'size' });
    const cat = findCatalogEntry(r.manifest?.catalogId ?? chosen);
    const family = r.manifest?.family ?? cat?.family ?? 'unknown';
    return {
      id: chosen,
      dir: r.dir,
      name: r.manifest?.name ?? cat?.name ?? chosen,
      family,
      defaults: defaultsFor(family, cat),
    };
  }
}
