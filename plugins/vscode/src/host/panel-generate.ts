// Turns the side panel's validated "generate" message into generate options: the chosen
// checkpoint, the LoRAs for the request's `loras` list, and the embeddings written into the
// prompt or negative prompt as `(token:weight)`.

import { applyEmbeddings } from '../common/extra-networks';
import type { WebviewToHost } from '../common/panel-messages';
import type { GenerateOptions } from './generate-command';

type PanelGenerate = Extract<WebviewToHost, { type: 'generate' }>;

export function panelGenerateOptions(m: PanelGenerate): GenerateOptions {
  const texts = applyEmbeddings(m.prompt, m.negativePrompt, m.embeddings);
  // One entry per LoRA name: the last weight given wins, as in a prompt's tags.
  const loras = new Map<string, number>();
  for (const l of m.loras) loras.set(l.name, l.weight);
  return {
    prompt: texts.prompt,
    negativePrompt: texts.negativePrompt,
    preset: m.preset,
    width: m.width,
    height: m.height,
    count: m.count,
    ...(m.model ? { model: m.model } : {}),
    ...(loras.size ? { loras: [...loras].map(([name, weight]) => ({ name, weight })) } : {}),
  };
}
