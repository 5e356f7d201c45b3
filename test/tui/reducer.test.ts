// The player's state machine, as pure reducers: navigation, progress, runs, check outcomes, exercises.
import { describe, expect, it } from 'vitest';
import type { Lesson } from '../../src/tui/manifest.ts';
import { judge } from '../../src/tui/judge.ts';
import { emptyProgress, lessonProgress, visit, type Progress } from '../../src/tui/progress.ts';
import { MAX_POINTS, update } from '../../src/tui/reducer.ts';
import { initialState, type Effect, type Msg, type PlayerState } from '../../src/tui/state.ts';
import { demoLesson } from './fixtures/demo/index.ts';

const demo = demoLesson();
const other = demoLesson({ id: '43-other', number: 43, title: 'Other' });
const lessons: Lesson[] = [demo, other];

/** Applies messages in order; returns the final state and every effect produced. */
function play(msgs: Msg[], from: PlayerState = initialState(lessons, emptyProgress())) {
  let s = from;
  const effects: Effect[] = [];
  for (const m of msgs) {
    const [next, e] = update(lessons, s, m);
    s = next;
    effects.push(...e);
  }
  return { s, effects, lp: lessonProgress(s.progress, demo.id) };
}

const open: Msg = { kind: 'open', lesson: 0 };
const next: Msg = { kind: 'go', delta: 1 };
const prev: Msg = { kind: 'go', delta: -1 };
const at = (step: number): Msg => ({ kind: 'open', lesson: 0, step });

describe('navigation', () => {
  it('starts on the menu, on the lesson opened last', () => {
    const p: Progress = { ...emptyProgress(), last: '43-other' };
    expect(initialState(lessons, p)).toMatchObject({ screen: 'menu', menuCursor: 1 });
    expect(initialState(lessons, emptyProgress()).menuCursor).toBe(0);
  });

  it('moves the menu cursor within the list', () => {
    expect(
      play([
        { kind: 'menuMove', delta: 1 },
        { kind: 'menuMove', delta: 1 },
      ]).s.menuCursor,
    ).toBe(1);
    expect(play([{ kind: 'menuMove', delta: -1 }]).s.menuCursor).toBe(0);
  });

  it('opens a lesson at its first step, then resumes where the learner left it', () => {
    const first = play([open]);
    expect(first.s).toMatchObject({ screen: 'lesson', session: { lesson: 0, step: 0 } });
    const left = play([open, next, next, { kind: 'menu' }]);
    expect(left.s.screen).toBe('menu');
    expect(play([open], left.s).s.session?.step).toBe(2);
  });

  it('records the resume point, the furthest step and the last lesson', () => {
    const { lp, s } = play([open, next, next, prev]);
    expect(lp).toMatchObject({ step: 1, furthest: 2 });
    expect(s.progress.last).toBe(demo.id);
  });

  it('completes a prose step by visiting it, and nothing else by visiting', () => {
    expect(play([open, next, next, next]).lp.done).toEqual([0]);
  });

  it('says so at the first step instead of moving', () => {
    const { s } = play([open, prev]);
    expect(s.session?.step).toBe(0);
    expect(s.notice).toMatch(/first step/);
  });

  it('goes back to the menu, on the next lesson, after the last step', () => {
    const { s } = play([at(4), next]);
    expect(s).toMatchObject({ screen: 'menu', menuCursor: 1 });
    expect(s.notice).toMatch(/finished 'Demo'/);
  });

  it('clears the notice on the next key', () => {
    expect(play([open, prev, next]).s.notice).toBeUndefined();
  });

  it('scrolls within the limit the view gives', () => {
    const { s } = play([open, { kind: 'scroll', delta: 5, max: 3 }]);
    expect(s.session?.scroll).toBe(3);
    expect(play([{ kind: 'scroll', delta: -10, max: 3 }], s).s.session?.scroll).toBe(0);
  });

  it('quits with an exit effect', () => {
    const { s, effects } = play([open, { kind: 'quit' }]);
    expect(s.quit).toBe(true);
    expect(effects.at(-1)).toEqual({ kind: 'exit' });
  });
});

