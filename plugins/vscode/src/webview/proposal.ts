// "Before / after" in the side panel: a change to the prompts as a whole ("Fix all", Optimize,
// Rewrite (LLM), Preset into prompt) is shown as a
// word diff of the prompt and the negative prompt (shared/prompt/word-diff.ts) and only applied on
// Accept. Typing in either box while it is open drops it: it was computed for the older text.
import { type DiffPart, diffChanges, wordDiff } from '../../../../shared/prompt/word-diff';
import type { PromptTexts } from '../common/prompt-panel-logic';
import { byId } from './post';

export interface ProposalInput {
  title: string;
  /** The texts the proposal was computed from: it is dropped if the boxes no longer hold them. */
  base: PromptTexts;
  next: PromptTexts;
  details: string[];
  /** Runs after the texts are applied (Preset into prompt: set the preset to None). */
  onAccept?: () => void;
}

function renderDiff(target: HTMLElement, parts: readonly DiffPart[]): void {
  target.replaceChildren(
    ...parts.map((p) => {
      if (p.op === 'same') return document.createTextNode(p.text);
      const node = document.createElement(p.op);
      node.textContent = p.text;
      return node;
    }),
  );
}

export function proposalPanel(
  fields: { prompt: HTMLTextAreaElement; negative: HTMLTextAreaElement },
  apply: (texts: PromptTexts) => void,
  onDropped: (why: string) => void,
) {
  const box = byId<HTMLDivElement>('proposal');
  const title = byId('proposal-title');
  const promptDiff = byId('proposal-prompt');
  const negativeDiff = byId('proposal-negative');
  const details = byId('proposal-details');
  const accept = byId<HTMLButtonElement>('proposal-accept');
  const reject = byId<HTMLButtonElement>('proposal-reject');
  let current: ProposalInput | null = null;
  const close = () => {
    current = null;
    box.hidden = true;
  };
  const currentTexts = (): PromptTexts => ({ prompt: fields.prompt.value, negative: fields.negative.value });

  reject.addEventListener('click', close);
  accept.addEventListener('click', () => {
    const p = current;
    close();
    if (!p) return;
    const now = currentTexts();
    if (now.prompt !== p.base.prompt || now.negative !== p.base.negative) {
      onDropped('The prompt changed after this proposal was made: run it again.');
      return;
    }
    apply(p.next);
    p.onAccept?.();
  });
  for (const area of [fields.prompt, fields.negative]) {
    area.addEventListener('input', () => {
      if (current) {
        close();
        onDropped(`${title.textContent ?? 'The proposal'} was dropped: the prompt was edited.`);
      }
    });
  }

  return {
    propose(p: ProposalInput): void {
      current = p;
      title.textContent = p.title;
      const pd = wordDiff(p.base.prompt, p.next.prompt);
      const nd = wordDiff(p.base.negative, p.next.negative);
      renderDiff(promptDiff, pd);
      renderDiff(negativeDiff, nd);
      negativeDiff.hidden = !diffChanges(nd) && p.next.negative === '';
      const changed = diffChanges(pd) || diffChanges(nd);
      details.textContent = (changed ? p.details : ['No changes: the prompt is already like this.']).join(
        '\n',
      );
      accept.disabled = !changed;
      box.hidden = false;
      box.scrollIntoView?.({ block: 'nearest' });
    },
    close,
  };
}
