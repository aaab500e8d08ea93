// CLIP byte-level BPE tokenizer, identical in output to transformers' slow `CLIPTokenizer` (with ftfy),
// built from the model's own `vocab.json` object and `merges.txt` text. The daemon reads those files;
// this module only computes, so it runs unchanged in the daemon, the plugins and tests.
// Source of the rules: transformers models/clip/tokenization_clip.py and openai/CLIP simple_tokenizer.py.

import { cleanClipText, cleanClipTextBasic } from './clip-text-cleanup';
import { type ChunkOptions, type PromptChunk, type PromptPiece, splitPromptChunks } from './prompt-chunks';

export const CLIP_BOS_TOKEN = '<|startoftext|>';
export const CLIP_EOS_TOKEN = '<|endoftext|>';
/** Sequence length of every CLIP text encoder in Stable Diffusion: BOS + 75 tokens + EOS. */
export const CLIP_MAX_LENGTH = 77;

/** The parts of `tokenizer_config.json` / `special_tokens_map.json` the tokenizer reads. */
export interface ClipTokenizerConfig {
  bos_token?: unknown;
  eos_token?: unknown;
  unk_token?: unknown;
  pad_token?: unknown;
  model_max_length?: number;
}

export interface ClipTokenizerFiles {
  /** Parsed `vocab.json`. */
  vocab: Readonly<Record<string, number>>;
  /** Text of `merges.txt`. */
  merges: string;
  /** Parsed `tokenizer_config.json`; `special_tokens_map.json` fields override it, as transformers does. */
  config?: ClipTokenizerConfig;
  specialTokensMap?: ClipTokenizerConfig;
  /**
   * Text cleanup before BPE: `ftfy` (default) is what pipelines with ftfy installed do — every real
   * SD setup; `basic` is transformers' fallback without ftfy. They differ only on unusual text
   * (HTML entities, ligatures, control or unassigned characters).
   */
  textCleanup?: 'ftfy' | 'basic';
}

export interface PaddedEncodeOptions {
  /** Defaults to the config's `model_max_length`, else 77. */
  maxLength?: number;
  /** Cut the text to `maxLength - 2` tokens before adding BOS/EOS (diffusers passes `truncation=True`). */
  truncation?: boolean;
  /** Pad with the pad id to `maxLength` (diffusers passes `padding="max_length"`). */
  padding?: boolean;
}

/** The tokenizer surface the prompt tools need; the plugins implement it by asking the daemon. */
export interface TokenEncoder {
  encode(text: string): number[];
}

export interface ClipTokenizer extends TokenEncoder {
  readonly bosId: number;
  readonly eosId: number;
  readonly padId: number;
  readonly unkId: number;
  /** Id of `,</w>` (A1111's comma token for chunk backtracking), or undefined if the vocab lacks it. */
  readonly commaId: number | undefined;
  readonly maxLength: number;
  /** BPE token strings of `text` (no BOS/EOS), as `CLIPTokenizer.tokenize`. */
  tokenize(text: string): string[];
  /** Ids of `text` without BOS/EOS, no truncation. */
  encode(text: string): number[];
  /** BOS + ids + EOS, no padding or truncation (`tokenizer(text).input_ids`). */
  encodeWithSpecials(text: string): number[];
  /** BOS + ids + EOS, truncated and padded as diffusers' pipelines call the tokenizer. */
  encodePadded(text: string, options?: PaddedEncodeOptions): number[];
  /** A1111 chunking: 75-token chunks wrapped in BOS/EOS and padded to 77, with per-token weights. */
  tokenizeChunks(prompt: string | readonly PromptPiece[], options?: ChunkOptions): PromptChunk[];
  idToToken(id: number): string | undefined;
  tokenToId(token: string): number | undefined;
}

// openai/CLIP `bytes_to_unicode`: printable bytes map to themselves, the rest to code points from 256 up,
// so every byte sequence has a whitespace-free string form.
function bytesToUnicode(): string[] {
  const table: string[] = new Array(256);
  const printable = (b: number) =>
    (b >= 0x21 && b <= 0x7e) || (b >= 0xa1 && b <= 0xac) || (b >= 0xae && b <= 0xff);
  let next = 0;
  for (let b = 0; b < 256; b++) table[b] = String.fromCharCode(printable(b) ? b : 256 + next++);
  return table;
}

// The CLIP pre-tokenizer (transformers uses the `regex` module with IGNORECASE; the text is already
// lower-case, and `i` here keeps the special-token alternatives matching any case as Python's does).
const CLIP_PATTERN =
  /<\|startoftext\|>|<\|endoftext\|>|'s|'t|'re|'ve|'m|'ll|'d|[\p{L}]+|[\p{N}]|[^\s\p{L}\p{N}]+/giu;

// transformers reads only `merges[1 : 49152 - 256 - 2 + 1]`: the header line is skipped and the list is
// capped at CLIP's 48,894 merges even when the file holds more.
const MAX_MERGES = 49152 - 256 - 2;

function tokenContent(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object' && 'content' in value && typeof value.content === 'string') {
    return value.content;
  }
  return undefined;
}

function parseMerges(merges: string): Map<string, number> {
  const lines = merges
    .trim()
    .split('\n')
    .slice(1, MAX_MERGES + 1);
  const ranks = new Map<string, number>();
  lines.forEach((line, rank) => {
    const [first, second] = line.split(/\s+/).filter((part) => part.length > 0);
    ranks.set(`${first} ${second}`, rank);
  });
  return ranks;
}

