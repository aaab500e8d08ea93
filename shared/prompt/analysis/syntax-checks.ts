// Findings about attention syntax: brackets that do not pair up, weights A1111 cannot read, and
// bracket forms with a simpler equivalent (`((x))` is `(x:1.21)`, `(x:1)` is `x`, `()` is nothing).

import {
  type AttentionScan,
  type BracketGroup,
  PromptAttentionError,
  scanPromptAttention,
} from '../prompt-attention';
import type { Finding } from './finding';
import { escapeAttention } from './prompt-keywords';

function unescapedText(source: string): string {
  return source.replace(/\\(.)/g, '$1');
}

export function syntaxFindings(prompt: string, target: 'prompt' | 'negative'): Finding[] {
  let scan: AttentionScan;
  try {
    scan = scanPromptAttention(prompt);
  } catch (error) {
    if (!(error instanceof PromptAttentionError)) throw error;
    return [
      {
        code: 'P_BAD_WEIGHT',
        severity: 'error',
        target,
        span: { start: error.offset, end: error.offset + error.weightText.length },
        message: `"${error.weightText}" is not a number; A1111 rejects the whole prompt`,
        fix: {
          label: 'Use weight 1.1',
          edits: [{ start: error.offset, end: error.offset + error.weightText.length, text: '1.1' }],
        },
      },
    ];
  }
  const findings: Finding[] = [];
  for (const open of scan.unclosed) {
    findings.push({
      code: 'P_UNBALANCED_BRACKET',
      severity: 'warning',
      target,
      span: { start: open.offset, end: open.offset + 1 },
      message: `"${prompt[open.offset]}" is never closed, so it changes the weight of everything after it`,
      fix: {
        label: `Remove the unclosed "${prompt[open.offset]}"`,
        edits: [{ start: open.offset, end: open.offset + 1, text: '' }],
      },
    });
  }
  for (const close of scan.unmatched) {
    findings.push({
      code: 'P_UNBALANCED_BRACKET',
      severity: 'warning',
      target,
      span: { start: close.offset, end: close.offset + 1 },
      message: `"${prompt[close.offset]}" closes nothing; it is read as text`,
      fix: {
        label: `Remove the stray "${prompt[close.offset]}"`,
        edits: [{ start: close.offset, end: close.offset + 1, text: '' }],
      },
    });
  }
  findings.push(...redundantBracketFindings(prompt, scan.groups, target));
  return findings;
}

function redundantBracketFindings(
  prompt: string,
  groups: readonly BracketGroup[],
  target: 'prompt' | 'negative',
): Finding[] {
  const findings: Finding[] = [];
  const byOpen = new Map(groups.map((g) => [g.open, g]));
  const inner = new Set<BracketGroup>();
  for (const group of groups) {
    const child = byOpen.get(group.open + 1);
    if (child && child.close === group.close - 1) inner.add(child);
  }
  for (const group of groups) {
    if (inner.has(group)) continue; // reported with its outermost group
    const content = prompt.slice(group.open + 1, group.close);
    if (content.trim() === '' || (group.weight !== undefined && /^\s*:/.test(content))) {
      findings.push({
        code: 'P_REDUNDANT_BRACKETS',
        severity: 'info',
        target,
        span: { start: group.open, end: group.close + 1 },
        message: 'empty brackets do nothing',
        fix: { label: 'Remove them', edits: [{ start: group.open, end: group.close + 1, text: '' }] },
      });
      continue;
    }
    // Walk down directly nested groups: ((x)), ((x:1.2)), [[x]]
    let depth = 1;
    let weight = group.weight ?? (group.kind === 'round' ? 1.1 : 1 / 1.1);
    let innermost = group;
    for (
      let next = byOpen.get(innermost.open + 1);
      next && next.close === innermost.close - 1;
      next = byOpen.get(innermost.open + 1)
    ) {
      depth++;
      innermost = next;
      weight *= next.weight ?? (next.kind === 'round' ? 1.1 : 1 / 1.1);
    }
    const core = prompt.slice(innermost.open + 1, innermost.close).replace(/:\s*[+-]?[.\d]+\s*$/, '');
    const simple = !/[()[\]]/.test(core.replace(/\\./g, ''));
    const rounded = Math.round(weight * 100) / 100;
    if (depth >= 2 && simple) {
      findings.push({
        code: 'P_REDUNDANT_BRACKETS',
        severity: 'info',
        target,
        span: { start: group.open, end: group.close + 1 },
        message: `${depth} nested brackets: clearer as an explicit weight (${rounded})`,
        fix: {
          label: `Write it as (${unescapedText(core).trim()}:${rounded})`,
          edits: [
            {
              start: group.open,
              end: group.close + 1,
              text: `(${escapeAttention(unescapedText(core).trim())}:${rounded})`,
            },
          ],
        },
      });
    } else if (depth === 1 && group.weight === 1 && simple) {
      findings.push({
        code: 'P_REDUNDANT_BRACKETS',
        severity: 'info',
        target,
        span: { start: group.open, end: group.close + 1 },
        message: 'a weight of 1 changes nothing',
        fix: {
          label: 'Remove the brackets and weight',
          edits: [{ start: group.open, end: group.close + 1, text: core.trim() }],
        },
      });
    }
  }
  return findings;
}
