// Inline highlights of the findings in the side panel's prompt boxes. The textarea stays the real
// control, with a transparent background, on top of a mirror <div> that holds the same text in
// the same font, padding and wrapping, the finding spans wrapped in <mark>. The cutting of the
// text at the span edges is shared with the Figma panel (shared/prompt/highlight-segments.ts).
import {
  type HighlightSpan,
  highlightSegments,
  markData,
} from '../../../../shared/prompt/highlight-segments';

export interface PromptHighlights {
  /** Draws these spans (of the text the box holds now); an empty list clears them. */
  show(spans: readonly HighlightSpan[]): void;
  /** Emphasises the marks of one finding code (its line in the list is hovered); null: none. */
  focus(code: string | null): void;
}

export function highlightBox(area: HTMLTextAreaElement): PromptHighlights {
  const box = document.createElement('div');
  box.className = 'hl-box';
  const mirror = document.createElement('div');
  mirror.className = 'hl-mirror';
  mirror.dataset.for = area.id;
  mirror.setAttribute('aria-hidden', 'true');
  area.before(box);
  box.append(mirror, area);
  let spans: readonly HighlightSpan[] = [];

  const draw = (): void => {
    const parts: Node[] = highlightSegments(area.value, spans).map((seg) => {
      if (seg.spans.length === 0) return document.createTextNode(seg.text);
      const mark = document.createElement('mark');
      mark.textContent = seg.text;
      Object.assign(mark.dataset, markData(seg));
      return mark;
    });
    // Keeps a trailing newline's empty last line, as the textarea shows it.
    parts.push(document.createTextNode('\u200b'));
    mirror.replaceChildren(...parts);
    syncScroll();
  };
  const syncScroll = (): void => {
    mirror.scrollTop = area.scrollTop;
    // A vertical scrollbar narrows the textarea's text: narrow the mirror's the same way.
    const bar = Math.max(0, area.offsetWidth - area.clientWidth - 2);
    mirror.style.paddingRight = `calc(var(--hl-pad) + ${bar}px)`;
  };
  area.addEventListener('input', () => {
    // The spans were for the text before this edit.
    spans = [];
    draw();
  });
  area.addEventListener('scroll', syncScroll);
  new ResizeObserver(syncScroll).observe(area);
  draw();
  return {
    show(next) {
      spans = next;
      draw();
    },
    focus(code) {
      for (const m of mirror.querySelectorAll<HTMLElement>('mark')) {
        m.classList.toggle('active', code !== null && (m.dataset.codes ?? '').split(' ').includes(code));
      }
    },
  };
}