export function createClipTokenizer(files: ClipTokenizerFiles): ClipTokenizer {
  const { vocab } = files;
  const settings: ClipTokenizerConfig = { ...files.config, ...files.specialTokensMap };
  const bosToken = tokenContent(settings.bos_token) ?? CLIP_BOS_TOKEN;
  const eosToken = tokenContent(settings.eos_token) ?? CLIP_EOS_TOKEN;
  const unkToken = tokenContent(settings.unk_token) ?? CLIP_EOS_TOKEN;
  const padToken = tokenContent(settings.pad_token) ?? eosToken;
  const idOf = (token: string, role: string): number => {
    const id = vocab[token];
    if (id === undefined)
      throw new Error(`vocab.json has no token "${token}" (the ${role} of the tokenizer config)`);
    return id;
  };
  const bosId = idOf(bosToken, 'bos_token');
  const eosId = idOf(eosToken, 'eos_token');
  const unkId = idOf(unkToken, 'unk_token');
  const padId = idOf(padToken, 'pad_token');
  const configuredMax = settings.model_max_length;
  // Configs without a real limit carry a huge sentinel (1e30); every SD text encoder takes 77.
  const maxLength =
    typeof configuredMax === 'number' && configuredMax > 2 && configuredMax <= 4096
      ? configuredMax
      : CLIP_MAX_LENGTH;

  const byteEncoder = bytesToUnicode();
  const ranks = parseMerges(files.merges);
  const decoder = new Map<number, string>();
  for (const [token, id] of Object.entries(vocab)) decoder.set(id, token);
  const specialTokens = [...new Set([bosToken, eosToken, unkToken, padToken])].sort(
    (a, b) => b.length - a.length,
  );
  // Per-instance BPE cache, seeded like transformers' with the special tokens that must not be split.
  const cache = new Map<string, string[]>([
    [CLIP_BOS_TOKEN, [CLIP_BOS_TOKEN]],
    [CLIP_EOS_TOKEN, [CLIP_EOS_TOKEN]],
  ]);
  const utf8 = new TextEncoder();

  function bpe(token: string): string[] {
    const cached = cache.get(token);
    if (cached) return cached;
    let word = Array.from(token);
    word[word.length - 1] += '</w>';
    while (word.length > 1) {
      let best = -1;
      let bestRank = Number.POSITIVE_INFINITY;
      for (let i = 0; i < word.length - 1; i++) {
        const rank = ranks.get(`${word[i]} ${word[i + 1]}`);
        if (rank !== undefined && rank < bestRank) {
          bestRank = rank;
          best = i;
        }
      }
      if (best < 0) break;
      const first = word[best];
      const second = word[best + 1];
      // Merge every occurrence of the best pair left to right, as the reference does.
      const merged: string[] = [];
      for (let i = 0; i < word.length; ) {
        if (i < word.length - 1 && word[i] === first && word[i + 1] === second) {
          merged.push(first + second);
          i += 2;
        } else {
          merged.push(word[i]);
          i += 1;
        }
      }
      word = merged;
    }
    cache.set(token, word);
    return word;
  }

  const clean = files.textCleanup === 'basic' ? cleanClipTextBasic : cleanClipText;
  function tokenizeSegment(text: string, out: string[]): void {
    const cleaned = clean(text);
    for (const match of cleaned.matchAll(CLIP_PATTERN)) {
      let mapped = '';
      for (const byte of utf8.encode(match[0])) mapped += byteEncoder[byte];
      out.push(...bpe(mapped));
    }
  }

  // transformers splits the raw text on its special tokens first (exact, case-sensitive) and cleans and
  // tokenizes the pieces between them separately.
  function tokenize(text: string): string[] {
    const out: string[] = [];
    let rest = text;
    for (;;) {
      let at = -1;
      let found = '';
      for (const special of specialTokens) {
        const index = rest.indexOf(special);
        if (index >= 0 && (at < 0 || index < at)) {
          at = index;
          found = special;
        }
      }
      if (at < 0) break;
      tokenizeSegment(rest.slice(0, at), out);
      out.push(found);
      rest = rest.slice(at + found.length);
    }
    tokenizeSegment(rest, out);
    return out;
  }

  function encode(text: string): number[] {
    return tokenize(text).map((token) => vocab[token] ?? unkId);
  }

  function encodePadded(text: string, options: PaddedEncodeOptions = {}): number[] {
    const length = options.maxLength ?? maxLength;
    let ids = encode(text);
    if (options.truncation ?? true) ids = ids.slice(0, Math.max(0, length - 2));
    const withSpecials = [bosId, ...ids, eosId];
    if (options.padding ?? true) while (withSpecials.length < length) withSpecials.push(padId);
    return withSpecials;
  }

  const commaId = vocab[',</w>'];
  const tokenizer: ClipTokenizer = {
    bosId,
    eosId,
    padId,
    unkId,
    commaId,
    maxLength,
    tokenize,
    encode,
    encodeWithSpecials: (text) => [bosId, ...encode(text), eosId],
    encodePadded,
    tokenizeChunks: (prompt, options) =>
      splitPromptChunks(prompt, { encode, bosId, eosId, padId, commaId }, options),
    idToToken: (id) => decoder.get(id),
    tokenToId: (token) => vocab[token],
  };
  return tokenizer;
}
