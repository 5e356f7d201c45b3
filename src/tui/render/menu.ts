// The lesson menu as lines: one row per lesson with its progress, the chosen lesson's summary below, and a
// note about lessons that appear once their modules are built. Also the plain list `tinyseek lessons`
// prints, so the two never disagree.
import type { Lesson } from '../manifest.ts';
import type { HiddenLesson } from '../catalog.ts';
import { lessonSummary, type Progress } from '../progress.ts';
import { padEnd, type Styler } from '../style.ts';
import { wrapText } from './common.ts';

/** `▰▰▰▱▱▱ 3/6`, `✓ done` or `not started`. */
export function progressBadge(p: Progress, lesson: Lesson, st: Styler): string {
  const s = lessonSummary(p, lesson);
  if (s.complete) return st.fg('green', st.mode === 'none' ? 'done' : '✓ done');
  if (!s.started) return st.dim('not started');
  const cells = Math.min(10, s.total);
  const full = Math.round((s.done / s.total) * cells);
  const bar = st.mode === 'none' ? '' : st.fg('cyan', '▰'.repeat(full)) + st.dim('▱'.repeat(cells - full)) + ' ';
  return `${bar}${s.done}/${s.total} steps`;
}

const num = (l: Lesson) => String(l.number).padStart(2, '0');

/** The whole course at a glance: `2 of 12 lessons done · 31 of 96 steps`. */
export function overall(lessons: Lesson[], p: Progress): string {
  const all = lessons.map((l) => lessonSummary(p, l));
  const sum = (f: (s: (typeof all)[number]) => number) => all.reduce((a, s) => a + f(s), 0);
  return `${sum((s) => (s.complete ? 1 : 0))} of ${lessons.length} lessons done · ${sum((s) => s.done)} of ${sum((s) => s.total)} steps`;
}

function hiddenNote(hidden: HiddenLesson[], width: number, st: Styler): string[] {
  if (!hidden.length) return [];
  const names = hidden.map((h) => `${num(h.lesson)} ${h.lesson.title} (needs ${h.missing.join(', ')})`);
  return [
    '',
    ...wrapText(
      `${hidden.length === 1 ? 'One more lesson appears' : `${hidden.length} more lessons appear`} once their modules are built: ${names.join('; ')}.`,
      width,
      st,
    ).map(st.dim),
  ];
}

export function menuLines(
  lessons: Lesson[],
  hidden: HiddenLesson[],
  p: Progress,
  cursor: number,
  width: number,
  st: Styler,
): string[] {
  const out = [st.bold('Lessons') + (lessons.length ? `  ${st.dim(overall(lessons, p))}` : ''), ''];
  if (!lessons.length) out.push('No lessons are available yet.');
  const titleWidth = Math.max(0, ...lessons.map((l) => [...l.title].length));
  lessons.forEach((l, i) => {
    const on = i === cursor;
    const marker = on ? st.fg('cyan', '›') : ' ';
    const title = padEnd(on ? st.bold(l.title) : l.title, titleWidth);
    out.push(`${marker} ${num(l)}  ${title}  ${progressBadge(p, l, st)}`);
  });
  const chosen = lessons[cursor];
  if (chosen) out.push('', ...wrapText(chosen.summary, width, st, '  '));
  out.push(...hiddenNote(hidden, width, st));
  return out;
}

/** The non-interactive list: `tinyseek lessons --list`, and `tinyseek start` when not in a terminal. */
export function listText(
  lessons: Lesson[],
  hidden: HiddenLesson[],
  p: Progress,
  progressFile: string,
  width: number,
  st: Styler,
): string {
  const out = [`tinyseek lessons (progress: ${progressFile})`, ...(lessons.length ? [overall(lessons, p)] : []), ''];
  if (!lessons.length) out.push('  No lessons are available yet.');
  for (const l of lessons) {
    out.push(`  ${num(l)}  ${l.title}  [${progressBadge(p, l, st)}]`);
    out.push(...wrapText(l.summary, width, st, '      '));
  }
  out.push(...hiddenNote(hidden, width, st));
  const first = lessons[0]?.number ?? 0;
  out.push(
    '',
    'Run one:',
    `  tinyseek lesson ${first}            the interactive player (in a terminal; also: npm start)`,
    `  tinyseek lesson ${first} --plain    the lesson as text, its runs with plain progress (CI, screen readers)`,
  );
  return out.join('\n') + '\n';
}
