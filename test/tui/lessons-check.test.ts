// `tinyseek lessons check`, run as part of npm test: every registered lesson parses, every run finishes on
// the small budget, every check can be judged, every exercise fails unsolved and passes solved. The demo
// variants prove the check notices each kind of broken lesson.
import { describe, expect, it } from 'vitest';
import { lessons } from '../../lessons/index.ts';
import type { Lesson, Step } from '../../src/tui/manifest.ts';
import { checkLessons } from '../../src/tui/check-lessons.ts';
import { demoLesson, demoSteps } from './fixtures/demo/index.ts';

function withStep(k: number, change: Record<string, unknown>): Lesson {
  const steps = demoSteps();
  steps[k] = { ...steps[k], ...change } as Step;
  return demoLesson({ steps });
}

describe('every registered lesson', () => {
  it('passes lessons check on the small budget', async () => {
    const report = await checkLessons(lessons, { budget: 'small' });
    expect(report.ok, report.lines.join('\n')).toBe(true);
    expect(report.lines.at(-1)).toMatch(/^ok: \d+ lessons? checked/);
  });

  it('every exercise check refuses a file without its function, naming what the file exports instead', async () => {
    const exercises = lessons.flatMap((l) => l.steps.filter((s) => s.kind === 'exercise'));
    expect(exercises.length).toBeGreaterThanOrEqual(12);
    for (const step of exercises) {
      const outcome = await step.check({ default: {}, somethingElse: () => 0 });
      expect(outcome.pass, step.title).toBe(false);
      expect(outcome.message, step.title).toMatch(
        /^the file must export a function named \w+ \(it exports: somethingElse\)$/,
      );
    }
  });

  it('includes the welcome lesson, whose starter fails and whose solution passes', async () => {
    const report = await checkLessons(
      lessons.filter((l) => l.id === '00-welcome'),
      { budget: 'small' },
    );
    expect(report.lines.join('\n')).toMatch(
      /✓ step 5 exercise 'Softmax that does not overflow': the starter fails \(softmax\(\[1000, 1001, 1002\]\) returned \[NaN, NaN, NaN\]\), the solution passes/,
    );
  });
});

describe('checkLessons', () => {
  it('reports each step it proved', async () => {
    const report = await checkLessons([demoLesson()], { budget: 'small' });
    expect(report.ok).toBe(true);
    expect(report.lines).toEqual([
      '42-demo  Demo',
      "  ✓ step 3 run 'Count': finished on the small budget (steps 4 · loss 0.25)",
      "  ✓ step 2 check 'Guess': the answer is 1 (yes) by step 3's run",
      "  ✓ step 4 check 'Quiz': the answer is 2 (2)",
      "  ✓ step 5 exercise 'Double it': the starter fails (double(1) returned 1, expected 2), the solution passes",
      '',
      'ok: 1 lesson checked (1 run, 2 checks, 1 exercise)',
    ]);
  });

  const broken: [string, Lesson, RegExp][] = [
    [
      'a starter that already passes',
      withStep(4, { check: () => ({ pass: true, message: 'fine' }) }),
      /✗ step 5 exercise 'Double it': the unsolved starter PASSES its check \(fine\)/,
    ],
    [
      'a solution that fails',
      withStep(4, { check: () => ({ pass: false, message: 'never' }) }),
      /the solution FAILS its check:\nnever/,
    ],
    [
      'a starter identical to the solution',
      withStep(4, { starter: 'solutions/double.ts' }),
      /the starter and the solution are the same file content/,
    ],
    [
      'a run that throws',
      withStep(2, { run: async () => Promise.reject(new Error('kaput')) }),
      /✗ step 3 run 'Count': failed: kaput[\s\S]*✗ step 2 check 'Guess': cannot be judged, its run \(step 3\) did not finish/,
    ],
    [
      'a check whose answer is not an option',
      withStep(3, { answer: () => 5 }),
      /✗ step 4 check 'Quiz': answer\(\) returned 5, not an option number 0..2/,
    ],
    [
      'a malformed manifest',
      demoLesson({ number: 3 }),
      /✗ lesson test\/tui\/fixtures\/demo\/index.ts: number 3 does not match the id '42-demo'/,
    ],
  ];
  for (const [what, lesson, line] of broken) {
    it(`fails on ${what}`, async () => {
      const report = await checkLessons([lesson], { budget: 'small' });
      expect(report.ok).toBe(false);
      expect(report.lines.join('\n')).toMatch(line);
      expect(report.lines.at(-1)).toMatch(/^FAILED/);
    });
  }

  it('skips a lesson whose modules are not built yet, without failing', async () => {
    const report = await checkLessons([demoLesson({ requires: ['src/rl/not-built-yet.ts'] })], { budget: 'small' });
    expect(report.ok).toBe(true);
    expect(report.lines).toContain('  – skipped: hidden until src/rl/not-built-yet.ts exists');
  });
});
