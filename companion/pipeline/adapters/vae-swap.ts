// Another VAE for a model (e.g. a fixed fp16 VAE): an ONNX folder with vae_decoder/ (and optionally
// vae_encoder/), or a model folder holding them. Checked before use: same latent channels, same spatial
// scale (2^(blocks-1)) as the model's own VAE; files must stay inside the chosen folder.
import { existsSync, readFileSync, realpathSync, statSync } from 'node:fs';
import path from 'node:path';
import { AdapterError } from '../lora/adapter-errors.js';
import type { ModelLayout } from '../model/model-layout.js';

export interface VaeFiles {
  dir: string;
  vae_decoder: string;
  vae_encoder?: string;
}

function configOf(file: string): Record<string, unknown> {
  const cfg = path.join(path.dirname(file), 'config.json');
  if (!existsSync(cfg)) return {};
  try {
    return JSON.parse(readFileSync(cfg, 'utf8')) as Record<string, unknown>;
  } catch {
    throw new AdapterError('vae_incompatible', `\`vae\`: ${cfg} is not valid JSON`, { field: 'vae' });
  }
}

export function resolveVae(dirIn: string, layout: ModelLayout): VaeFiles {
  if (!existsSync(dirIn) || !statSync(dirIn).isDirectory()) {
    throw new AdapterError('not_found', `\`vae\`: folder ${dirIn} does not exist`, { field: 'vae' });
  }
  const dir = realpathSync(dirIn);
  const inside = (sub: string) => {
    const f = path.join(dir, sub, 'model.onnx');
    if (!existsSync(f)) return undefined;
    const real = realpathSync(f);
    if (!real.startsWith(dir + path.sep)) {
      throw new AdapterError('vae_incompatible', `\`vae\`: ${f} points outside ${dir}`, { field: 'vae' });
    }
    return real;
  };
  const decoder = inside('vae_decoder');
  if (!decoder) {
    throw new AdapterError('vae_incompatible', `\`vae\`: ${dir} has no vae_decoder/model.onnx`, {
      field: 'vae',
    });
  }
  const encoder = inside('vae_encoder');
  const cfg = { ...(encoder ? configOf(encoder) : {}), ...configOf(decoder) };
  const channels = (c: Record<string, unknown>) =>
    typeof c.latent_channels === 'number' ? c.latent_channels : 4;
  if (channels(cfg) !== channels(layout.vaeConfig)) {
    throw new AdapterError(
      'vae_incompatible',
      `\`vae\`: ${dir} has ${channels(cfg)} latent channels, model ${layout.name} needs ${channels(layout.vaeConfig)}`,
      { field: 'vae' },
    );
  }
  const blocks = Array.isArray(cfg.block_out_channels) ? cfg.block_out_channels.length : undefined;
  if (blocks !== undefined && 2 ** (blocks - 1) !== layout.vaeScaleFactor) {
    throw new AdapterError(
      'vae_incompatible',
      `\`vae\`: ${dir} scales latents by ${2 ** (blocks - 1)}, model ${layout.name} by ${layout.vaeScaleFactor}`,
      { field: 'vae' },
    );
  }
  return { dir, vae_decoder: decoder, ...(encoder ? { vae_encoder: encoder } : {}) };
}