describe('knobs', () => {
  it('cycle forward and backward through the focused knob, wrapping', () => {
    const k = (delta: number): Msg => ({ kind: 'knobCycle', delta });
    expect(play([at(2), k(1)]).s.session?.knobs[2]).toEqual({ steps: 8, mode: 'a' });
    expect(play([at(2), k(1), k(1)]).s.session?.knobs[2]?.['steps']).toBe(3);
    expect(play([at(2), k(-1)]).s.session?.knobs[2]?.['steps']).toBe(3);
  });

  it('change the knob that has the focus', () => {
    const { s } = play([at(2), { kind: 'knobFocus', delta: 1 }, { kind: 'knobCycle', delta: 1 }]);
    expect(s.session?.knobs[2]).toEqual({ steps: 5, mode: 'b' });
    expect(play([at(2), { kind: 'knobFocus', delta: 5 }]).s.session?.knobFocus).toBe(1);
  });

  it('are passed to the run', () => {
    const { effects } = play([at(2), { kind: 'knobCycle', delta: 1 }, { kind: 'startRun' }]);
    expect(effects).toContainEqual({ kind: 'run', token: 1, lesson: 0, step: 2, knobs: { steps: 8, mode: 'a' } });
  });
});

describe('runs', () => {
  const started = () => play([at(2), { kind: 'startRun' }]);
  const events = (token: number, n: number): Msg => ({
    kind: 'runEvents',
    token,
    step: 2,
    events: Array.from({ length: n }, (_, i) => ({
      kind: 'progress' as const,
      step: i + 1,
      total: n,
      metrics: { loss: 1 / (i + 1), acc: 0.5 },
    })),
  });
  const ended = (token: number, kind: 'done' | 'cancelled'): Msg => ({
    kind: 'runEnded',
    token,
    lesson: 0,
    step: 2,
    knobs: { steps: 5, mode: 'a' },
    outcome: { kind, result: { metrics: { loss: 0.2 }, lines: ['counted to 5'] } },
  });

  it('start with a run effect and a live view', () => {
    const { s, effects } = started();
    expect(effects).toEqual([{ kind: 'run', token: 1, lesson: 0, step: 2, knobs: { steps: 5, mode: 'a' } }]);
    expect(s.session?.runs[2]?.status).toBe('running');
    expect(s.session?.active).toBe(2);
  });

  it('collect progress, the latest metrics, chart series and log lines', () => {
    const { s } = play(
      [events(1, 3), { kind: 'runEvents', token: 1, step: 2, events: [{ kind: 'log', text: 'hello' }] }],
      started().s,
    );
    const live = s.session!.runs[2]!;
    expect(live).toMatchObject({ step: 3, total: 3, metrics: { loss: 1 / 3, acc: 0.5 }, log: ['hello'] });
    expect(live.series['loss']).toEqual([1, 1 / 2, 1 / 3]);
  });

  it('keep at most MAX_POINTS chart points by dropping every other one', () => {
    const { s } = play([events(1, MAX_POINTS + 1)], started().s);
    const loss = s.session!.runs[2]!.series['loss']!;
    expect(loss.length).toBeLessThanOrEqual(MAX_POINTS);
    expect(loss[0]).toBe(1);
    expect(loss[1]).toBe(1 / 3);
  });

  it('ignore events from a run the player no longer shows', () => {
    const { s } = play([events(99, 3)], started().s);
    expect(s.session?.runs[2]?.step).toBe(0);
  });

  it('keep the result in progress and complete the step when done', () => {
    const { s, lp } = play([ended(1, 'done')], started().s);
    expect(s.session?.runs[2]?.status).toBe('done');
    expect(s.session?.active).toBeUndefined();
    expect(lp.runs[2]).toEqual({
      metrics: { loss: 0.2 },
      lines: ['counted to 5'],
      knobs: { steps: 5, mode: 'a' },
      cancelled: false,
    });
    expect(lp.done).toContain(2);
  });

  it('cancel with an abort effect, and keep what was measured without completing the step', () => {
    const cancelling = play([{ kind: 'cancelRun' }], started().s);
    expect(cancelling.effects).toEqual([{ kind: 'abortRun', token: 1 }]);
    expect(cancelling.s.session?.runs[2]?.status).toBe('cancelling');
    const { s, lp } = play([ended(1, 'cancelled')], cancelling.s);
    expect(s.session?.runs[2]?.status).toBe('cancelled');
    expect(lp.runs[2]?.cancelled).toBe(true);
    expect(lp.done).not.toContain(2);
  });

  it('show a failure without touching progress', () => {
    const { s, lp } = play(
      [{ kind: 'runEnded', token: 1, lesson: 0, step: 2, knobs: {}, outcome: { kind: 'failed', message: 'boom' } }],
      started().s,
    );
    expect(s.session?.runs[2]).toMatchObject({ status: 'failed', error: 'boom' });
    expect(lp.runs[2]).toBeUndefined();
  });

  it('run one at a time', () => {
    const { s, effects } = play([{ kind: 'startRun' }], started().s);
    expect(effects).toEqual([]);
    expect(s.notice).toMatch(/in progress/);
  });

  it('are cancelled when the learner leaves the lesson', () => {
    expect(play([{ kind: 'menu' }], started().s).effects).toContainEqual({ kind: 'abortRun', token: 1 });
  });

  it('keep running while the learner moves between steps', () => {
    const { s, effects } = play([prev, events(1, 2)], started().s);
    expect(effects).not.toContainEqual(expect.objectContaining({ kind: 'abortRun' }));
    expect(s.session?.runs[2]?.step).toBe(2);
  });
});

