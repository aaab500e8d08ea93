// fast-check arbitraries for the protocol fuzzer: every client message type with fields that
// are valid most of the time and hostile otherwise, mutated as objects and as raw text, plus
// every binary frame layout (valid attachments, bad magic, lying header lengths, bad headers).
import fc from 'fast-check';
import { BINARY_MAGIC } from '../../shared/protocol/binary-frame';
import { CLIENT_MESSAGE_TYPES } from '../../shared/protocol/client-messages';
import { SAMPLER_IDS } from '../../shared/protocol/samplers';
import { PROTOCOL_VERSION } from '../../shared/protocol/version';

export const ID_PLACEHOLDER = '__ID__';

export type FuzzInput = { kind: 'text'; text: string; id?: string } | { kind: 'binary'; bytes: Uint8Array };

const nasty = fc.constantFrom(
  '',
  '../../x',
  'C:\\x',
  '\\\\host\\share',
  '\u0000',
  '\ud800',
  'x'.repeat(300),
  '__proto__',
  'constructor',
  '{"a":1}',
  '%s%s%n',
  '<script>',
);
const weird: fc.Arbitrary<unknown> = fc.oneof(
  nasty,
  fc.string(),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.constantFrom(-1, 0, 2 ** 53, -(2 ** 31), 1e308, 0.5),
  fc.array(fc.integer(), { maxLength: 5 }),
  fc.jsonValue({ maxDepth: 3 }),
);
/** Mostly `arb`, sometimes a hostile value of any type. */
const maybe = <T>(arb: fc.Arbitrary<T>): fc.Arbitrary<unknown> =>
  fc.oneof({ weight: 4, arbitrary: arb }, { weight: 1, arbitrary: weird });

const shortString = fc.string({ minLength: 1, maxLength: 12 });
const client = fc.record({
  name: maybe(shortString),
  version: fc.option(maybe(fc.string({ maxLength: 8 })), { nil: undefined }),
});
const side = fc.oneof(fc.constantFrom(64), fc.integer({ min: -10, max: 3000 }));

/** Model ids never name the installed model for destructive messages (model_remove). */
const modelId = (installed: string) =>
  fc
    .oneof(fc.constantFrom('not-installed', 'sd-turbo', '..', 'a/b'), shortString)
    .filter((m) => m !== installed);

const generateRequest = fc.record(
  {
    mode: maybe(fc.constantFrom('txt2img', 'img2img', 'inpaint', 'outpaint')),
    model: maybe(fc.constantFrom('sd15-tiny', 'missing')),
    prompt: maybe(fc.string({ maxLength: 40 })),
    negativePrompt: maybe(fc.string({ maxLength: 10 })),
    preset: maybe(fc.constantFrom('none', 'cinematic', 'nope')),
    sampler: maybe(fc.constantFrom(...SAMPLER_IDS)),
    steps: maybe(fc.integer({ min: -2, max: 4 })),
    cfg: maybe(fc.double({ min: -5, max: 40, noNaN: true })),
    seed: maybe(fc.integer({ min: -5, max: 1000 })),
    width: maybe(side),
    height: maybe(side),
    strength: maybe(fc.double({ min: -1, max: 2, noNaN: true })),
    batch: maybe(fc.integer({ min: 0, max: 10 })),
    previewEvery: maybe(fc.integer({ min: -1, max: 3 })),
    initImage: maybe(fc.constantFrom('a', 'b', 'missing')),
    mask: maybe(fc.constantFrom('a', 'b')),
    outpaint: maybe(fc.record({ left: maybe(fc.integer({ min: -8, max: 2000 })) })),
    loras: maybe(
      fc.array(fc.record({ name: maybe(shortString), weight: maybe(fc.double({ noNaN: true })) }), {
        maxLength: 3,
      }),
    ),
  },
  { requiredKeys: [] },
);

