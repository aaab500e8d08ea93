// Paths between a document and an asset, both given as POSIX-style URI paths (`Uri.path`),
// so the same code serves file://, vscode-remote:// and vscode-vfs:// workspaces.

function segments(p: string): string[] {
  return p.split('/').filter((s) => s !== '' && s !== '.');
}

/** The asset's path relative to the folder holding the document: `assets/x.png`, `../img/x.png`. */
export function relativeReferencePath(documentPath: string, assetPath: string): string {
  const from = segments(documentPath).slice(0, -1);
  const to = segments(assetPath);
  let common = 0;
  while (common < from.length && common < to.length - 1 && from[common] === to[common]) common++;
  const up = from.slice(common).map(() => '..');
  return [...up, ...to.slice(common)].join('/');
}

/** Joins path segments with `/`, dropping empty parts and resolving `..` within the base. */
export function joinUriPath(base: string, ...parts: string[]): string {
  const out = segments(base);
  for (const part of parts) {
    for (const s of segments(part)) {
      if (s === '..') out.pop();
      else out.push(s);
    }
  }
  return `/${out.join('/')}`;
}

/** The folder part of a URI path. */
export function dirnameUriPath(p: string): string {
  const s = segments(p);
  return `/${s.slice(0, -1).join('/')}`;
}

export function basenameUriPath(p: string): string {
  const s = segments(p);
  return s[s.length - 1] ?? '';
}
