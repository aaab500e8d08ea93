// A GenerateInput for the tiny fixture models: 64x64 txt2img with the request defaults the protocol fills
// in (mask blur 4, only-masked padding 32, fill, full quality); tests override what they exercise.
import path from 'node:path';
import type { GenerateInput } from '../../companion/pipeline/generate-input.js';

export function tinyJobInput(modelDir: string, over: Partial<GenerateInput> = {}): GenerateInput {
  return {
    mode: 'txt2img',
    prompt: '',
    negativePrompt: '',
    sampler: 'euler',
    steps: 3,
    cfg: 7,
    seed: 0,
    width: 64,
    height: 64,
    strength: 1,
    batch: 1,
    maskBlur: 4,
    onlyMasked: false,
    onlyMaskedPadding: 32,
    resizeMode: 'fill',
    quality: 'full',
    modelDir,
    modelName: path.basename(modelDir),
    ...over,
  };
}
