// Prompt-side services the protocol offers: style presets and token counting with the
// model's own tokenizer (so a plugin without the vocab shows exact chunk budgets).
export interface PromptServices {
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
  /** Ids per A1111 75-token chunk for `text`, using the tokenizer of `modelDir`. */
  tokenize(text: string, modelDir: string | null): Promise<Array<{ tokens: number; ids: number[] }>>;
}
