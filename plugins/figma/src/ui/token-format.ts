// How the token budget reads under a prompt: one count per 75-token chunk, as A1111 splits.

export function formatChunks(chunks: readonly { tokens: number }[]): string {
  if (chunks.length === 0) return '0/75 tokens';
  if (chunks.length === 1) return `${chunks[0].tokens}/75 tokens`;
  return chunks.map((c, i) => `chunk ${i + 1}: ${c.tokens}/75`).join(' · ');
}
