// File names for generated assets: a slug of the prompt plus the seed by default, shaped by
// the `stipple.fileNamePattern` setting, and never the name of a file that already exists.

export const DEFAULT_NAME_PATTERN = '{slug}-{seed}';
const MAX_SLUG_CHARS = 48;
const MAX_NAME_CHARS = 120;

/** Lower-case ASCII words of the prompt joined by `-`; weights, brackets and BREAK dropped. */
export function slugify(prompt: string, maxChars = MAX_SLUG_CHARS): string {
  const plain = prompt
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/:\s*-?\d+(\.\d+)?/g, ' ')
    .replace(/\bBREAK\b/g, ' ')
    .toLowerCase();
  const words = plain.split(/[^a-z0-9]+/).filter(Boolean);
  let slug = '';
  for (const w of words) {
    const next = slug ? `${slug}-${w}` : w;
    if (next.length > maxChars) break;
    slug = next;
  }
  return slug || 'image';
}

export interface NameVariables {
  slug: string;
  seed: number;
  index?: number;
  preset?: string;
  model?: string;
  date?: Date;
}

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

/** Characters that are unsafe in a file name on any platform become `-`. */
export function sanitizeFileName(name: string): string {
  const printable = [...name].map((c) => (c.charCodeAt(0) < 0x20 ? '-' : c)).join('');
  const cleaned = printable
    .replace(/[\\/:*?"<>|]+/g, '-')
    .replace(/-{2,}/g, '-')
    .replace(/^[-.\s]+|[-.\s]+$/g, '');
  return (cleaned || 'image').slice(0, MAX_NAME_CHARS);
}

/**
 * Expands `{slug}`, `{seed}`, `{index}`, `{preset}`, `{model}`, `{date}` (YYYY-MM-DD) and
 * `{time}` (HHMMSS). Unknown placeholders stay as written so a typo shows in the file name.
 */
export function formatAssetName(pattern: string, v: NameVariables): string {
  const d = v.date ?? new Date(0);
  const values: Record<string, string> = {
    slug: v.slug,
    seed: String(v.seed),
    index: String(v.index ?? 0),
    preset: v.preset ?? '',
    model: v.model ?? '',
    date: `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`,
    time: `${pad(d.getHours())}${pad(d.getMinutes())}${pad(d.getSeconds())}`,
  };
  const expanded = (pattern || DEFAULT_NAME_PATTERN).replace(/\{(\w+)\}/g, (m, key: string) =>
    Object.hasOwn(values, key) ? (values[key] ?? '') : m,
  );
  return sanitizeFileName(expanded);
}

/** `base.ext`, or `base-2.ext`, `base-3.ext`, … : the first name `exists` says is free. */
export async function firstFreeName(
  base: string,
  ext: string,
  exists: (name: string) => Promise<boolean>,
  maxTries = 1000,
): Promise<string> {
  for (let i = 1; i <= maxTries; i++) {
    const name = i === 1 ? `${base}.${ext}` : `${base}-${i}.${ext}`;
    if (!(await exists(name))) return name;
  }
  throw new Error(`no free file name for ${base}.${ext} after ${maxTries} tries`);
}
