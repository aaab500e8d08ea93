import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  parseParameters,
  readParametersFromPng,
  requestFromParameters,
  samplerIdFromLabel,
} from '../../../plugins/vscode/src/host/png-parameters';
import { readPngText, readPngTextChunks } from '../../../shared/png/png-text-chunks';
import { chunk, pngWith, textChunk } from './png-builder';

function itxtChunk(keyword: string, text: string): Uint8Array {
  const enc = new TextEncoder();
  const head = enc.encode(`${keyword}\0`);
  const body = enc.encode(text);
  const data = new Uint8Array(head.length + 4 + body.length);
  data.set(head, 0);
  data.set([0, 0, 0, 0], head.length); // flag, method, empty language tag \0, empty translated \0
  data.set(body, head.length + 4);
  return chunk('iTXt', data);
}

const INFOTEXT =
  'a red fox, (snow:1.2), forest\nat dawn\nNegative prompt: blurry, text\nSteps: 24, Sampler: DPM++ 2M Karras, CFG scale: 6.5, Seed: 1234, Size: 512x768, Model: "sd15, tiny"';

describe('PNG parameters', () => {
  it('reads tEXt and uncompressed iTXt chunks, in order', () => {
    const png = pngWith(textChunk('parameters', 'abc'), itxtChunk('Comment', 'ünïcode ✓'));
    assert.deepEqual(
      readPngTextChunks(png).map((c) => [c.keyword, c.text, c.chunkType]),
      [
        ['parameters', 'abc', 'tEXt'],
        ['Comment', 'ünïcode ✓', 'iTXt'],
      ],
    );
    assert.equal(readPngText(png, 'missing'), undefined);
  });
  it('returns nothing for non-PNG or truncated bytes instead of throwing', () => {
    assert.deepEqual(readPngTextChunks(new Uint8Array([1, 2, 3])), []);
    const png = pngWith(textChunk('parameters', 'abc'));
    assert.deepEqual(readPngTextChunks(png.subarray(0, 40)), []);
  });
  it('splits A1111 infotext into prompt, negative prompt and fields (quoted values too)', () => {
    const p = parseParameters(INFOTEXT);
    assert.equal(p.prompt, 'a red fox, (snow:1.2), forest\nat dawn');
    assert.equal(p.negativePrompt, 'blurry, text');
    assert.equal(p.fields.Steps, '24');
    assert.equal(p.fields.Model, 'sd15, tiny');
  });
  it('a prompt-only text has no fields', () => {
    assert.deepEqual(parseParameters('just a prompt'), {
      prompt: 'just a prompt',
      negativePrompt: '',
      fields: {},
    });
  });
  it('maps A1111 sampler labels and ids to protocol ids', () => {
    assert.equal(samplerIdFromLabel('DPM++ 2M Karras'), 'dpmpp_2m_karras');
    assert.equal(samplerIdFromLabel('Euler a'), 'euler_a');
    assert.equal(samplerIdFromLabel('euler'), 'euler');
    assert.equal(samplerIdFromLabel('Restart'), undefined);
  });
  it('turns the parameters of a PNG back into a request that reproduces it', () => {
    const p = readParametersFromPng(pngWith(textChunk('parameters', INFOTEXT)));
    assert.ok(p);
    assert.deepEqual(requestFromParameters(p), {
      mode: 'txt2img',
      prompt: 'a red fox, (snow:1.2), forest\nat dawn',
      negativePrompt: 'blurry, text',
      steps: 24,
      cfg: 6.5,
      seed: 1234,
      sampler: 'dpmpp_2m_karras',
      width: 512,
      height: 768,
    });
  });
  it('leaves out values the protocol would refuse', () => {
    const p = parseParameters('x\nSteps: 900, Sampler: Foo, CFG scale: 7, Seed: -5, Size: 513x512');
    assert.deepEqual(requestFromParameters(p), { mode: 'txt2img', prompt: 'x', negativePrompt: '', cfg: 7 });
  });
});
