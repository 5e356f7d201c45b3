// A run step as lines: its prose, the knobs, then — while it runs — a progress bar, the latest metrics,
// the live chart and recent log lines; after it ends, what it found (kept in progress, so it survives a
// restart) and the verdict on any prediction that was waiting for this run.
import type { Lesson, RunStep } from '../manifest.ts';
import { terminalLineChart } from '../../plot/terminal.ts';
import { judge, optionLabel } from '../judge.ts';
import { renderMarkdown } from '../markdown.ts';
import type { LessonProgress } from '../progress.ts';
import { defaultKnobs } from '../run-step.ts';
import type { Session } from '../state.ts';
import type { Styler } from '../style.ts';
import { knobLines, knobsText, metricsLines, progressBar, wrapText } from './common.ts';

export const CHART_HEIGHT = 12;

/** The predictions (check steps naming this run) and what the finished run says about them. */
export function predictionLines(
  lesson: Lesson,
  runIndex: number,
  lp: LessonProgress,
  width: number,
  st: Styler,
): string[] {
  const run = lesson.steps[runIndex] as RunStep;
  const out: string[] = [];
  lesson.steps.forEach((s, k) => {
    if (s.kind !== 'check' || s.run === undefined || s.run !== run.id) return;
    const v = judge(lesson, k, lp);
    if (v.state === 'judged') {
      const mark = v.right ? st.fg('green', '✓') : st.fg('red', '✗');
      const said = `${optionLabel(v.choice)}. ${s.options[v.choice]}`;
      const text = v.right
        ? `your prediction in step ${k + 1} (${said}) — the run agrees.`
        : `your prediction in step ${k + 1} was ${said}; the run says ${optionLabel(v.correct)}. ${s.options[v.correct]}.`;
      out.push(...wrapText(`${mark} ${text}`, width, st, '  '));
    } else if (v.state === 'error') {
      out.push(...wrapText(`! step ${k + 1} could not be judged: ${v.message}`, width, st, '  '));
    } else if (v.state === 'pending') {
      out.push(
        ...wrapText(
          `your prediction in step ${k + 1}: ${optionLabel(v.choice)}. ${s.options[v.choice]} — run to see.`,
          width,
          st,
          '  ',
        ),
      );
    } else if (v.state === 'unanswered' && lp.runs[runIndex] && !lp.runs[runIndex]!.cancelled) {
      out.push(
        ...wrapText(`step ${k + 1} asks you to predict this result; you skipped it.`, width, st, '  ').map(st.dim),
      );
    }
  });
  return out.length ? ['', st.bold('Predictions'), ...out] : [];
}

export function runBody(
  lesson: Lesson,
  index: number,
  se: Session,
  lp: LessonProgress,
  width: number,
  st: Styler,
): string[] {
  const step = lesson.steps[index] as RunStep;
  const out = renderMarkdown(step.markdown, width, st);
  const values = { ...defaultKnobs(step), ...se.knobs[index] };
  if (step.knobs?.length) out.push('', st.bold('Knobs'), ...knobLines(step.knobs, values, se.knobFocus, st));

  const live = se.runs[index];
  const stored = lp.runs[index];
  const running = live?.status === 'running' || live?.status === 'cancelling';
  out.push('');
  if (running) {
    out.push(
      `${progressBar(live.step, live.total, width, st)}  ${live.status === 'cancelling' ? st.fg('yellow', 'cancelling…') : st.dim('running — c cancels')}`,
    );
  } else if (live?.status === 'failed') {
    out.push(st.fg('red', 'The run failed:'), ...wrapText(live.error ?? '', width, st, '  '));
  } else if (!stored) {
    out.push(st.fg('cyan', 'Press space to run it.'), ...predictionLines(lesson, index, lp, width, st));
  }
  // After a run: what it found and the verdict on predictions first, then its chart.
  if (stored && !running) {
    const head = stored.cancelled ? 'Cancelled — what it had measured' : 'Result';
    const tail = Object.keys(stored.knobs).length ? ` (${knobsText(stored.knobs)})` : '';
    if (live?.status === 'failed') out.push('', st.dim('The last result before it:'));
    out.push(st.bold(head) + st.dim(tail), ...stored.lines.flatMap((l) => wrapText(l, width, st, '  ')));
    out.push(...predictionLines(lesson, index, lp, width, st));
    out.push('', st.dim(`space runs it again${step.knobs?.length ? '; k/K changes a knob first' : ''}.`));
  }
  if (live) {
    out.push('', ...metricsLines(live.metrics, width, st));
    const names = step.chart?.series ?? [];
    const hasData = names.some((n) => (live.series[n] ?? []).some(Number.isFinite));
    if (step.chart && hasData) {
      const chart = terminalLineChart({
        series: names.map((name) => ({ name, values: live.series[name] ?? [] })),
        width: Math.min(width, 100),
        height: CHART_HEIGHT,
        title: step.chart.title,
        yLabel: step.chart.yLabel,
        colors: st.mode === 'color',
      });
      out.push('', ...chart.split('\n'));
    }
    if (live.log.length) out.push('', ...live.log.flatMap((l) => wrapText(l, width, st)).map(st.dim));
  }
  return out;
}
