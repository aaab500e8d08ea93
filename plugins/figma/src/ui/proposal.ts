// "Before / after" for every change the panel proposes to the prompts as a whole (fix all,
// optimize, LLM rewrite, a preset written into the prompt, reverse prompt): a word-level diff of
// the prompt and the negative prompt, accepted or rejected by the user. Nothing changes until
// Accept.

import { type DiffPart, diffChanges, wordDiff } from '../../../../shared/prompt/word-diff';
import { show } from './dom';

export interface Proposal {
  /** What proposes it ("Fix all", "LLM rewrite", …). */
  title: string;
  prompt: string;
  negative: string;
  /** Extra lines under the diff (what the optimizer changed, where a reverse prompt came from). */
  details?: string[];
  /** Runs after the texts were put in the boxes. */
  onAccept?: () => void;
}

export interface ProposalView {
  box: HTMLElement;
  title: HTMLElement;
  prompt: HTMLElement;
  negative: HTMLElement;
  details: HTMLElement;
  accept: HTMLButtonElement;
  reject: HTMLButtonElement;
}

export function renderDiff(target: HTMLElement, parts: readonly DiffPart[]): void {
  target.replaceChildren(
    ...parts.map((p) => {
      if (p.op === 'same') return document.createTextNode(p.text);
      const node = document.createElement(p.op);
      node.textContent = p.text;
      return node;
    }),
  );
}

export function createProposalPanel(
  view: ProposalView,
  fields: { prompt: HTMLTextAreaElement; negative: HTMLTextAreaElement },
) {
  let current: Proposal | null = null;

  function close(): void {
    current = null;
    show(view.box, false);
  }

  view.reject.addEventListener('click', close);
  view.accept.addEventListener('click', () => {
    const p = current;
    if (!p) return;
    close();
    for (const [area, text] of [
      [fields.prompt, p.prompt],
      [fields.negative, p.negative],
    ] as const) {
      if (area.value === text) continue;
      area.value = text;
      area.dispatchEvent(new Event('input', { bubbles: true }));
    }
    p.onAccept?.();
  });

  return {
    /** Shows the diff of `p` against the boxes' current text. */
    propose(p: Proposal): void {
      current = p;
      view.title.textContent = p.title;
      const promptDiff = wordDiff(fields.prompt.value, p.prompt);
      const negativeDiff = wordDiff(fields.negative.value, p.negative);
      renderDiff(view.prompt, promptDiff);
      renderDiff(view.negative, negativeDiff);
      show(view.prompt.parentElement ?? view.prompt, true);
      show(view.negative.parentElement ?? view.negative, diffChanges(negativeDiff) || p.negative !== '');
      const changed = diffChanges(promptDiff) || diffChanges(negativeDiff);
      const details = [...(p.details ?? [])];
      if (!changed && !p.onAccept) details.unshift('No changes: the prompt is already like this.');
      view.details.textContent = details.join('\n');
      view.accept.disabled = !changed && !p.onAccept;
      show(view.box, true);
      view.box.scrollIntoView?.({ block: 'nearest' });
    },
    close,
    get open(): boolean {
      return current !== null;
    },
  };
}
