// AUTOMATIC1111's generation-parameters text ("PNG Info"), written to the PNG `parameters` chunk and read
// back: "prompt\nNegative prompt: …\nSteps: 20, Sampler: Euler a, CFG scale: 7, Seed: 1, Size: 512x512, …".

export interface InfotextParams {
  prompt: string;
  negativePrompt: string;
  steps: number;
  sampler: string;
  cfg: number;
  seed: number;
  width: number;
  height: number;
  modelHash?: string;
  model?: string;
  denoisingStrength?: number;
  extra?: Record<string, string | number>;
}

function quote(v: string): string {
  return /[,:\n"]/.test(v) ? JSON.stringify(v) : v;
}

export function formatInfotext(p: InfotextParams): string {
  const fields: [string, string | number | undefined][] = [
    ['Steps', p.steps],
    ['Sampler', p.sampler],
    ['CFG scale', p.cfg],
    ['Seed', p.seed],
    ['Size', `${p.width}x${p.height}`],
    ['Model hash', p.modelHash],
    ['Model', p.model],
    ['Denoising strength', p.denoisingStrength],
    ...Object.entries(p.extra ?? {}),
  ];
  const line = fields
    .filter((f): f is [string, string | number] => f[1] !== undefined && f[1] !== '')
    .map(([k, v]) => `${k}: ${typeof v === 'string' ? quote(v) : v}`)
    .join(', ');
  const neg = p.negativePrompt ? `\nNegative prompt: ${p.negativePrompt}` : '';
  return `${p.prompt}${neg}\n${line}`;
}

/**
 * Parses A1111 infotext into prompt, negative prompt and the key/value fields of the last line: the
 * plugins' parser (shared/prompt/a1111-parameters.ts), so a PNG reads back the same in the daemon
 * (interrogate) and in both plugins.
 */
export { parseA1111Parameters as parseInfotext } from '../../shared/prompt/a1111-parameters';
