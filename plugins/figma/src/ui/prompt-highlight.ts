// Inline highlights of the prompt check's findings in the prompt boxes: a mirror element behind
// the (transparent) textarea holds the same text, in the same font and wrapping, with the
// finding spans wrapped in <mark>; the textarea stays the real, editable control on top.
// `highlightSegments` (shared/prompt/highlight-segments.ts) is the pure half: the text cut at every span edge, each piece with the
// findings that cover it.

import {
  type HighlightSpan,
  highlightSegments,
  markData,
} from '../../../../shared/prompt/highlight-segments';

export interface Highlighter {
  set(spans: readonly HighlightSpan[]): void;
  /** Marks the spans of one finding code as active (hovering its line in the list). */
  focus(code: string | null): void;
}

/** Wraps `area` in an editor box with a highlight mirror behind it. */
export function attachHighlighter(area: HTMLTextAreaElement): Highlighter {
  const editor = document.createElement('div');
  editor.className = 'editor';
  const mirror = document.createElement('div');
  mirror.className = 'mirror';
  mirror.setAttribute('aria-hidden', 'true');
  mirror.dataset.for = area.id;
  area.before(editor);
  editor.append(mirror, area);
  let spans: readonly HighlightSpan[] = [];

  function render(): void {
    const nodes: Node[] = highlightSegments(area.value, spans).map((seg) => {
      if (seg.spans.length === 0) return document.createTextNode(seg.text);
      const mark = document.createElement('mark');
      mark.textContent = seg.text;
      Object.assign(mark.dataset, markData(seg));
      mark.title = seg.spans.map((s) => s.message).join('\n');
      return mark;
    });
    // A trailing newline needs something after it to take up its line, as in the textarea.
    nodes.push(document.createTextNode('\u200b'));
    mirror.replaceChildren(...nodes);
    mirror.scrollTop = area.scrollTop;
  }

  area.addEventListener('input', () => {
    // The old spans no longer match the edited text: drop them until the next check.
    spans = [];
    render();
  });
  area.addEventListener('scroll', () => {
    mirror.scrollTop = area.scrollTop;
  });
  // A scrollbar narrows the textarea's text box: narrow the mirror's the same, so lines wrap alike.
  const fitScrollbar = () => {
    const css = getComputedStyle(area);
    const borders = Number.parseFloat(css.borderLeftWidth) + Number.parseFloat(css.borderRightWidth);
    const scrollbar = Math.max(0, area.offsetWidth - area.clientWidth - borders);
    mirror.style.paddingRight = `calc(${css.paddingRight} + ${scrollbar}px)`;
    mirror.scrollTop = area.scrollTop;
  };
  new ResizeObserver(fitScrollbar).observe(area);
  area.addEventListener('input', fitScrollbar);
  render();
  return {
    set(next) {
      spans = next;
      render();
    },
    focus(code) {
      for (const m of mirror.querySelectorAll('mark')) {
        m.classList.toggle('active', code !== null && (m.dataset.codes ?? '').split(' ').includes(code));
      }
    },
  };
}
