// The workspace's generated assets for the side panel's gallery: the PNGs under the output
// folder with the prompt, negative prompt, seed, size and checkpoint read from their `parameters`
// chunk (what the panel's "Use prompt" restores); search by prompt text.
import type * as vscode from 'vscode';
import type { GalleryItem } from '../common/panel-messages';
import type { HostContext } from './host-context';
import { type ParsedParameters, readParametersFromPng } from './png-parameters';
import { basenameUriPath } from './relative-path';
import { readSettings } from './settings';

const MAX_ITEMS = 200;

export interface GalleryEntry {
  uri: vscode.Uri;
  name: string;
  prompt: string;
  negativePrompt?: string;
  seed?: number;
  /** "WxH". */
  size?: string;
  model?: string;
  mtime: number;
}

/** Case-insensitive: every word of the query appears in the prompt or the file name. */
export function matchesQuery(entry: { prompt: string; name: string }, query: string): boolean {
  const hay = `${entry.prompt} ${entry.name}`.toLowerCase();
  return query
    .toLowerCase()
    .split(/\s+/)
    .filter(Boolean)
    .every((w) => hay.includes(w));
}

/** The gallery's fields of a PNG's parsed `parameters` (all empty when it has none). */
export function galleryFields(
  params: ParsedParameters | undefined,
): Pick<GalleryEntry, 'prompt' | 'negativePrompt' | 'seed' | 'size' | 'model'> {
  if (!params) return { prompt: '' };
  const seed = /^\d+$/.test(params.fields.Seed?.trim() ?? '') ? Number(params.fields.Seed) : undefined;
  const size = /^\d+x\d+$/.test(params.fields.Size?.trim() ?? '') ? params.fields.Size?.trim() : undefined;
  const model = params.fields.Model?.trim();
  return {
    prompt: params.prompt,
    ...(params.negativePrompt ? { negativePrompt: params.negativePrompt } : {}),
    ...(seed !== undefined && Number.isSafeInteger(seed) ? { seed } : {}),
    ...(size ? { size } : {}),
    ...(model ? { model } : {}),
  };
}

export async function scanGallery(ctx: HostContext): Promise<GalleryEntry[]> {
  const v = ctx.vscode;
  const s = readSettings(v.workspace.getConfiguration('stipple'));
  const folders = v.workspace.workspaceFolders ?? [];
  const out: GalleryEntry[] = [];
  for (const f of folders) {
    const uris = await v.workspace.findFiles(
      new v.RelativePattern(f, `${s.outputFolder}/**/*.png`),
      null,
      MAX_ITEMS,
    );
    for (const uri of uris) {
      try {
        const [bytes, stat] = await Promise.all([v.workspace.fs.readFile(uri), v.workspace.fs.stat(uri)]);
        const params = readParametersFromPng(bytes);
        out.push({
          uri,
          name: basenameUriPath(uri.path),
          ...galleryFields(params),
          mtime: stat.mtime,
        });
      } catch (e) {
        ctx.log(`gallery: cannot read ${uri.toString()}: ${String(e)}`);
      }
    }
  }
  return out.sort((a, b) => b.mtime - a.mtime).slice(0, MAX_ITEMS);
}

export function toGalleryItems(
  entries: GalleryEntry[],
  webview: Pick<vscode.Webview, 'asWebviewUri'>,
): GalleryItem[] {
  return entries.map((e) => ({
    path: e.uri.toString(),
    name: e.name,
    prompt: e.prompt,
    seed: e.seed,
    src: webview.asWebviewUri(e.uri).toString(),
    ...(e.negativePrompt ? { negativePrompt: e.negativePrompt } : {}),
    ...(e.size ? { size: e.size } : {}),
    ...(e.model ? { model: e.model } : {}),
  }));
}
