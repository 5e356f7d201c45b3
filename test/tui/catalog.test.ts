// Loading lessons: every manifest problem is an InputError naming the lesson file; `requires` hides.
import { describe, expect, it } from 'vitest';
import type { Lesson, Step } from '../../src/tui/manifest.ts';
import { InputError } from '../../src/core/errors.ts';
import { loadCatalog, validateLesson } from '../../src/tui/catalog.ts';
import { demoLesson, demoSteps } from './fixtures/demo/index.ts';

const file = 'test/tui/fixtures/demo/index.ts';

function withStep(k: number, change: Record<string, unknown>): Lesson {
  const steps = demoSteps();
  steps[k] = { ...steps[k], ...change } as Step;
  return demoLesson({ steps });
}

describe('validateLesson', () => {
  it('accepts the demo lesson', () => {
    expect(() => validateLesson(demoLesson())).not.toThrow();
  });

  const bad: [string, Lesson, RegExp][] = [
    ['a malformed id', demoLesson({ id: 'Demo' }), /id "Demo" must look like '01-tokens'/],
    ['a number that does not match the id', demoLesson({ number: 7 }), /number 7 does not match the id '42-demo'/],
    ['no steps', demoLesson({ steps: [] }), /has no steps/],
    ['an unknown step kind', withStep(0, { kind: 'video' }), /step 1 \(video 'Intro'\) has an unknown kind "video"/],
    [
      'an unclosed code block',
      withStep(0, { markdown: '```\nx' }),
      /step 1 \(prose 'Intro'\) markdown: a code block opened with ``` on line 1 is never closed/,
    ],
    [
      'a knob default outside its values',
      withStep(2, { knobs: [{ name: 'n', label: 'n', values: [1, 2], default: 3 }] }),
      /knob 'n' default 3 is not one of its values/,
    ],
    [
      'a check naming a run that does not exist',
      withStep(1, { run: 'nope' }),
      /names run 'nope', but no run step has that id/,
    ],
    ['a check with one option', withStep(3, { options: ['only'] }), /needs at least two options/],
    [
      'a missing starter file',
      withStep(4, { starter: 'exercises/missing.ts' }),
      /starter file 'exercises\/missing.ts' does not exist/,
    ],
    [
      'a solution outside the lesson folder',
      withStep(4, { solution: '../../helpers.ts' }),
      /solution '..\/..\/helpers.ts' must be inside the lesson folder/,
    ],
    ['a run without a run function', withStep(2, { run: undefined }), /has no run\(\) function/],
  ];
  for (const [what, lesson, message] of bad) {
    it(`rejects ${what}, naming the lesson file`, () => {
      expect(() => validateLesson(lesson)).toThrow(InputError);
      expect(() => validateLesson(lesson)).toThrow(
        new RegExp(`^lesson ${file.replace(/\//g, '\\/')}: (.* )?${message.source}`),
      );
    });
  }
});

describe('validateLesson, for a lesson folder that does not exist', () => {
  it('names the file where the manifest says it is', () => {
    expect(() => validateLesson(demoLesson({ dir: '/nonexistent/lesson' }))).toThrow(
      'lesson /nonexistent/lesson/index.ts: dir "/nonexistent/lesson" is not an existing absolute folder',
    );
  });
});

describe('loadCatalog', () => {
  it('orders lessons by number', () => {
    const b = demoLesson();
    const a = demoLesson({ id: '07-first', number: 7 });
    expect(loadCatalog([b, a]).lessons.map((l) => l.id)).toEqual(['07-first', '42-demo']);
  });

  it('hides a lesson whose required modules do not exist yet, saying which', () => {
    const waiting = demoLesson({ id: '08-later', number: 8, requires: ['src/core/rng.ts', 'src/rl/not-built-yet.ts'] });
    const { lessons, hidden } = loadCatalog([demoLesson(), waiting]);
    expect(lessons.map((l) => l.id)).toEqual(['42-demo']);
    expect(hidden).toEqual([{ lesson: waiting, missing: ['src/rl/not-built-yet.ts'] }]);
  });

  it('rejects two lessons with the same number', () => {
    expect(() => loadCatalog([demoLesson(), demoLesson({ title: 'Twin' })])).toThrow(/number 42 is also used by/);
  });
});
