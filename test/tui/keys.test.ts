// Keys → messages, and the key help: the help lists exactly what works on the current screen.
import { describe, expect, it } from 'vitest';
import { keyHelp, keyToMsg, type Viewport } from '../../src/tui/keys.ts';
import { emptyProgress } from '../../src/tui/progress.ts';
import { update } from '../../src/tui/reducer.ts';
import { initialState, type Msg, type PlayerState } from '../../src/tui/state.ts';
import { demoLesson } from './fixtures/demo/index.ts';

const lessons = [demoLesson()];
const view: Viewport = { page: 10, maxScroll: 0 };
const menu = initialState(lessons, emptyProgress());
const atStep = (step: number, ...more: Msg[]): PlayerState =>
  [{ kind: 'open', lesson: 0, step } as Msg, ...more].reduce((s, m) => update(lessons, s, m)[0], menu);
const key = (s: PlayerState, k: string, v = view) => keyToMsg(lessons, s, k, v);

describe('keys', () => {
  it('work the menu with arrows and Enter, and q quits anywhere', () => {
    expect(key(menu, 'down')).toEqual({ kind: 'menuMove', delta: 1 });
    expect(key(menu, 'up')).toEqual({ kind: 'menuMove', delta: -1 });
    expect(key(menu, 'enter')).toEqual({ kind: 'open', lesson: 0 });
    expect(key(menu, 'q')).toEqual({ kind: 'quit' });
    expect(key(atStep(2), 'q')).toEqual({ kind: 'quit' });
  });

  it('step with ←/→ and p/n, and m opens the menu', () => {
    const s = atStep(1);
    for (const [k, delta] of [
      ['left', -1],
      ['p', -1],
      ['right', 1],
      ['n', 1],
    ] as const)
      expect(key(s, k)).toEqual({ kind: 'go', delta });
    expect(key(s, 'm')).toEqual({ kind: 'menu' });
  });

  it('page the body with PgUp/PgDn, within the view', () => {
    const v = { page: 10, maxScroll: 30 };
    expect(key(atStep(0), 'pagedown', v)).toEqual({ kind: 'scroll', delta: 9, max: 30 });
    expect(key(atStep(0), 'pageup', v)).toEqual({ kind: 'scroll', delta: -9, max: 30 });
  });

  it('run, cycle knobs and cancel on a run step', () => {
    const s = atStep(2);
    expect(key(s, 'space')).toEqual({ kind: 'startRun' });
    expect(key(s, 'enter')).toEqual({ kind: 'startRun' });
    expect(key(s, 'k')).toEqual({ kind: 'knobCycle', delta: 1 });
    expect(key(s, 'K')).toEqual({ kind: 'knobCycle', delta: -1 });
    expect(key(s, 'down')).toEqual({ kind: 'knobFocus', delta: 1 });
    expect(key(s, 'c')).toEqual({ kind: 'cancelRun' });
    expect(key(s, 'escape')).toEqual({ kind: 'cancelRun' });
  });

  it('choose, answer and pick by number on a check', () => {
    const s = atStep(3);
    expect(key(s, 'down')).toEqual({ kind: 'choose', delta: 1 });
    expect(key(s, 'enter')).toEqual({ kind: 'submit' });
    expect(key(s, '2')).toEqual({ kind: 'pick', option: 1 });
    expect(key(atStep(3, { kind: 'submit' }), 'enter')).toEqual({ kind: 'go', delta: 1 });
  });

  it('re-check, hint, solution and reset on an exercise', () => {
    const s = atStep(4);
    expect(key(s, 'r')).toEqual({ kind: 'recheck' });
    expect(key(s, 'h')).toEqual({ kind: 'hint' });
    expect(key(s, 's')).toEqual({ kind: 'solution' });
    expect(key(s, 'x')).toEqual({ kind: 'reset' });
  });

  it('ignore keys that mean nothing here', () => {
    expect(key(atStep(0), 'k')).toBeUndefined();
    expect(key(menu, 'z')).toBeUndefined();
  });
});

describe('key help', () => {
  const help = (s: PlayerState, v = view) => keyHelp(lessons, s, v).join(' · ');

  it('always offers quit, and in a lesson the step keys and the menu', () => {
    expect(help(menu)).toBe('↑/↓ choose · Enter open · q quit');
    for (const step of [0, 1, 2, 3, 4]) expect(help(atStep(step))).toMatch(/←\/→ or p\/n step · m menu · q quit$/);
  });

  it('follows the state of a run step', () => {
    expect(help(atStep(2))).toMatch(/^space\/Enter run · k\/K knob value · ↑\/↓ or Tab pick knob/);
    expect(help(atStep(2, { kind: 'startRun' }))).toMatch(/^c\/Esc cancel/);
  });

  it('offers the solution only after a pass', () => {
    const opened = atStep(4);
    expect(help(opened)).toBe('r re-check · h hint · x reset file · ←/→ or p/n step · m menu · q quit');
    const passed = update(lessons, opened, {
      kind: 'exerciseResult',
      token: 1,
      lesson: 0,
      step: 4,
      pass: true,
      message: '',
    })[0];
    expect(help(passed)).toMatch(/s solution/);
  });

  it('mentions scrolling only when there is more to see', () => {
    expect(help(atStep(0), { page: 5, maxScroll: 4 })).toMatch(/PgUp\/PgDn scroll/);
    expect(help(atStep(0))).not.toMatch(/scroll/);
  });
});
