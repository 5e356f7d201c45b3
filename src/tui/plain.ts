// `tinyseek lesson N --plain`: a lesson as plain text for CI logs and screen readers. Prose is printed,
// runs run with their default knobs and print a progress line per tenth (no clock, no redraws: the same
// lesson prints the same transcript), checks print their question and then their answer (a prediction's
// answer after the run that decides it), exercises check the learner's workspace file and print the result.
// Progress is recorded through `record` when given (the CLI writes it to the progress file): prose read, runs
// finished, exercises passed. Check answers are not: plain mode asks no question it waits on.
import { readFileSync } from 'node:fs';
import type { Budget, CheckStep, ExerciseStep, KnobValue, Lesson, RunResult, RunStep } from './manifest.ts';
import { checkExerciseInWorker, ensureWorkspaceFile, solutionPath } from './exercise.ts';
import { optionLabel, rightOption, runStepIndex } from './judge.ts';
import { renderMarkdown } from './markdown.ts';
import { defaultKnobs, startRun } from './run-step.ts';
import { styler } from './style.ts';
import { knobValueText, knobsText, metricsText, verbatim, wrapText } from './render/common.ts';

export interface PlainOptions {
  out(text: string): void;
  width: number;
  /** Width at which code and checker output continue on a new line (default `width`; Infinity: never, so
   * that a solution printed to a file or a pipe can be pasted as it is). */
  codeWidth?: number;
  budget: Budget;
  workspace: string;
  /** Only this step (1-based), e.g. to re-check an exercise after editing the file. */
  step?: number;
  /** Print exercise hints. */
  hint?: boolean;
  /** Receives progress as it is made (step indices are 0-based). */
  record?: PlainRecorder;
}

export interface PlainRecorder {
  visited(step: number): void;
  prose(step: number): void;
  run(step: number, result: RunResult, knobs: Record<string, KnobValue>): void;
  exercise(step: number, pass: boolean): void;
}

const st = styler('none');

function answerLines(check: CheckStep, k: number, run: RunResult | undefined, width: number): string[] {
  const r = rightOption(check, run);
  if ('error' in r) return [`Step ${k + 1} cannot be judged (a bug in the lesson): ${r.error}`];
  return [
    `Answer to step ${k + 1} ('${check.title}'): ${optionLabel(r.correct)}. ${check.options[r.correct]}`,
    ...renderMarkdown(r.explain, width, st),
  ];
}

async function plainRun(
  step: RunStep,
  o: PlainOptions & { lessonStep?: number },
  say: (lines: string[]) => void,
): Promise<RunResult | undefined> {
  const knobs = defaultKnobs(step);
  if (step.knobs?.length) {
    say([`Knobs (defaults; the interactive player lets you change them):`]);
    for (const k of step.knobs)
      say([`  ${k.label}: ${knobValueText(k.default)}   (values: ${k.values.map(knobValueText).join(', ')})`]);
  }
  say([`Running (${o.budget} budget)…`]);
  let tenth = -1;
  const handle = startRun(step, {
    knobs,
    budget: o.budget,
    onEvent: (e) => {
      if (e.kind === 'log') return say([`  ${e.text}`]);
      const t = e.total > 0 ? Math.floor((10 * e.step) / e.total) : 0;
      if (t <= tenth) return;
      tenth = t;
      const metrics = metricsText(e.metrics ?? {});
      say(
        wrapText(
          `progress ${String(t * 10).padStart(3)}% (${e.step}/${e.total})${metrics ? `: ${metrics}` : ''}`,
          o.width,
          st,
          '  ',
        ),
      );
    },
  });
  const outcome = await handle.outcome;
  if (outcome.kind === 'failed') {
    say([`The run failed: ${outcome.message}`]);
    return undefined;
  }
  say([
    '',
    `Result${Object.keys(knobs).length ? ` (${knobsText(knobs)})` : ''}:`,
    ...outcome.result.lines.flatMap((l) => wrapText(l, o.width, st, '  ')),
  ]);
  o.record?.run(o.lessonStep ?? 0, outcome.result, knobs);
  return outcome.result;
}

