// A whole player screen as three groups of lines: header (where you are, step markers), body (the menu
// or the current step; scrollable) and footer (the notice line and the key help, always visible). The
// ink view only slices the body to the terminal's height and prints; everything else is decided here.
import type { Lesson } from '../manifest.ts';
import type { HiddenLesson } from '../catalog.ts';
import { keyHelp, type Viewport } from '../keys.ts';
import { renderMarkdown } from '../markdown.ts';
import { current, type PlayerState } from '../state.ts';
import type { Styler } from '../style.ts';
import { checkBody } from './check.ts';
import { exerciseBody } from './exercise.ts';
import { menuLines } from './menu.ts';
import { runBody } from './run.ts';

export interface Screen {
  header: string[];
  body: string[];
  footer(view: Viewport): string[];
}

/** `●●◉○○○`: done, current, to do (`x x > . . .` without escapes). */
function stepMarkers(total: number, done: number[], at: number, st: Styler): string {
  const plain = st.mode === 'none';
  return Array.from({ length: total }, (_, k) => {
    if (k === at) return st.fg('cyan', plain ? '>' : '◉');
    return done.includes(k) ? st.fg('green', plain ? 'x' : '●') : st.dim(plain ? '.' : '○');
  }).join(plain ? ' ' : '');
}

/** Key help entries joined with ' · ', wrapped to the width. */
export function helpLines(entries: string[], width: number, st: Styler): string[] {
  const lines: string[] = [];
  let line = '';
  for (const e of entries) {
    const next = line ? `${line} · ${e}` : e;
    if ([...next].length > width && line) {
      lines.push(line);
      line = e;
    } else line = next;
  }
  if (line) lines.push(line);
  return lines.map(st.dim);
}

export function screen(lessons: Lesson[], hidden: HiddenLesson[], s: PlayerState, width: number, st: Styler): Screen {
  const rule = st.dim('─'.repeat(width));
  const footer = (view: Viewport) => [
    rule,
    ...(s.notice ? [st.fg('yellow', s.notice)] : []),
    ...helpLines(keyHelp(lessons, s, view), width, st),
  ];
  const c = current(lessons, s);
  if (s.screen === 'menu' || !c || !s.session) {
    return {
      header: [st.bold('tinyseek') + st.dim(' — DeepSeek-V3 and R1 in miniature'), rule],
      body: menuLines(lessons, hidden, s.progress, s.menuCursor, width, st),
      footer,
    };
  }
  const { lesson, step, index, lp } = c;
  const where = `${String(lesson.number).padStart(2, '0')} ${lesson.title} · step ${index + 1}/${lesson.steps.length} (${step.kind})`;
  const header = [
    `${st.bold(where)}  ${stepMarkers(lesson.steps.length, lp.done, index, st)}`,
    st.bold(st.fg('cyan', step.title)),
    rule,
  ];
  let body: string[];
  switch (step.kind) {
    case 'prose':
      body = renderMarkdown(step.markdown, width, st);
      break;
    case 'run':
      body = runBody(lesson, index, s.session, lp, width, st);
      break;
    case 'check':
      body = checkBody(lesson, index, s.session.choice, lp, width, st);
      break;
    case 'exercise':
      body = exerciseBody(lesson, index, s.session.exercise, lp, width, st);
      break;
  }
  return { header, body, footer };
}