describe('checks', () => {
  it('move the highlight within the options and record the first answer', () => {
    const { s, lp } = play([at(3), { kind: 'choose', delta: 1 }, { kind: 'choose', delta: 5 }, { kind: 'submit' }]);
    expect(lp.checks[3]).toBe(2);
    expect(lp.done).toContain(3);
    expect(judge(demo, 3, lp)).toMatchObject({ state: 'judged', right: false, correct: 1 });
    const again = play([{ kind: 'pick', option: 1 }], s);
    expect(lessonProgress(again.s.progress, demo.id).checks[3]).toBe(2);
    expect(again.s.notice).toMatch(/final/);
  });

  it('pick an option by number', () => {
    const { lp } = play([at(3), { kind: 'pick', option: 1 }]);
    expect(judge(demo, 3, lp)).toMatchObject({ state: 'judged', right: true });
  });

  it('refuse an option that does not exist', () => {
    const { s, lp } = play([at(3), { kind: 'pick', option: 7 }]);
    expect(lp.checks[3]).toBeUndefined();
    expect(s.notice).toMatch(/only 3 options/);
  });

  it('keep a prediction pending until its run finishes, then judge it by the result', () => {
    const predicted = play([at(1), { kind: 'pick', option: 0 }]);
    expect(judge(demo, 1, predicted.lp)).toEqual({ state: 'pending', choice: 0, runStep: 2 });
    const ran = play(
      [
        next,
        { kind: 'startRun' },
        {
          kind: 'runEnded',
          token: 1,
          lesson: 0,
          step: 2,
          knobs: {},
          outcome: { kind: 'done', result: { metrics: { loss: 0.2 }, lines: [] } },
        },
      ],
      predicted.s,
    );
    expect(judge(demo, 1, ran.lp)).toMatchObject({ state: 'judged', right: true, explain: 'The loss is 1/steps.' });
  });

  it('are not judged by a cancelled run', () => {
    const { lp } = play([
      at(1),
      { kind: 'pick', option: 1 },
      next,
      { kind: 'startRun' },
      {
        kind: 'runEnded',
        token: 1,
        lesson: 0,
        step: 2,
        knobs: {},
        outcome: { kind: 'cancelled', result: { metrics: { loss: 0.9 }, lines: [] } },
      },
    ]);
    expect(judge(demo, 1, lp).state).toBe('pending');
  });
});

