// User style presets on disk: every `<presets dir>/*.json` is a style pack (ours or the
// Fooocus/SDXL-styles format, loaded as is). A malformed file is reported with its file and
// line and skipped; the others still load. Imports are validated, then written atomically.
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { BUILTIN_PRESETS } from '../../shared/presets/builtin-presets';
import { parseStylePack, serializeStylePack } from '../../shared/presets/style-pack';
import type { StylePreset } from '../../shared/presets/style-preset';
import { writeFileAtomic } from '../config/atomic-write';

export interface PresetLoad {
  presets: StylePreset[];
  problems: Array<{ file: string; message: string }>;
}

export class PresetStore {
  constructor(readonly dir: string) {}

  async loadUser(): Promise<PresetLoad> {
    const out: PresetLoad = { presets: [], problems: [] };
    if (!existsSync(this.dir)) return out;
    const used = new Set<string>();
    for (const f of (await readdir(this.dir)).filter((n) => n.endsWith('.json')).sort()) {
      const file = path.join(this.dir, f);
      const r = parseStylePack(await readFile(file, 'utf8'), file, used);
      if (r.ok) out.presets.push(...r.presets);
      else out.problems.push({ file, message: r.error.message });
    }
    return out;
  }

  /** Built-ins followed by user presets (a user preset with a built-in's id replaces it). */
  async all(): Promise<PresetLoad> {
    const user = await this.loadUser();
    const ids = new Set(user.presets.map((p) => p.id));
    return {
      presets: [...BUILTIN_PRESETS.filter((p) => !ids.has(p.id)), ...user.presets],
      problems: user.problems,
    };
  }

  /** Validates a style pack file and copies it into the presets folder; returns what it holds. */
  async import(file: string): Promise<StylePreset[]> {
    const text = await readFile(file, 'utf8');
    const r = parseStylePack(text, file);
    if (!r.ok) throw Object.assign(new Error(r.error.message), { code: 'E_PRESET_FILE' });
    await mkdir(this.dir, { recursive: true });
    let name = path.basename(file).replace(/[^A-Za-z0-9_.-]/g, '_');
    if (!name.endsWith('.json')) name += '.json';
    await writeFileAtomic(path.join(this.dir, name), text);
    return r.presets;
  }

  async exportUser(): Promise<string> {
    return serializeStylePack((await this.loadUser()).presets);
  }
}
