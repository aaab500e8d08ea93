// A ClipTokenizer that also knows textual-inversion tokens (the shared tokenizer stays pure and
// untouched): each embedding token in the text becomes its ids — new ids from the vocabulary size up, one
// per vector, as diffusers' load_textual_inversion adds `<tok>`, `<tok>_1`, … —, the text between tokens
// is tokenized as before. Matching is longest-first like transformers' added-token split, and ignores
// case as A1111 does (it matches the embedding name's CLIP tokens, which are lower-cased).
import type { ClipTokenizer } from '../../../shared/prompt/clip-tokenizer.js';
import { splitPromptChunks } from '../../../shared/prompt/prompt-chunks.js';

export interface AddedToken {
  token: string;
  /** One id per vector. */
  ids: number[];
}

/** Ids for each token in order, starting at `firstId` (the text encoder's vocabulary size). */
export function assignTokenIds(
  tokens: readonly { token: string; count: number }[],
  firstId: number,
): AddedToken[] {
  let next = firstId;
  return tokens.map((t) => {
    const ids = Array.from({ length: t.count }, () => next++);
    return { token: t.token, ids };
  });
}

export function withAddedTokens(base: ClipTokenizer, added: readonly AddedToken[]): ClipTokenizer {
  if (added.length === 0) return base;
  const sorted = [...added].sort((a, b) => b.token.length - a.token.length);
  const idToToken = new Map<number, string>();
  const tokenToId = new Map<string, number>();
  for (const a of added) {
    a.ids.forEach((id, i) => {
      const name = i === 0 ? a.token : `${a.token}_${i}`;
      idToToken.set(id, name);
      tokenToId.set(name, id);
    });
  }

  function split<T>(text: string, plain: (s: string) => T[], hit: (a: AddedToken) => T[]): T[] {
    const out: T[] = [];
    let rest = text;
    for (;;) {
      let at = -1;
      let found: AddedToken | undefined;
      // (Where lower-casing changes the length, e.g. 'İ', indices would shift: match exactly then.)
      const lower = rest.toLowerCase();
      const folded = lower.length === rest.length;
      for (const a of sorted) {
        const i = folded ? lower.indexOf(a.token.toLowerCase()) : rest.indexOf(a.token);
        if (i >= 0 && (at < 0 || i < at)) {
          at = i;
          found = a;
        }
      }
      if (!found) break;
      out.push(...plain(rest.slice(0, at)), ...hit(found));
      rest = rest.slice(at + found.token.length);
    }
    out.push(...plain(rest));
    return out;
  }

  const encode = (text: string) =>
    split(
      text,
      (s) => base.encode(s),
      (a) => a.ids,
    );
  const tokenize = (text: string) =>
    split(
      text,
      (s) => base.tokenize(s),
      (a) => a.ids.map((id) => idToToken.get(id)!),
    );
  return {
    bosId: base.bosId,
    eosId: base.eosId,
    padId: base.padId,
    unkId: base.unkId,
    commaId: base.commaId,
    maxLength: base.maxLength,
    tokenize,
    encode,
    encodeWithSpecials: (text) => [base.bosId, ...encode(text), base.eosId],
    encodePadded(text, options = {}) {
      const length = options.maxLength ?? base.maxLength;
      let ids = encode(text);
      if (options.truncation ?? true) ids = ids.slice(0, Math.max(0, length - 2));
      const withSpecials = [base.bosId, ...ids, base.eosId];
      if (options.padding ?? true) while (withSpecials.length < length) withSpecials.push(base.padId);
      return withSpecials;
    },
    tokenizeChunks: (prompt, options) =>
      splitPromptChunks(
        prompt,
        { encode, bosId: base.bosId, eosId: base.eosId, padId: base.padId, commaId: base.commaId },
        options,
      ),
    idToToken: (id) => idToToken.get(id) ?? base.idToToken(id),
    tokenToId: (token) => tokenToId.get(token) ?? base.tokenToId(token),
  };
}
