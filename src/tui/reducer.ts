// The lesson player's reducer: update(lessons, state, message) → [state, effects], pure. Navigation
// (menu, steps, scrolling), knobs, runs (start, live events, cancel, end → progress), checks (choose,
// answer once) and exercises (open, check results → progress, hint, solution after a pass, reset with
// confirmation). Side effects are returned as data for effects.ts to carry out.
import type { Lesson, RunEvent, RunStep } from './manifest.ts';
import {
  forgetExercise,
  markDone,
  recordCheck,
  recordExercisePass,
  recordRun,
  lessonSummary,
  visit,
} from './progress.ts';
import { defaultKnobs } from './run-step.ts';
import {
  ASYNC_MSGS,
  current,
  type Effect,
  type ExerciseView,
  type LiveRun,
  type Msg,
  type PlayerState,
  type Session,
} from './state.ts';

/** Chart points kept per series; beyond it every other point is dropped (the chart is ~100 columns). */
export const MAX_POINTS = 600;
const LOG_KEEP = 6;

type Out = [PlayerState, Effect[]];

const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));

function leaveStep(lessons: Lesson[], s: PlayerState): Effect[] {
  const c = current(lessons, s);
  return c?.step.kind === 'exercise' ? [{ kind: 'closeExercise' }] : [];
}

/** Moves the session to `step`: records the visit, completes prose, opens an exercise's workspace file. */
function enterStep(lessons: Lesson[], s: PlayerState, session: Session, step: number): Out {
  const lesson = lessons[session.lesson]!;
  const target = lesson.steps[step]!;
  let progress = visit(s.progress, lesson.id, step);
  if (target.kind === 'prose') progress = markDone(progress, lesson.id, step);
  const chosen = progress.lessons[lesson.id]?.checks[step];
  let seq = s.seq;
  let exercise: ExerciseView | undefined;
  const effects: Effect[] = [];
  if (target.kind === 'exercise') {
    seq += 1;
    exercise = {
      token: seq,
      created: false,
      status: 'preparing',
      message: '',
      watch: 'preparing',
      checks: 0,
      hint: false,
      showSolution: false,
      confirmReset: false,
    };
    effects.push({ kind: 'openExercise', token: seq, lesson: session.lesson, step });
  }
  const next: Session = { ...session, step, scroll: 0, knobFocus: 0, choice: chosen ?? 0, exercise };
  return [{ ...s, screen: 'lesson', session: next, progress, seq }, effects];
}

function knobsOf(session: Session, step: RunStep, index: number) {
  return { ...defaultKnobs(step), ...session.knobs[index] };
}

function applyEvents(live: LiveRun, events: RunEvent[], chart: string[]): LiveRun {
  let { step, total, metrics, log } = live;
  const series = Object.fromEntries(chart.map((name) => [name, [...(live.series[name] ?? [])]]));
  for (const e of events) {
    if (e.kind === 'log') {
      log = [...log, e.text].slice(-LOG_KEEP);
      continue;
    }
    step = e.step;
    total = e.total;
    if (!e.metrics) continue;
    metrics = { ...metrics, ...e.metrics };
    for (const name of chart) series[name]!.push(e.metrics[name] ?? NaN);
    if ((series[chart[0]!]?.length ?? 0) > MAX_POINTS)
      for (const name of chart) series[name] = series[name]!.filter((_, k) => k % 2 === 0);
  }
  return { ...live, step, total, metrics, log, series };
}

function withSession(s: PlayerState, f: (se: Session) => Session): PlayerState {
  return s.session ? { ...s, session: f(s.session) } : s;
}

function withExercise(s: PlayerState, token: number, f: (e: ExerciseView) => ExerciseView): PlayerState {
  const ex = s.session?.exercise;
  if (!ex || ex.token !== token) return s; // an answer for an exercise the learner has left
  return withSession(s, (se) => ({ ...se, exercise: f(ex) }));
}

