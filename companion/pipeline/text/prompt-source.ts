// Prompt text -> the (text, weight) pieces for each step. Attention syntax is A1111's parser (shared/prompt);
// prompt editing and alternation switch the pieces per step when the schedule module provides them.
import { parsePromptAttention } from '../../../shared/prompt/prompt-attention.js';
import type { PromptPiece } from '../../../shared/prompt/prompt-chunks.js';
import { getPromptSchedule, promptAtStep } from '../../../shared/prompt/prompt-schedule.js';
import type { PromptSource } from '../generate-images.js';

export type PromptScheduler = (prompt: string, steps: number) => (step: number) => string;

/**
 * A1111's schedule lookup: its CFG denoiser passes its 0-based step counter to `reconstruct_cond_batch`,
 * which takes the first entry with `current_step <= end_at_step`.
 */
export const a1111PromptScheduler: PromptScheduler = (prompt, steps) => {
  const schedule = getPromptSchedule(prompt, steps);
  return (step) => promptAtStep(schedule, step);
};

export function promptSource(
  positive: string,
  negative: string,
  schedule: PromptScheduler | undefined = a1111PromptScheduler,
): PromptSource {
  const memo = new Map<string, readonly PromptPiece[]>();
  const parse = (text: string) => {
    let p = memo.get(text);
    if (!p) {
      p = parsePromptAttention(text);
      memo.set(text, p);
    }
    return p;
  };
  const forText = (text: string) => {
    let perSteps: { steps: number; at: (step: number) => string } | undefined;
    return (step: number, steps: number) => {
      if (!schedule) return parse(text);
      if (perSteps?.steps !== steps) perSteps = { steps, at: schedule(text, steps) };
      return parse(perSteps.at(step));
    };
  };
  return { positive: forText(positive), negative: forText(negative), negativeEmpty: negative.trim() === '' };
}
