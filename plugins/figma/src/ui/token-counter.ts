// Live token count per 75-token chunk (A1111 chunking) for the prompt fields, computed by the
// daemon's real tokenizer (`tokenize`), debounced. Without a daemon it says so instead of
// guessing.

import type { StippleClient } from '../../../../shared/protocol/stipple-client';
import { formatChunks } from './token-format';

export function attachTokenCounter(
  getClient: () => StippleClient | null,
  input: HTMLTextAreaElement,
  output: HTMLElement,
  model: () => string | undefined,
): () => void {
  let timer: ReturnType<typeof setTimeout> | null = null;
  let generation = 0;
  const update = async () => {
    const mine = ++generation;
    const client = getClient();
    if (client?.connectionState !== 'connected') {
      output.textContent = 'token count needs the daemon';
      return;
    }
    try {
      const m = model();
      const reply = await client.request({ type: 'tokenize', text: input.value, ...(m ? { model: m } : {}) });
      if (mine !== generation) return;
      if (reply.type === 'tokens') {
        output.textContent = formatChunks(reply.chunks);
        output.dataset.chunks = String(reply.chunks.length);
      } else if (reply.type === 'error') output.textContent = `token count unavailable: ${reply.message}`;
    } catch (e) {
      if (mine === generation) output.textContent = `token count unavailable: ${(e as Error).message}`;
    }
  };
  const schedule = () => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(update, 250);
  };
  input.addEventListener('input', schedule);
  return schedule;
}
