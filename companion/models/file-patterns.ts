// Glob patterns that pick which files of a hub repo to fetch, as huggingface_hub's
// `allow_patterns`: `*` stays inside one path segment, `**/` spans folders, `?` is one char.

function globToRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '*' && glob[i + 1] === '*') {
      const slash = glob[i + 2] === '/';
      re += slash ? '(?:.*/)?' : '.*';
      i += slash ? 2 : 1;
    } else if (c === '*') {
      re += '[^/]*';
    } else if (c === '?') {
      re += '[^/]';
    } else {
      re += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
    }
  }
  return new RegExp(`^${re}$`);
}

export interface FileSelection {
  include: readonly string[];
  exclude?: readonly string[];
}

export function selectFiles<T extends { path: string }>(files: readonly T[], selection: FileSelection): T[] {
  const include = selection.include.map(globToRegExp);
  const exclude = (selection.exclude ?? []).map(globToRegExp);
  return files.filter((f) => include.some((r) => r.test(f.path)) && !exclude.some((r) => r.test(f.path)));
}

/** What a repo outside the catalog gets: the diffusers ONNX pipeline files, no PyTorch weights. */
export const DEFAULT_ONNX_SELECTION: FileSelection = {
  include: [
    'model_index.json',
    '**/*.onnx',
    '**/*.onnx_data',
    '**/*.onnx.data',
    '**/*.pb',
    '*/config.json',
    'scheduler/*.json',
    'tokenizer*/*',
  ],
  exclude: ['safety_checker/**', 'feature_extractor/**', '**/*.safetensors', '**/*.bin', '**/*.ckpt'],
};