describe('exercises', () => {
  const opened = () => play([at(4)]);

  it('open the workspace file on entering the step and close it on leaving', () => {
    const { s, effects } = opened();
    expect(effects).toEqual([{ kind: 'openExercise', token: 1, lesson: 0, step: 4 }]);
    expect(s.session?.exercise).toMatchObject({ token: 1, status: 'preparing' });
    expect(play([prev], s).effects).toContainEqual({ kind: 'closeExercise' });
  });

  it('show check results and record a pass', () => {
    const ready = play(
      [{ kind: 'exerciseReady', token: 1, path: '/w/double.ts', created: true, watch: 'watching' }],
      opened().s,
    );
    const failed = play(
      [{ kind: 'exerciseResult', token: 1, lesson: 0, step: 4, pass: false, message: 'double(1) returned 1' }],
      ready.s,
    );
    expect(failed.s.session?.exercise).toMatchObject({ status: 'fail', message: 'double(1) returned 1', checks: 1 });
    expect(failed.lp.exercises[4]).toBeUndefined();
    const passed = play(
      [{ kind: 'exerciseResult', token: 1, lesson: 0, step: 4, pass: true, message: 'ok' }],
      failed.s,
    );
    expect(passed.s.session?.exercise?.status).toBe('pass');
    expect(passed.lp.exercises[4]).toBe(true);
    expect(passed.lp.done).toContain(4);
  });

  it('record a pass that arrives after the learner moved on, without showing it', () => {
    const { s, lp } = play(
      [prev, { kind: 'exerciseResult', token: 1, lesson: 0, step: 4, pass: true, message: 'ok' }],
      opened().s,
    );
    expect(s.session?.exercise).toBeUndefined();
    expect(lp.exercises[4]).toBe(true);
  });

  it('re-check on r once the file is ready', () => {
    expect(play([{ kind: 'recheck' }], opened().s).effects).toEqual([]);
    const ready = play(
      [{ kind: 'exerciseReady', token: 1, path: '/w/double.ts', created: true, watch: 'manual' }],
      opened().s,
    );
    expect(play([{ kind: 'recheck' }], ready.s).effects).toEqual([
      { kind: 'checkExercise', token: 1, lesson: 0, step: 4 },
    ]);
  });

  it('toggle the hint', () => {
    const { s } = play([{ kind: 'hint' }], opened().s);
    expect(s.session?.exercise?.hint).toBe(true);
    expect(play([{ kind: 'hint' }], s).s.session?.exercise?.hint).toBe(false);
  });

  it('show the solution only after a pass', () => {
    const ready = play(
      [{ kind: 'exerciseReady', token: 1, path: '/w/double.ts', created: true, watch: 'manual' }],
      opened().s,
    );
    const early = play([{ kind: 'solution' }], ready.s);
    expect(early.s.session?.exercise?.showSolution).toBe(false);
    expect(early.s.notice).toMatch(/once your code passes/);
    const passed = play(
      [{ kind: 'exerciseResult', token: 1, lesson: 0, step: 4, pass: true, message: 'ok' }, { kind: 'solution' }],
      ready.s,
    );
    expect(passed.s.session?.exercise?.showSolution).toBe(true);
    expect(passed.effects).toEqual([{ kind: 'loadSolution', token: 1, lesson: 0, step: 4 }]);
  });

  it('show the solution to a learner who passed in an earlier session', () => {
    const p = { ...visit(emptyProgress(), demo.id, 4) };
    p.lessons[demo.id] = { ...p.lessons[demo.id]!, exercises: { 4: true }, done: [4] };
    const s0 = play(
      [at(4), { kind: 'exerciseReady', token: 1, path: '/w/double.ts', created: false, watch: 'manual' }],
      initialState(lessons, p),
    ).s;
    expect(play([{ kind: 'solution' }], s0).s.session?.exercise?.showSolution).toBe(true);
  });

  it('reset the file only when x is pressed twice in a row', () => {
    const ready = play(
      [{ kind: 'exerciseReady', token: 1, path: '/w/double.ts', created: false, watch: 'manual' }],
      opened().s,
    );
    const once = play([{ kind: 'reset' }], ready.s);
    expect(once.effects).toEqual([]);
    expect(once.s.notice).toMatch(/press x again/);
    expect(play([{ kind: 'hint' }, { kind: 'reset' }], once.s).effects).toEqual([]);
    expect(play([{ kind: 'reset' }], once.s).effects).toEqual([
      { kind: 'resetExercise', token: 1, lesson: 0, step: 4 },
    ]);
  });

  it("forget the exercise's pass when its file is reset, as lesson N --reset S does", () => {
    const passed = play(
      [
        { kind: 'exerciseReady', token: 1, path: '/w/double.ts', created: false, watch: 'manual' },
        { kind: 'exerciseResult', token: 1, lesson: 0, step: 4, pass: true, message: 'ok' },
      ],
      opened().s,
    ).s;
    expect(passed.progress.lessons[demo.id]!.exercises[4]).toBe(true);
    const reset = play([{ kind: 'reset' }, { kind: 'reset' }], passed).s;
    expect(reset.progress.lessons[demo.id]!.exercises[4]).toBeUndefined();
    expect(reset.progress.lessons[demo.id]!.done).not.toContain(4);
  });

  it('ignore answers for an exercise view that was closed', () => {
    const reopened = play([prev, next], opened().s);
    const { s } = play(
      [{ kind: 'exerciseResult', token: 1, lesson: 0, step: 4, pass: false, message: 'old' }],
      reopened.s,
    );
    expect(s.session?.exercise).toMatchObject({ token: 2, status: 'preparing' });
  });
});