function messageOf(installed: string): fc.Arbitrary<Record<string, unknown>> {
  const byType: Record<string, fc.Arbitrary<Record<string, unknown>>> = {
    hello: fc.record({
      token: maybe(fc.string()),
      client: maybe(client),
      protocolVersion: maybe(fc.constantFrom(PROTOCOL_VERSION, 0, 2)),
    }),
    pair: fc.record({ code: maybe(fc.stringMatching(/^\d{6}$/)), client: maybe(client) }),
    generate: fc.record({ request: maybe(generateRequest) }),
    cancel: fc.record({ jobId: maybe(shortString) }),
    queue: fc.record({}),
    models: fc.record({}),
    history: fc.record({
      limit: maybe(fc.integer({ min: -1, max: 600 })),
      scope: maybe(fc.constantFrom('mine', 'all', 'x')),
    }),
    history_get: fc.record({ jobId: maybe(shortString) }),
    model_pull: fc.record({ ref: maybe(fc.constantFrom('owner/repo', 'owner/repo@main', 'sd-turbo', 'x')) }),
    model_cancel: fc.record({ model: maybe(shortString) }),
    model_remove: fc.record({ model: modelId(installed) }),
    presets: fc.record({}),
    tokenize: fc.record({
      text: maybe(fc.string({ maxLength: 200 })),
      model: maybe(fc.constantFrom('sd15-tiny', 'x')),
    }),
    interrogate: fc.record({
      image: maybe(fc.constantFrom('a', 'b', 'missing')),
      model: maybe(fc.constantFrom('x', 'sd15-tiny')),
      topK: maybe(fc.integer({ min: 0, max: 25 })),
    }),
    prompt_rewrite: fc.record({
      prompt: maybe(fc.string({ maxLength: 60 })),
      negativePrompt: maybe(fc.string()),
      context: maybe(fc.string()),
      model: maybe(fc.constantFrom('x')),
    }),
    tokens_list: fc.record({}),
    token_revoke: fc.record({ tokenId: maybe(fc.constantFrom('primary', 'abc', '')) }),
  };
  // A message type added to the protocol after this file still gets fuzzed, with generic fields.
  for (const t of CLIENT_MESSAGE_TYPES) {
    byType[t] ??= fc.dictionary(
      fc.constantFrom('model', 'image', 'text', 'jobId', 'prompt', 'ref', 'limit'),
      weird,
      { maxKeys: 3 },
    );
  }
  // A valid small txt2img now and then, so accepted jobs (queued, then cancelled) are fuzzed too.
  const validGenerate = fc
    .record({
      prompt: fc.string({ maxLength: 20 }),
      steps: fc.integer({ min: 1, max: 3 }),
      seed: fc.integer({ min: 0, max: 99 }),
    })
    .map((r) => ({ type: 'generate', request: { ...r, width: 64, height: 64, previewEvery: 1 } }));
  return fc.oneof(
    validGenerate,
    ...Object.entries(byType).map(([type, arb]) => arb.map((fields) => ({ type, ...fields }))),
    fc.record({ type: maybe(fc.constantFrom('launch', 'HELLO', 'generate ')) }),
  );
}

/** Object-level mutations: drop a key, add one, replace the type with a hostile value. */
const objectMutation = fc.constantFrom('none', 'none', 'none', 'drop', 'add', 'type', 'array', 'nest');

function mutateObject(m: Record<string, unknown>, how: string, extra: unknown): unknown {
  const keys = Object.keys(m);
  switch (how) {
    case 'drop': {
      const copy = { ...m };
      delete copy[keys[keys.length - 1]];
      return copy;
    }
    case 'add':
      return { ...m, extra, __proto__: { polluted: true } };
    case 'type':
      return { ...m, type: extra };
    case 'array':
      return [m];
    case 'nest':
      return { ...m, request: { request: m } };
    default:
      return m;
  }
}

