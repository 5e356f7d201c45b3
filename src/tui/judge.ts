// Judging a check step: compares the learner's choice with the right option, which a check may compute
// from what a run measured. A check that names a run and comes before it is a prediction: until that run
// has finished (not cancelled) the verdict is 'pending'. A lesson bug (answer() throws or returns no valid
// option) is an 'error' verdict, which `lessons check` turns into a failure.
import type { CheckStep, Lesson, RunResult } from './manifest.ts';
import type { LessonProgress } from './progress.ts';

export type Verdict =
  | { state: 'unanswered' }
  | { state: 'pending'; choice: number; runStep: number }
  | { state: 'judged'; choice: number; correct: number; right: boolean; explain: string }
  | { state: 'error'; choice: number; message: string };

/** The index of the run step with this id, or -1. */
export const runStepIndex = (lesson: Lesson, id: string): number =>
  lesson.steps.findIndex((s) => s.kind === 'run' && s.id === id);

/** The right option for a run result (or undefined for a check without a run), or an error message. */
export function rightOption(
  step: CheckStep,
  run: RunResult | undefined,
): { correct: number; explain: string } | { error: string } {
  try {
    const correct = step.answer(run);
    if (!Number.isInteger(correct) || correct < 0 || correct >= step.options.length)
      return { error: `answer() returned ${String(correct)}, not an option number 0..${step.options.length - 1}` };
    const explain = typeof step.explain === 'function' ? step.explain(run) : step.explain;
    return { correct, explain };
  } catch (e) {
    return { error: `answer() threw: ${e instanceof Error ? e.message : String(e)}` };
  }
}

/** The finished result of the run a check names, from the lesson's progress. */
export function runFor(
  lesson: Lesson,
  step: CheckStep,
  lp: LessonProgress,
): { runStep: number; result: RunResult | undefined } {
  if (step.run === undefined) return { runStep: -1, result: undefined };
  const runStep = runStepIndex(lesson, step.run);
  const stored = lp.runs[runStep];
  return { runStep, result: stored && !stored.cancelled ? stored : undefined };
}

export function judge(lesson: Lesson, stepIndex: number, lp: LessonProgress): Verdict {
  const step = lesson.steps[stepIndex];
  if (!step || step.kind !== 'check') return { state: 'unanswered' };
  const choice = lp.checks[stepIndex];
  if (choice === undefined) return { state: 'unanswered' };
  const { runStep, result } = runFor(lesson, step, lp);
  if (step.run !== undefined && result === undefined) return { state: 'pending', choice, runStep };
  const r = rightOption(step, result);
  if ('error' in r) return { state: 'error', choice, message: r.error };
  return { state: 'judged', choice, correct: r.correct, right: r.correct === choice, explain: r.explain };
}

/** Option labels: 1-based, as the learner presses them. */
export const optionLabel = (k: number): string => String(k + 1);
