// Keys → messages, and the key help shown at the bottom of every screen. Both depend only on the state,
// so the help always lists exactly the keys that do something right now.
//   everywhere in a lesson: ←/→ or p/n step, PgUp/PgDn scroll, m menu, q quit
//   menu: ↑/↓ choose, Enter open      run: space/Enter run, k/K knob value, ↑/↓ which knob, c/Esc cancel
//   check: ↑/↓ choose, Enter answer, 1-9 pick      exercise: r re-check, h hint, s solution, x reset file
import type { Lesson } from './manifest.ts';
import { current, type Msg, type PlayerState } from './state.ts';

/** A key press, normalized: 'up' 'down' 'left' 'right' 'enter' 'escape' 'space' 'tab' 'pageup' 'pagedown' 'home' 'end', or the character typed. */
export type KeyName = string;

/** What the view knows that a key needs: the body's height and how far it can scroll. */
export interface Viewport {
  page: number;
  maxScroll: number;
}

export function keyToMsg(lessons: Lesson[], s: PlayerState, key: KeyName, view: Viewport): Msg | undefined {
  if (key === 'q') return { kind: 'quit' };
  const c = current(lessons, s);
  if (s.screen === 'menu' || !c || !s.session) {
    if (key === 'up') return { kind: 'menuMove', delta: -1 };
    if (key === 'down') return { kind: 'menuMove', delta: 1 };
    if ((key === 'enter' || key === 'right' || key === 'space') && lessons.length)
      return { kind: 'open', lesson: s.menuCursor };
    return undefined;
  }
  const se = s.session;
  switch (key) {
    case 'left':
    case 'p':
      return { kind: 'go', delta: -1 };
    case 'right':
    case 'n':
      return { kind: 'go', delta: 1 };
    case 'm':
      return { kind: 'menu' };
    case 'pageup':
      return { kind: 'scroll', delta: -Math.max(1, view.page - 1), max: view.maxScroll };
    case 'pagedown':
      return { kind: 'scroll', delta: Math.max(1, view.page - 1), max: view.maxScroll };
    case 'home':
      return { kind: 'scroll', delta: -Infinity, max: view.maxScroll };
    case 'end':
      return { kind: 'scroll', delta: Infinity, max: view.maxScroll };
    case 'c':
    case 'escape':
      return { kind: 'cancelRun' };
  }
  const scrollBy = (delta: number): Msg => ({ kind: 'scroll', delta, max: view.maxScroll });
  switch (c.step.kind) {
    case 'prose':
      if (key === 'up') return scrollBy(-1);
      if (key === 'down' || key === 'space') return scrollBy(key === 'space' ? Math.max(1, view.page - 1) : 1);
      if (key === 'enter') return { kind: 'go', delta: 1 };
      return undefined;
    case 'run': {
      const knobs = c.step.knobs?.length ?? 0;
      if (key === 'space' || key === 'enter') return { kind: 'startRun' };
      if (key === 'k') return { kind: 'knobCycle', delta: 1 };
      if (key === 'K') return { kind: 'knobCycle', delta: -1 };
      if (key === 'tab') return { kind: 'knobFocus', delta: se.knobFocus + 1 < knobs ? 1 : -se.knobFocus };
      if (key === 'up') return knobs > 1 ? { kind: 'knobFocus', delta: -1 } : scrollBy(-1);
      if (key === 'down') return knobs > 1 ? { kind: 'knobFocus', delta: 1 } : scrollBy(1);
      return undefined;
    }
    case 'check': {
      if (key === 'up') return { kind: 'choose', delta: -1 };
      if (key === 'down') return { kind: 'choose', delta: 1 };
      if (key === 'enter' || key === 'space')
        return c.lp.checks[se.step] === undefined ? { kind: 'submit' } : { kind: 'go', delta: 1 };
      if (/^[1-9]$/.test(key)) return { kind: 'pick', option: Number(key) - 1 };
      return undefined;
    }
    case 'exercise':
      if (key === 'r') return { kind: 'recheck' };
      if (key === 'h') return { kind: 'hint' };
      if (key === 's') return { kind: 'solution' };
      if (key === 'x') return { kind: 'reset' };
      if (key === 'up') return scrollBy(-1);
      if (key === 'down') return scrollBy(1);
      return undefined;
  }
}

/** The key help for the current screen, most specific first. */
export function keyHelp(lessons: Lesson[], s: PlayerState, view: Viewport): string[] {
  const c = current(lessons, s);
  if (s.screen === 'menu' || !c || !s.session) return ['↑/↓ choose', 'Enter open', 'q quit'];
  const se = s.session;
  const help: string[] = [];
  switch (c.step.kind) {
    case 'prose':
      if (view.maxScroll > 0) help.push('↑/↓ scroll');
      break;
    case 'run': {
      const live = se.runs[se.step];
      const running = live?.status === 'running' || live?.status === 'cancelling';
      const knobs = c.step.knobs?.length ?? 0;
      if (running) help.push('c/Esc cancel');
      else help.push(live || c.lp.runs[se.step] ? 'space/Enter run again' : 'space/Enter run');
      if (knobs) help.push('k/K knob value');
      if (knobs > 1) help.push('↑/↓ or Tab pick knob');
      break;
    }
    case 'check':
      if (c.lp.checks[se.step] === undefined)
        help.push('↑/↓ choose', 'Enter answer', `1-${c.step.options.length} pick`);
      break;
    case 'exercise': {
      const passed = se.exercise?.status === 'pass' || c.lp.exercises[se.step];
      help.push('r re-check', se.exercise?.hint ? 'h hide hint' : 'h hint');
      if (passed) help.push(se.exercise?.showSolution ? 's hide solution' : 's solution');
      help.push('x reset file');
      break;
    }
  }
  if (se.active !== undefined && se.active !== se.step) help.push('c cancel run');
  if (view.maxScroll > 0) help.push('PgUp/PgDn scroll');
  help.push('←/→ or p/n step', 'm menu', 'q quit');
  return help;
}
