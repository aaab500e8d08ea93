// "Subject first, then style and quality": CLIP weighs early tokens more, so the keywords that say what
// the picture is go first, followed by medium/style, lighting, camera, and quality tags last.

import { containsPhrase, type Keyword } from '../analysis/prompt-keywords';
import { CAMERA_TERMS, LIGHTING_TERMS, QUALITY_TERMS, STYLE_TERMS } from '../data/keyword-classes';

export type KeywordRole = 'subject' | 'style' | 'lighting' | 'camera' | 'quality';
const ORDER: readonly KeywordRole[] = ['subject', 'style', 'lighting', 'camera', 'quality'];

// A keyword is classed only when a class phrase makes up most of it: "a photo of a red fox" stays a
// subject although it contains "photo".
function covers(key: string, terms: readonly string[]): boolean {
  return terms.some((term) => containsPhrase(key, term) && term.length >= key.length * 0.6);
}

export function keywordRole(keyword: Keyword): KeywordRole {
  const key = keyword.key;
  if (covers(key, QUALITY_TERMS)) return 'quality';
  if (covers(key, LIGHTING_TERMS)) return 'lighting';
  if (covers(key, CAMERA_TERMS)) return 'camera';
  if (covers(key, STYLE_TERMS)) return 'style';
  return 'subject';
}

/**
 * The prompt with keywords stably sorted by role, joined with ", ". Returns undefined when reordering
 * could change meaning: a BREAK, a keyword with unbalanced brackets, or editing/alternation syntax.
 */
export function reorderKeywords(prompt: string, keywords: readonly Keyword[]): string | undefined {
  if (keywords.length < 2) return undefined;
  if (keywords.some((k) => k.afterBreak || !k.selfContained)) return undefined;
  if (/\[[^\]]*[:|][^\]]*\]/.test(prompt)) return undefined;
  const ranked = keywords.map((keyword, index) => ({
    keyword,
    index,
    rank: ORDER.indexOf(keywordRole(keyword)),
  }));
  ranked.sort((a, b) => a.rank - b.rank || a.index - b.index);
  if (ranked.every((r, i) => r.index === i)) return undefined;
  // Extra-network tags are not keywords; keep them, in order, at the end.
  const tags = [...prompt.matchAll(/<[\p{L}\p{N}_]+:[^>]+>/gu)].map((m) => m[0]);
  return [...ranked.map((r) => prompt.slice(r.keyword.start, r.keyword.end)), ...tags].join(', ');
}
