// Plain mode (`tinyseek lesson N --plain`): the lesson as text, runs with plain progress, for CI and
// screen readers. Same lesson, same transcript; no escape codes.
import { readFileSync, writeFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { lessons } from '../../lessons/index.ts';
import type { Lesson } from '../../src/tui/manifest.ts';
import { workspaceFile } from '../../src/tui/exercise.ts';
import { printLessonPlain, type PlainOptions } from '../../src/tui/plain.ts';
import { demoLesson, demoSteps } from './fixtures/demo/index.ts';
import { removeTempDirs, tempDir } from './helpers.ts';

afterEach(removeTempDirs);

async function transcript(lesson: Lesson, opts: Partial<PlainOptions> = {}) {
  let text = '';
  const workspace = opts.workspace ?? tempDir();
  const ok = await printLessonPlain(lesson, {
    out: (s) => void (text += s),
    width: 80,
    budget: 'small',
    workspace,
    ...opts,
  });
  return { ok, text, workspace };
}

describe('printLessonPlain', () => {
  it('prints every step with a heading, and no escape codes', async () => {
    const { ok, text } = await transcript(demoLesson());
    expect(ok).toBe(false); // the exercise still holds its starter, which fails its check
    for (const h of [
      'Step 1/5 (prose): Intro',
      'Step 2/5 (check): Guess',
      'Step 3/5 (run): Count',
      'Step 4/5 (check): Quiz',
      'Step 5/5 (exercise): Double it',
    ])
      expect(text).toContain(h);
    expect(text).not.toMatch(/\x1b/);
  });

  it('runs a run with plain progress lines and prints its result', async () => {
    const { text } = await transcript(demoLesson());
    expect(text).toContain('  steps: 5   (values: 3, 5, 8)');
    expect(text).toContain('  progress 50% (2/4): loss 0.5 · acc 0.5');
    expect(text).toContain('  progress 100% (4/4): loss 0.25 · acc 1');
    expect(text).toContain('Result (steps=5, mode=a):\n  counted to 4');
  });

  it('answers a prediction after the run that decides it, and a question right away', async () => {
    const { text } = await transcript(demoLesson());
    expect(text).toContain("A prediction: make yours now; step 3's run answers it.");
    expect(text.indexOf("Answer to step 2 ('Guess'): 1. yes")).toBeGreaterThan(text.indexOf('counted to 4'));
    expect(text).toContain("Answer to step 4 ('Quiz'): 2. 2\nTwo.");
  });

  it("checks the learner's file, offering a hint, and shows the solution only after a pass", async () => {
    const first = await transcript(demoLesson());
    expect(first.text).toContain('Check failed:\n  double(1) returned 1, expected 2');
    expect(first.text).toContain('Stuck? Add --hint for a hint.');
    expect(first.text).not.toContain('Reference solution');
    const hinted = await transcript(demoLesson(), { workspace: first.workspace, step: 5, hint: true });
    expect(hinted.text).toContain('Hint:\nMultiply by two.');
    writeFileSync(
      workspaceFile(first.workspace, demoLesson(), demoLesson().steps[4] as never),
      'export const double = (x: number) => 2 * x;\n',
    );
    const solved = await transcript(demoLesson(), { workspace: first.workspace, step: 5 });
    expect([first.ok, hinted.ok, solved.ok]).toEqual([false, false, true]);
    expect(solved.text).toContain('Check passed.');
    expect(solved.text).toContain('Reference solution (solutions/double.ts):\n  // Fixture solution.');
  });

  it('breaks long code lines at the width on a terminal, and never off one (codeWidth Infinity), so it can be pasted', async () => {
    const first = await transcript(demoLesson());
    writeFileSync(
      workspaceFile(first.workspace, demoLesson(), demoLesson().steps[4] as never),
      'export const double = (x: number) => 2 * x;\n',
    );
    const line = readFileSync('test/tui/fixtures/demo/solutions/double.ts', 'utf8')
      .split('\n')
      .find((l) => l.length > 30)!;
    const narrow = await transcript(demoLesson(), { workspace: first.workspace, step: 5, width: 24 });
    const whole = await transcript(demoLesson(), {
      workspace: first.workspace,
      step: 5,
      width: 24,
      codeWidth: Infinity,
    });
    expect(narrow.text).not.toContain(`  ${line}\n`);
    expect(whole.text).toContain(`  ${line}\n`);
  });

  it('prints only the step asked for', async () => {
    const { text } = await transcript(demoLesson(), { step: 4 });
    expect(text.trim().split('\n')[0]).toBe('Step 4/5 (check): Quiz');
    expect(text).not.toContain('Step 3/5');
  });

  it('reports a failed run and resolves false', async () => {
    const steps = demoSteps();
    steps[2] = { ...steps[2], run: async () => Promise.reject(new Error('kaput')) } as (typeof steps)[number];
    const { ok, text } = await transcript(demoLesson({ steps }));
    expect(ok).toBe(false);
    expect(text).toContain('The run failed: kaput');
  });

  it('prints the welcome lesson the same way every time', async () => {
    const welcome = lessons.find((l) => l.id === '00-welcome')!;
    const a = await transcript(welcome);
    const b = await transcript(welcome, { workspace: a.workspace });
    expect(a.text).toBe(b.text);
    expect(a.text).toContain('darts:');
    expect(a.text).toMatch(/Answer to step 2 \('Predict before you run'\): 1\. the series/);
  });
});
