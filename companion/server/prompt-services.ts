// Prompt-side services the protocol offers: style presets and token counting with the
// model's own tokenizer (so a plugin without the vocab shows exact chunk budgets).
import type { StylePreset } from '../../shared/presets/style-preset';
import type { TokenCounter } from '../../shared/prompt/analysis/token-budget';

export interface PromptServices {
  /** Built-in and user presets (user files re-read each time, so edits apply at once). */
  userAndBuiltinPresets(): Promise<StylePreset[]>;
  presets(): Promise<
    Array<{
      id: string;
      name: string;
      prompt: string;
      negativePrompt: string;
      source: 'builtin' | 'user';
      recommended?: Record<string, unknown>;
    }>
  >;
  /** Token counter with the tokenizer of `modelDir` (throws E_MODEL_NOT_FOUND without one). */
  tokenCounter(modelDir: string | null): Promise<TokenCounter>;
  /** Ids per A1111 75-token chunk for `text`, using the tokenizer of `modelDir`. */
  tokenize(text: string, modelDir: string | null): Promise<Array<{ tokens: number; ids: number[] }>>;
}
