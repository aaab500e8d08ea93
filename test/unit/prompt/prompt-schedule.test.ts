import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { getPromptSchedule, promptAtStep } from '../../../shared/prompt/prompt-schedule';

interface ScheduleCase {
  prompt: string;
  steps: number;
  hires?: number;
  schedule: [number, string][];
}

// Produced by A1111's schedule grammar and step logic on lark (see "source" in the file).
const goldens = JSON.parse(
  readFileSync(new URL('./prompt-schedule-goldens.json', import.meta.url), 'utf8'),
) as {
  cases: ScheduleCase[];
};

describe('prompt editing and alternation schedules match A1111', () => {
  test('every golden case gives identical (endStep, text) pairs', () => {
    for (const c of goldens.cases) {
      const options = c.hires === undefined ? {} : { hiresSteps: c.hires };
      assert.deepEqual(getPromptSchedule(c.prompt, c.steps, options), c.schedule, `${c.prompt} @ ${c.steps}`);
    }
  });

  test('stray brackets after an editing group make it text exactly where lark does', () => {
    // The run after `]` has even length with at least one stray character: lark reads plain text.
    assert.deepEqual(getPromptSchedule('[a:3]]]', 10), [[10, '[a:3]]]']]);
    assert.deepEqual(getPromptSchedule('([a:3]))', 10), [[10, '([a:3]))']]);
    // Odd length, or only the closing brackets of enclosing groups: editing applies.
    assert.deepEqual(getPromptSchedule('[a:3]]', 10), [
      [3, ']'],
      [10, 'a]'],
    ]);
    assert.deepEqual(getPromptSchedule('(([a:3]))', 10), [
      [3, '(())'],
      [10, '((a))'],
    ]);
  });

  test('[a:b:0.5] switches from a to b at half the steps', () => {
    assert.deepEqual(getPromptSchedule('a [cat:dog:0.5]', 20), [
      [10, 'a cat'],
      [20, 'a dog'],
    ]);
  });

  test('a whole-number when is a step count, capped at the step total', () => {
    assert.deepEqual(getPromptSchedule('[cat:dog:4]', 10), [
      [4, 'cat'],
      [10, 'dog'],
    ]);
    assert.deepEqual(getPromptSchedule('[cat:dog:40]', 10), [[10, 'cat']]);
  });

  test('[a::when] removes and [:b:when] adds text', () => {
    assert.deepEqual(getPromptSchedule('x [a::2]', 4), [
      [2, 'x a'],
      [4, 'x '],
    ]);
    assert.deepEqual(getPromptSchedule('x [:b:2]', 4), [
      [2, 'x '],
      [4, 'x b'],
    ]);
  });

  test('alternation cycles by step index', () => {
    const schedule = getPromptSchedule('[cat|dog|fox]', 5);
    assert.deepEqual(
      [1, 2, 3, 4, 5].map((s) => promptAtStep(schedule, s)),
      ['cat', 'dog', 'fox', 'cat', 'dog'],
    );
  });

  test('attention syntax and escapes pass through untouched', () => {
    assert.deepEqual(getPromptSchedule('(a:1.2) \\[b\\] [c]', 10), [[10, '(a:1.2) \\[b\\] [c]']]);
  });

  test('a stray | makes A1111 use the prompt unchanged', () => {
    assert.deepEqual(getPromptSchedule('a | [b:c:2]', 10), [[10, 'a | [b:c:2]']]);
  });

  test('an empty prompt is one empty entry', () => {
    assert.deepEqual(getPromptSchedule('', 20), [[20, '']]);
  });

  test('a 20,000-character prompt of brackets is parsed in linear time', () => {
    const nested = `${'['.repeat(10_000)}a${']'.repeat(10_000)}`;
    assert.equal(getPromptSchedule(nested, 20).length, 1);
    const many = '[a|b] [c:d:0.5] '.repeat(1_250);
    const schedule = getPromptSchedule(many, 20);
    assert.equal(schedule.length, 20);
    assert.ok(schedule[0][1].startsWith('a c a c'));
  });
});