/** Text-level mutations: truncation, inserted bytes, duplicated spans. */
const textMutation = fc.oneof(
  { weight: 6, arbitrary: fc.constant(null) },
  { weight: 1, arbitrary: fc.record({ at: fc.nat(), cut: fc.constant(true) }) },
  {
    weight: 1,
    arbitrary: fc.record({
      at: fc.nat(),
      insert: fc.constantFrom('{', '}', '"', '\\', ',', 'NaN', '\u0000', '\ud800', '1e999'),
    }),
  },
  { weight: 1, arbitrary: fc.record({ at: fc.nat(), len: fc.integer({ min: 1, max: 20 }) }) },
);

function mutateText(
  text: string,
  m: { at: number; cut?: boolean; insert?: string; len?: number } | null,
): string {
  if (!m) return text;
  const at = m.at % (text.length + 1);
  if (m.cut) return text.slice(0, at);
  if (m.insert !== undefined) return text.slice(0, at) + m.insert + text.slice(at);
  return text.slice(0, at) + text.slice(at, at + (m.len ?? 1)) + text.slice(at);
}

export function textMessage(installed: string): fc.Arbitrary<FuzzInput> {
  return fc
    .tuple(messageOf(installed), objectMutation, weird, textMutation, fc.boolean())
    .map(([msg, how, extra, tm, withId]) => {
      // The runner replaces the placeholder with a unique id per message sent.
      const id = ID_PLACEHOLDER;
      const obj = mutateObject(withId ? { ...msg, id } : msg, how, extra);
      const text = mutateText(JSON.stringify(obj) ?? 'null', tm);
      // Only a message whose top-level id survived the mutations can be expected to echo it.
      const keptId =
        withId &&
        tm === null &&
        typeof obj === 'object' &&
        obj !== null &&
        !Array.isArray(obj) &&
        (obj as { id?: unknown }).id === id;
      return { kind: 'text' as const, text, id: keptId ? id : undefined };
    });
}

function frame(
  header: Uint8Array,
  payload: Uint8Array,
  declaredLength = header.length,
  magic: readonly number[] = BINARY_MAGIC,
): Uint8Array {
  const out = new Uint8Array(8 + header.length + payload.length);
  out.set(magic.slice(0, 4), 0);
  new DataView(out.buffer).setUint32(4, declaredLength >>> 0, false);
  out.set(header, 8);
  out.set(payload, 8 + header.length);
  return out;
}

const enc = (v: unknown) => new TextEncoder().encode(JSON.stringify(v) ?? '');

/** Every binary layout: valid attachments and each way a frame can be broken. */
export const binaryMessage: fc.Arbitrary<FuzzInput> = fc
  .oneof(
    fc
      .record({
        ref: fc.stringMatching(/^[A-Za-z0-9_.-]{1,64}$/),
        mime: fc.constantFrom('image/png', 'image/jpeg', 'image/webp'),
        payload: fc.uint8Array({ maxLength: 256 }),
      })
      .map(({ ref, mime, payload }) => frame(enc({ kind: 'attachment', ref, mime }), payload)),
    fc
      .record({ kind: fc.constantFrom('preview', 'result', 'attachment', 'x'), ref: weird, jobId: weird })
      .map((h) => frame(enc(h), new Uint8Array(4))),
    fc.uint8Array({ maxLength: 64 }).map((h) => frame(h, new Uint8Array(2))),
    fc
      .tuple(fc.jsonValue({ maxDepth: 2 }), fc.constantFrom(0, 1, 4097, 0xffffffff, 7))
      .map(([h, n]) => frame(enc(h), new Uint8Array(3), n)),
    fc
      .tuple(fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 4, maxLength: 4 }))
      .map(([magic]) => frame(enc({ kind: 'attachment', ref: 'a' }), new Uint8Array(1), undefined, magic)),
    fc.uint8Array({ maxLength: 7 }),
    fc.uint8Array({ minLength: 8, maxLength: 300 }),
  )
  .map((bytes) => ({ kind: 'binary' as const, bytes }));

export function fuzzInput(installed: string): fc.Arbitrary<FuzzInput> {
  return fc.oneof({ weight: 4, arbitrary: textMessage(installed) }, { weight: 1, arbitrary: binaryMessage });
}
