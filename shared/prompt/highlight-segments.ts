// The pure half of the inline highlights in both plugins' prompt boxes (the Figma and VS Code panels): the prompt cut at every finding
// span's edge, each piece with the findings that cover it. No DOM.

export interface HighlightSpan {
  start: number;
  end: number;
  code: string;
  severity: string;
  message: string;
}

export interface Segment {
  text: string;
  start: number;
  spans: HighlightSpan[];
}

export function highlightSegments(text: string, spans: readonly HighlightSpan[]): Segment[] {
  const valid = spans.filter((s) => s.start >= 0 && s.end <= text.length && s.end > s.start);
  const cuts = new Set<number>([0, text.length]);
  for (const s of valid) {
    cuts.add(s.start);
    cuts.add(s.end);
  }
  const points = [...cuts].sort((a, b) => a - b);
  const out: Segment[] = [];
  for (let i = 0; i + 1 < points.length; i++) {
    const start = points[i];
    const end = points[i + 1];
    out.push({
      text: text.slice(start, end),
      start,
      spans: valid.filter((s) => s.start <= start && s.end >= end),
    });
  }
  return out;
}

const SEVERITY_RANK: Record<string, number> = { error: 3, warning: 2, info: 1 };

/** What a segment's <mark> carries: its finding codes (each once, space-separated) and the most severe finding's severity. */
export function markData(segment: Segment): { codes: string; severity: string } {
  return {
    codes: [...new Set(segment.spans.map((s) => s.code))].join(' '),
    severity: segment.spans
      .map((s) => s.severity)
      .reduce((a, b) => ((SEVERITY_RANK[b] ?? 0) > (SEVERITY_RANK[a] ?? 0) ? b : a)),
  };
}
