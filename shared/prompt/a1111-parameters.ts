// A1111's generation parameters ("PNG Info", the PNG `parameters` text) split into prompt,
// negative prompt and the `Key: value, …` fields of the last line, for the plugins' reverse
// prompt: a PNG that carries them gives its prompt back exactly, without asking CLIP. Pure.

export interface A1111Parameters {
  prompt: string;
  negativePrompt: string;
  /** Steps, Sampler, CFG scale, Seed, Size, Model, … as written (quoted values unquoted). */
  fields: Record<string, string>;
}

const FIELD_RE = /\s*([\w ]+):\s*("(?:\\.|[^\\"])*"|[^,]*)(?:,|$)/g;

function unquote(raw: string): string {
  if (!raw.startsWith('"')) return raw;
  try {
    return JSON.parse(raw) as string;
  } catch {
    return raw.slice(1, -1);
  }
}

export function parseA1111Parameters(text: string): A1111Parameters {
  const lines = text.replace(/\r\n/g, '\n').trim().split('\n');
  const fields: Record<string, string> = {};
  const last = lines[lines.length - 1] ?? '';
  const matches = [...last.matchAll(FIELD_RE)].filter((m) => m[0].trim() !== '');
  // The settings line starts with "Steps:" and has several fields; anything else is prompt text.
  if (lines.length > 0 && /^\s*Steps:/.test(last) && matches.length >= 3) {
    lines.pop();
    for (const m of matches) fields[(m[1] ?? '').trim()] = unquote((m[2] ?? '').trim());
  }
  const prompt: string[] = [];
  const negative: string[] = [];
  let inNegative = false;
  for (const line of lines) {
    if (line.startsWith('Negative prompt:')) {
      inNegative = true;
      negative.push(line.slice('Negative prompt:'.length).trim());
    } else (inNegative ? negative : prompt).push(line);
  }
  return { prompt: prompt.join('\n').trim(), negativePrompt: negative.join('\n').trim(), fields };
}