export function update(lessons: Lesson[], state: PlayerState, msg: Msg): Out {
  let s = state;
  if (!ASYNC_MSGS.has(msg.kind)) {
    s = { ...s, notice: undefined };
    if (msg.kind !== 'reset' && s.session?.exercise?.confirmReset)
      s = withSession(s, (se) => ({ ...se, exercise: { ...se.exercise!, confirmReset: false } }));
  }
  const c = current(lessons, s);
  const se = s.session;
  const note = (text: string): Out => [{ ...s, notice: text }, []];

  switch (msg.kind) {
    case 'menuMove':
      return [{ ...s, menuCursor: clamp(s.menuCursor + msg.delta, 0, Math.max(0, lessons.length - 1)) }, []];

    case 'open': {
      const lesson = lessons[msg.lesson];
      if (!lesson) return note(`there is no lesson ${msg.lesson}`);
      const step = clamp(msg.step ?? lessonSummary(s.progress, lesson).resume, 0, lesson.steps.length - 1);
      const fresh: Session = { lesson: msg.lesson, step, scroll: 0, knobFocus: 0, knobs: {}, runs: {}, choice: 0 };
      const [next, effects] = enterStep(lessons, { ...s, menuCursor: msg.lesson }, fresh, step);
      return [next, [...leaveStep(lessons, s), ...effects]];
    }

    case 'menu':
    case 'quit': {
      const effects = leaveStep(lessons, s);
      const active = se?.active !== undefined ? se.runs[se.active] : undefined;
      if (active && (active.status === 'running' || active.status === 'cancelling'))
        effects.push({ kind: 'abortRun', token: active.token });
      if (msg.kind === 'quit') return [{ ...s, quit: true }, [...effects, { kind: 'exit' }]];
      return [{ ...s, screen: 'menu', session: undefined, menuCursor: se ? se.lesson : s.menuCursor }, effects];
    }

    case 'go': {
      if (!se || !c) return [s, []];
      const target = se.step + msg.delta;
      if (target < 0) return note('this is the first step');
      if (target >= c.lesson.steps.length) {
        // Past the last step: back to the menu, on the next lesson.
        const [menu, effects] = update(lessons, s, { kind: 'menu' });
        return [
          { ...menu, menuCursor: Math.min(se.lesson + 1, lessons.length - 1), notice: `finished '${c.lesson.title}'` },
          effects,
        ];
      }
      const [next, effects] = enterStep(lessons, s, se, target);
      return [next, [...leaveStep(lessons, s), ...effects]];
    }

    case 'scroll':
      return [withSession(s, (x) => ({ ...x, scroll: clamp(x.scroll + msg.delta, 0, Math.max(0, msg.max)) })), []];

    case 'knobFocus': {
      if (c?.step.kind !== 'run' || !se) return [s, []];
      const n = c.step.knobs?.length ?? 0;
      return [{ ...s, session: { ...se, knobFocus: n ? clamp(se.knobFocus + msg.delta, 0, n - 1) : 0 } }, []];
    }

    case 'knobCycle': {
      if (c?.step.kind !== 'run' || !se) return [s, []];
      const knob = c.step.knobs?.[se.knobFocus];
      if (!knob) return note('this run has no knobs');
      const values = knobsOf(se, c.step, se.step);
      const k = knob.values.indexOf(values[knob.name]!);
      const value = knob.values[(k + msg.delta + knob.values.length) % knob.values.length]!;
      return [{ ...s, session: { ...se, knobs: { ...se.knobs, [se.step]: { ...values, [knob.name]: value } } } }, []];
    }

    case 'startRun': {
      if (c?.step.kind !== 'run' || !se) return [s, []];
      if (se.active !== undefined) {
        return se.active === se.step
          ? note('the run is in progress (c cancels it)')
          : note(`step ${se.active + 1}'s run is still in progress (c cancels it)`);
      }
      const token = s.seq + 1;
      const live: LiveRun = { token, status: 'running', step: 0, total: 0, series: {}, metrics: {}, log: [] };
      const knobs = knobsOf(se, c.step, se.step);
      return [
        { ...s, seq: token, session: { ...se, active: se.step, scroll: 0, runs: { ...se.runs, [se.step]: live } } },
        [{ kind: 'run', token, lesson: se.lesson, step: se.step, knobs }],
      ];
    }

    case 'cancelRun': {
      const live = se?.active !== undefined ? se.runs[se.active] : undefined;
      if (!se || !live || live.status !== 'running') return [s, []];
      return [
        { ...s, session: { ...se, runs: { ...se.runs, [se.active!]: { ...live, status: 'cancelling' } } } },
        [{ kind: 'abortRun', token: live.token }],
      ];
    }

    case 'runEvents': {
      const live = se?.runs[msg.step];
      if (!se || !live || live.token !== msg.token) return [s, []];
      const step = lessons[se.lesson]!.steps[msg.step] as RunStep;
      return [
        {
          ...s,
          session: { ...se, runs: { ...se.runs, [msg.step]: applyEvents(live, msg.events, step.chart?.series ?? []) } },
        },
        [],
      ];
    }

    case 'runEnded': {
      const lesson = lessons[msg.lesson]!;
      const o = msg.outcome;
      let next = s;
      if (o.kind !== 'failed')
        next = {
          ...next,
          progress: recordRun(next.progress, lesson.id, msg.step, {
            ...o.result,
            knobs: msg.knobs,
            cancelled: o.kind === 'cancelled',
          }),
        };
      const live = se?.runs[msg.step];
      if (se && live && live.token === msg.token) {
        const status = o.kind === 'done' ? 'done' : o.kind === 'cancelled' ? 'cancelled' : 'failed';
        const ended: LiveRun = { ...live, status, error: o.kind === 'failed' ? o.message : undefined };
        next = { ...next, session: { ...se, active: undefined, runs: { ...se.runs, [msg.step]: ended } } };
      }
      return [next, []];
    }

    case 'choose':
    case 'pick':
    case 'submit': {
      if (c?.step.kind !== 'check' || !se) return [s, []];
      if (c.lp.checks[se.step] !== undefined)
        return msg.kind === 'choose' ? [s, []] : note('your answer is recorded (answers are final)');
      const n = c.step.options.length;
      if (msg.kind === 'choose')
        return [{ ...s, session: { ...se, choice: clamp(se.choice + msg.delta, 0, n - 1) } }, []];
      const choice = msg.kind === 'pick' ? msg.option : se.choice;
      if (choice < 0 || choice >= n) return note(`there are only ${n} options`);
      return [
        { ...s, progress: recordCheck(s.progress, c.lesson.id, se.step, choice), session: { ...se, choice } },
        [],
      ];
    }

    case 'exerciseReady':
      return [
        withExercise(s, msg.token, (e) => ({
          ...e,
          path: msg.path,
          created: msg.created,
          watch: msg.watch,
          watchNote: msg.note,
        })),
        [],
      ];

    case 'exerciseChecking':
      return [withExercise(s, msg.token, (e) => ({ ...e, status: 'checking' })), []];

    case 'exerciseResult': {
      // A pass is the learner's, even if they have moved on while it was being checked.
      const lesson = lessons[msg.lesson]!;
      const progress = msg.pass ? recordExercisePass(s.progress, lesson.id, msg.step) : s.progress;
      const next = withExercise({ ...s, progress }, msg.token, (e) => ({
        ...e,
        status: msg.pass ? 'pass' : 'fail',
        message: msg.message,
        checks: e.checks + 1,
      }));
      return [next, []];
    }

    case 'hint':
    case 'recheck':
    case 'solution':
    case 'reset': {
      const ex = se?.exercise;
      if (c?.step.kind !== 'exercise' || !se || !ex) return [s, []];
      const where = { token: ex.token, lesson: se.lesson, step: se.step };
      const set = (e: Partial<ExerciseView>): PlayerState => ({ ...s, session: { ...se, exercise: { ...ex, ...e } } });
      if (msg.kind === 'hint') return [set({ hint: !ex.hint }), []];
      if (ex.path === undefined) return note('the workspace file is not ready yet');
      if (msg.kind === 'recheck') return [set({ status: 'checking' }), [{ kind: 'checkExercise', ...where }]];
      if (msg.kind === 'solution') {
        if (ex.status !== 'pass' && !c.lp.exercises[se.step])
          return note('the solution opens once your code passes the check');
        return [
          set({ showSolution: !ex.showSolution }),
          ex.solution === undefined ? [{ kind: 'loadSolution', ...where }] : [],
        ];
      }
      if (!ex.confirmReset)
        return [
          {
            ...set({ confirmReset: true }),
            notice: `press x again to put the starter back in ${ex.path} (your edits are lost)`,
          },
          [],
        ];
      // As `tinyseek lesson N --reset S` does: the starter is back, so the step's pass is forgotten too.
      return [
        {
          ...set({ confirmReset: false, status: 'checking' }),
          progress: forgetExercise(s.progress, c.lesson.id, se.step),
          notice: 'the starter is back',
        },
        [{ kind: 'resetExercise', ...where }],
      ];
    }

    case 'solutionLoaded':
      return [withExercise(s, msg.token, (e) => ({ ...e, solution: msg.text })), []];

    case 'notice':
      return [{ ...s, notice: msg.text }, []];
  }
}
