// An exercise step as lines: the task, where the learner's file is and how it is checked (on save, or by
// r where watching is not available), the latest check (✗ with the checker's message, or ✓), the hint on
// request, and the reference solution once the code has passed.
import { relative } from 'node:path';
import type { ExerciseStep, Lesson } from '../manifest.ts';
import { repoRoot } from '../catalog.ts';
import { solutionPath } from '../exercise.ts';
import { renderMarkdown } from '../markdown.ts';
import type { LessonProgress } from '../progress.ts';
import type { ExerciseView } from '../state.ts';
import type { Styler } from '../style.ts';
import { verbatim, wrapText } from './common.ts';

function watchLine(ex: ExerciseView): string {
  switch (ex.watch) {
    case 'watching':
      return 'Edit it in your editor; every save re-runs the check (r runs it by hand).';
    case 'manual':
      return 'Edit it in your editor, save, then press r to run the check.';
    case 'failed':
      return `Watching for saves does not work here${ex.watchNote ? ` (${ex.watchNote})` : ''}: save, then press r to run the check.`;
    case 'preparing':
      return '';
  }
}

function statusLines(ex: ExerciseView, width: number, st: Styler): string[] {
  const n = ex.checks > 0 ? ` #${ex.checks}` : '';
  switch (ex.status) {
    case 'preparing':
      return [st.dim('Preparing your file…')];
    case 'checking':
      return [st.fg('yellow', `Checking…`), ...(ex.message ? verbatim(ex.message, width, '  ').map(st.dim) : [])];
    case 'pass':
      return [st.fg('green', st.bold(`✓ Check${n} passed.`)), ...verbatim(ex.message, width, '  ')];
    case 'fail':
      return [st.fg('red', st.bold(`✗ Check${n} failed:`)), ...verbatim(ex.message, width, '  ')];
  }
}

export function exerciseBody(
  lesson: Lesson,
  index: number,
  ex: ExerciseView | undefined,
  lp: LessonProgress,
  width: number,
  st: Styler,
): string[] {
  const step = lesson.steps[index] as ExerciseStep;
  const out = renderMarkdown(step.markdown, width, st);
  if (!ex) return out;
  out.push('');
  if (ex.path) {
    out.push(st.bold('Your file: ') + st.fg('cyan', ex.path));
    out.push(
      ...wrapText(
        `${ex.created ? 'A fresh copy of the starter. ' : 'Your copy from before, kept as you left it (x x puts the starter back). '}${watchLine(ex)}`,
        width,
        st,
      ).map(st.dim),
    );
    out.push('');
  }
  out.push(...statusLines(ex, width, st));
  if (lp.exercises[index] && ex.status !== 'pass') out.push(st.dim('(You have passed this exercise before.)'));
  if (ex.hint) out.push('', st.bold('Hint'), ...renderMarkdown(step.hint, width, st));
  const passed = ex.status === 'pass' || lp.exercises[index] === true;
  if (passed && ex.showSolution) {
    out.push('', st.bold('Reference solution ') + st.dim(relative(repoRoot, solutionPath(lesson, step))));
    out.push(
      ...(ex.solution === undefined
        ? [st.dim('loading…')]
        : verbatim(ex.solution.trimEnd(), width, '  ').map((l) => st.fg('green', l))),
    );
  } else if (passed) {
    out.push('', st.dim('Press s to compare with the reference solution.'));
  }
  return out;
}
