// LoRAs picked from a list are written into the PNG prompt as A1111 tags, never twice.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { infotextPrompt } from '../../../companion/pipeline/pipeline-service';

test('list LoRAs become <lora:name:weight> tags after the prompt', () => {
  assert.equal(infotextPrompt('a fox', [{ name: 'style', weight: 0.8 }]), 'a fox <lora:style:0.8>');
  assert.equal(
    infotextPrompt('a fox', [
      { name: 'a', weight: 1 },
      { file: '/x/detail-v2.safetensors', weight: -0.35 },
    ]),
    'a fox <lora:a:1> <lora:detail-v2:-0.35>',
  );
  assert.equal(infotextPrompt('', [{ name: 'a', weight: 0.1 + 0.2 }]), '<lora:a:0.3>');
});

test('a LoRA the prompt already names is not added again; no LoRAs leaves the prompt as it is', () => {
  assert.equal(
    infotextPrompt('a fox <lora:style:0.5>', [{ name: 'style', weight: 0.5 }]),
    'a fox <lora:style:0.5>',
  );
  assert.equal(infotextPrompt('  a fox, ', []), '  a fox, ');
});
