// Bounds on every input the daemon accepts. Shared so clients can check before sending.
export const Limits = {
  /** Largest JSON text message, in bytes. Larger ones close the socket with 1009. */
  maxTextMessageBytes: 1024 * 1024,
  /** Largest text message before authentication (`hello` and `pair` are small). Larger ones close with 1009. */
  maxUnauthenticatedMessageBytes: 8 * 1024,
  /** Deepest nesting of arrays/objects in a JSON message; checked before parsing (deep JSON parses slowly). */
  maxJsonDepth: 32,
  /** Largest binary frame (an image attachment), in bytes. */
  maxBinaryMessageBytes: 48 * 1024 * 1024,
  /** Attachments a socket may hold before using them in a `generate`. */
  maxPendingAttachments: 8,
  maxPromptChars: 20_000,
  /** Most texts in one batched `tokenize` (prompt, negative prompt, per-region prompts…). */
  maxTokenizeTexts: 16,
  minSide: 64,
  maxSide: 2048,
  sideMultiple: 8,
  minSteps: 1,
  maxSteps: 150,
  minCfg: 0,
  maxCfg: 30,
  maxBatch: 8,
  /** Most pixels an input image may declare (checked from the header, before decoding). */
  maxInputPixels: 4096 * 4096,
  maxOutpaintPerSide: 1024,
} as const;