/** Checks the learner's file; resolves whether the check passed. */
async function plainExercise(
  lesson: Lesson,
  step: ExerciseStep,
  k: number,
  o: PlainOptions,
  say: (lines: string[]) => void,
): Promise<boolean> {
  let path: string;
  try {
    path = ensureWorkspaceFile(o.workspace, lesson, step).path;
  } catch (e) {
    say([`Could not create your exercise file: ${(e as Error).message}`]);
    return false;
  }
  say([
    `Your file: ${path}`,
    ...wrapText(
      `Edit it, save, and check it again with: tinyseek lesson ${lesson.number} --plain --step ${k + 1}`,
      o.width,
      st,
    ),
  ]);
  const outcome = await checkExerciseInWorker(lesson, lesson.steps.indexOf(step), path);
  const code = o.codeWidth ?? o.width;
  say(['', outcome.pass ? 'Check passed.' : 'Check failed:', ...verbatim(outcome.message, code, '  ')]);
  o.record?.exercise(k, outcome.pass);
  if (!outcome.pass)
    say(o.hint ? ['', 'Hint:', ...renderMarkdown(step.hint, o.width, st)] : ['', `Stuck? Add --hint for a hint.`]);
  else
    say([
      '',
      `Reference solution (${step.solution}):`,
      ...verbatim(readFileSync(solutionPath(lesson, step), 'utf8').trimEnd(), code, '  '),
    ]);
  return outcome.pass;
}

/** Prints the lesson; resolves false when a run failed (a broken lesson) or an exercise check failed, true otherwise. */
export async function printLessonPlain(lesson: Lesson, o: PlainOptions): Promise<boolean> {
  const say = (lines: string[]) => o.out(lines.map((l) => l.trimEnd()).join('\n') + '\n');
  const results: Record<number, RunResult | undefined> = {};
  let ok = true;
  const only = o.step !== undefined ? o.step - 1 : undefined;
  if (only === undefined) say([`Lesson ${lesson.number}: ${lesson.title}`, ...wrapText(lesson.summary, o.width, st)]);
  for (let k = 0; k < lesson.steps.length; k++) {
    if (only !== undefined && k !== only) continue;
    const step = lesson.steps[k]!;
    const title = `Step ${k + 1}/${lesson.steps.length} (${step.kind}): ${step.title}`;
    o.record?.visited(k);
    say(['', title, '-'.repeat(Math.min(o.width, [...title].length))]);
    switch (step.kind) {
      case 'prose':
        say(renderMarkdown(step.markdown, o.width, st));
        o.record?.prose(k);
        break;
      case 'run': {
        say([...renderMarkdown(step.markdown, o.width, st), '']);
        results[k] = await plainRun(step, { ...o, lessonStep: k }, say);
        if (results[k] === undefined) ok = false;
        // Predictions made before this run are answered now.
        lesson.steps.forEach((c, j) => {
          if (c.kind === 'check' && c.run !== undefined && j < k && runStepIndex(lesson, c.run) === k && results[k])
            say(['', ...answerLines(c, j, results[k], o.width)]);
        });
        break;
      }
      case 'check': {
        say([
          ...renderMarkdown(step.question, o.width, st),
          ...step.options.map((opt, j) => `  ${optionLabel(j)}. ${opt}`),
          '',
        ]);
        const runAt = step.run !== undefined ? runStepIndex(lesson, step.run) : -1;
        if (runAt > k && only === undefined) say([`A prediction: make yours now; step ${runAt + 1}'s run answers it.`]);
        else if (runAt >= 0 && results[runAt] === undefined)
          say([`Step ${runAt + 1}'s run answers this one; run the whole lesson to see it.`]);
        else say(answerLines(step, k, runAt >= 0 ? results[runAt] : undefined, o.width));
        break;
      }
      case 'exercise':
        say([...renderMarkdown(step.markdown, o.width, st), '']);
        if (!(await plainExercise(lesson, step, k, o, say))) ok = false;
        break;
    }
  }
  return ok;
}
