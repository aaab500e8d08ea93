// Text conditioning as the denoise loop sees it: token embeddings (+ SDXL pooled) per image, possibly
// different per step (prompt editing `[a:b:when]`, alternation `[a|b]`). Pure data; built by text/.

export interface Conditioning {
  /** (1, seqLen, dim) token embeddings, C order. */
  hidden: Float32Array;
  seqLen: number;
  dim: number;
  /** SDXL pooled text embeds (1, pooledDim). */
  pooled?: Float32Array;
}

export interface StepConditioning {
  cond: Conditioning;
  /** Absent when CFG is off (guidance <= 1). */
  uncond?: Conditioning;
}

/** Conditioning for user-visible step `step` (0-based over the full schedule, before img2img truncation). */
export type ConditioningSchedule = (step: number) => StepConditioning;

export function constantConditioning(c: StepConditioning): ConditioningSchedule {
  return () => c;
}
