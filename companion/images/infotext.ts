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

/** Parses A1111 infotext into prompt, negative prompt and the key/value fields of the last line. */
export function parseInfotext(text: string): {
  prompt: string;
  negativePrompt: string;
  fields: Record<string, string>;
} {
  const lines = text.trim().split('\n');
  let last = lines[lines.length - 1] ?? '';
  const fieldRe = /\s*([\w ]+):\s*("(?:\\.|[^\\"])+"|[^,]*)(?:,|$)/g;
  const fields: Record<string, string> = {};
  if ((last.match(fieldRe) ?? []).length >= 3) {
    lines.pop();
    for (const m of last.matchAll(fieldRe)) {
      const v = m[2].trim();
      fields[m[1].trim()] = v.startsWith('"') ? (JSON.parse(v) as string) : v;
    }
  } else {
    last = '';
  }
  const prompt: string[] = [];
  const negative: string[] = [];
  let inNeg = false;
  for (const l of lines) {
    if (l.startsWith('Negative prompt:')) {
      inNeg = true;
      negative.push(l.slice('Negative prompt:'.length).trim());
    } else (inNeg ? negative : prompt).push(l);
  }
  return { prompt: prompt.join('\n').trim(), negativePrompt: negative.join('\n').trim(), fields };
}
