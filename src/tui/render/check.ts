// A check step as lines: the question, the options (the highlighted one, or the recorded answer), and
// the verdict — right or wrong with the explanation, or, for a prediction, which run will decide it.
import type { CheckStep, Lesson } from '../manifest.ts';
import { judge, optionLabel } from '../judge.ts';
import { renderMarkdown } from '../markdown.ts';
import type { LessonProgress } from '../progress.ts';
import type { Styler } from '../style.ts';
import { wrapText } from './common.ts';

export function checkBody(
  lesson: Lesson,
  index: number,
  choice: number,
  lp: LessonProgress,
  width: number,
  st: Styler,
): string[] {
  const step = lesson.steps[index] as CheckStep;
  const v = judge(lesson, index, lp);
  const answered = v.state !== 'unanswered';
  const out = renderMarkdown(step.question, width, st);
  out.push('');
  step.options.forEach((o, k) => {
    const mine = answered ? v.choice === k : choice === k;
    const marker = mine ? st.fg('cyan', '›') : ' ';
    let tag = '';
    if (answered && v.choice === k) tag = st.dim(' ← your answer');
    if (v.state === 'judged' && v.correct === k && !v.right) tag += st.fg('green', ' ← right');
    const lines = wrapText(`${optionLabel(k)}. ${o}`, width - 4, st);
    out.push(`${marker} ${mine ? st.bold(lines[0]!) : lines[0]}${tag}`, ...lines.slice(1).map((l) => `     ${l}`));
  });
  out.push('');
  switch (v.state) {
    case 'unanswered':
      out.push(
        st.dim(
          step.run !== undefined
            ? 'Make your prediction: a run will check it. Answers are final.'
            : 'Choose an answer. Answers are final.',
        ),
      );
      break;
    case 'pending': {
      const run = lesson.steps[v.runStep];
      out.push(
        ...wrapText(
          `Prediction recorded. Run step ${v.runStep + 1} ('${run?.title ?? '?'}') to see what happens; the verdict appears there and here.`,
          width,
          st,
        ),
      );
      break;
    }
    case 'error':
      out.push(
        st.fg('red', 'This check could not be judged (a bug in the lesson):'),
        ...wrapText(v.message, width, st, '  '),
      );
      break;
    case 'judged':
      out.push(
        v.right
          ? st.fg('green', st.bold('✓ Right.'))
          : st.fg('red', st.bold(`✗ Not this time: the answer is ${optionLabel(v.correct)}.`)),
      );
      out.push(...renderMarkdown(v.explain, width, st));
      break;
  }
  return out;
}
