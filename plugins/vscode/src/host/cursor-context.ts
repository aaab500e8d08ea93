// Guesses a prompt from where the cursor is: the selected text, the alt text of the Markdown
// image or HTML/JSX <img> under the cursor, or the name of the CSS rule the cursor is in.
// Pure (text + offsets in, prompt + optional range to replace out) so it is tested without VS Code.

export type PromptSource = 'selection' | 'alt' | 'selector' | 'none';

export interface PromptContext {
  prompt: string;
  source: PromptSource;
  /** When the cursor is inside an image reference, the [start, end) offsets of that reference:
   *  the new reference replaces it instead of being inserted inside it. */
  replace?: { start: number; end: number };
}

const CSS_LANGUAGES = new Set(['css', 'scss', 'sass', 'less', 'stylus']);
const SEARCH_WINDOW = 4000;

function markdownImageAt(text: string, offset: number): PromptContext | null {
  const from = Math.max(0, offset - SEARCH_WINDOW);
  const re = /!\[((?:\\.|[^\]\\])*)\]\(([^)\n]*)\)/g;
  re.lastIndex = from;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const start = m.index;
    const end = start + m[0].length;
    if (start > offset) break;
    if (offset >= start && offset <= end) {
      return {
        prompt: (m[1] ?? '').replace(/\\(.)/g, '$1').trim(),
        source: 'alt',
        replace: { start, end },
      };
    }
  }
  return null;
}

function htmlImageAt(text: string, offset: number): PromptContext | null {
  const start = text.lastIndexOf('<img', offset);
  if (start < 0 || offset - start > SEARCH_WINDOW) return null;
  const close = text.indexOf('>', start);
  if (close < 0 || close + 1 < offset) return null;
  const tag = text.slice(start, close + 1);
  const alt = /\balt\s*=\s*(?:"([^"]*)"|'([^']*)'|\{\s*["'`]([^"'`]*)["'`]\s*\})/.exec(tag);
  const raw = alt ? (alt[1] ?? alt[2] ?? alt[3] ?? '') : '';
  return {
    prompt: decodeEntities(raw).trim(),
    source: raw ? 'alt' : 'none',
    replace: { start, end: close + 1 },
  };
}

function decodeEntities(s: string): string {
  return s
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

/** `.hero-banner > .icon`, `#main-header` → "hero banner icon", "main header". */
export function selectorToWords(selector: string): string {
  return selector
    .replace(/::?[\w-]+(\([^)]*\))?/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((w) => w.toLowerCase())
    .filter((w, i, all) => all.indexOf(w) === i)
    .join(' ');
}

function cssRuleAt(text: string, offset: number): PromptContext | null {
  // Walk back to the `{` that opens the block the cursor is in.
  let depth = 0;
  let i = offset - 1;
  for (; i >= 0; i--) {
    const c = text[i];
    if (c === '}') depth++;
    else if (c === '{') {
      if (depth === 0) break;
      depth--;
    }
  }
  if (i < 0) return null;
  const before = text.slice(0, i);
  const commentEnd = before.lastIndexOf('*/');
  const selStart =
    Math.max(
      before.lastIndexOf('}'),
      before.lastIndexOf('{'),
      before.lastIndexOf(';'),
      commentEnd < 0 ? -1 : commentEnd + 1,
    ) + 1;
  const selector = before
    .slice(selStart)
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .trim();
  if (!selector || selector.startsWith('@')) return null;
  const words = selectorToWords(selector);
  return words ? { prompt: words, source: 'selector' } : null;
}

export function promptFromContext(
  text: string,
  offset: number,
  languageId: string,
  selectedText = '',
): PromptContext {
  const selected = selectedText.trim();
  if (selected) return { prompt: selected.replace(/\s+/g, ' '), source: 'selection' };
  const md = markdownImageAt(text, offset);
  if (md) return md;
  const img = htmlImageAt(text, offset);
  if (img) return img;
  if (CSS_LANGUAGES.has(languageId)) {
    const rule = cssRuleAt(text, offset);
    if (rule) return rule;
  }
  return { prompt: '', source: 'none' };
}
