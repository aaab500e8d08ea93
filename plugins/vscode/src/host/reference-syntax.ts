// How a generated asset is referenced from the document it was made for, per language:
// Markdown `![alt](path)`, HTML `<img>`, CSS `url()`, JSX/TSX `<img src={…} />`, or the bare
// path. Pure: the extension decides the style from settings and passes the relative path in.

export const REFERENCE_STYLES = ['markdown', 'html', 'css', 'jsx', 'path'] as const;
export type ReferenceStyle = (typeof REFERENCE_STYLES)[number];

/** Language id → style, used when the `stipple.referenceStyle` setting does not name the language. */
export const DEFAULT_REFERENCE_STYLES: Readonly<Record<string, ReferenceStyle>> = {
  markdown: 'markdown',
  mdx: 'markdown',
  html: 'html',
  vue: 'html',
  svelte: 'html',
  php: 'html',
  handlebars: 'html',
  css: 'css',
  scss: 'css',
  sass: 'css',
  less: 'css',
  stylus: 'css',
  javascriptreact: 'jsx',
  typescriptreact: 'jsx',
};

export function isReferenceStyle(value: unknown): value is ReferenceStyle {
  return typeof value === 'string' && (REFERENCE_STYLES as readonly string[]).includes(value);
}

export function referenceStyleFor(
  languageId: string,
  overrides: Readonly<Record<string, unknown>> = {},
): ReferenceStyle {
  const o = overrides[languageId];
  if (isReferenceStyle(o)) return o;
  return DEFAULT_REFERENCE_STYLES[languageId] ?? 'path';
}

export interface ReferenceTarget {
  /** Path relative to the document, with `/` separators. */
  path: string;
  alt: string;
  width?: number;
  height?: number;
}

function escapeHtmlAttribute(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function markdownAlt(s: string): string {
  return s.replace(/[\\[\]]/g, (c) => `\\${c}`).replace(/\s+/g, ' ');
}

/** CommonMark: a destination with spaces or parentheses goes in angle brackets. */
function markdownDestination(p: string): string {
  return /[\s()<>]/.test(p) ? `<${p.replace(/[<>]/g, (c) => encodeURIComponent(c))}>` : p;
}

function cssString(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\a ');
}

export function formatReference(style: ReferenceStyle, t: ReferenceTarget): string {
  const alt = t.alt.trim();
  switch (style) {
    case 'markdown':
      return `![${markdownAlt(alt)}](${markdownDestination(t.path)})`;
    case 'html': {
      const size = t.width && t.height ? ` width="${t.width}" height="${t.height}"` : '';
      return `<img src="${escapeHtmlAttribute(t.path)}" alt="${escapeHtmlAttribute(alt)}"${size}>`;
    }
    case 'css':
      return `url("${cssString(t.path)}")`;
    case 'jsx': {
      const size = t.width && t.height ? ` width={${t.width}} height={${t.height}}` : '';
      return `<img src={${JSON.stringify(t.path)}} alt=${JSON.stringify(alt)}${size} />`;
    }
    case 'path':
      return t.path;
  }
}
