// The lesson player's state, messages and effects, as plain data (Elm-style). The reducer (reducer.ts)
// is a pure function (lessons, state, message) → (state, effects); effects.ts carries out the effects
// (runs, file watching, loading files) and answers with more messages. Everything a test needs to drive
// the player — navigation, progress, check outcomes, run results — goes through these types.
import type { KnobValue, Lesson, RunEvent } from './manifest.ts';
import { lessonProgress, type Progress } from './progress.ts';
import type { RunOutcome } from './run-step.ts';

export type RunStatus = 'running' | 'cancelling' | 'done' | 'cancelled' | 'failed';

/** A run as the player shows it while (and right after) it happens; the result itself goes to progress. */
export interface LiveRun {
  token: number;
  status: RunStatus;
  /** Last progress event's step and total. */
  step: number;
  total: number;
  /** Chart data: one value per progress event for every metric named in the step's chart. */
  series: Record<string, number[]>;
  /** The latest value of every metric reported. */
  metrics: Record<string, number>;
  /** The last few log lines. */
  log: string[];
  error?: string;
}

export type WatchState = 'preparing' | 'watching' | 'manual' | 'failed';

export interface ExerciseView {
  token: number;
  /** The learner's workspace file, once placed. */
  path?: string;
  /** True when the starter was copied now (false: the learner's existing file was kept). */
  created: boolean;
  status: 'preparing' | 'checking' | 'pass' | 'fail';
  message: string;
  watch: WatchState;
  /** Why watching failed, or what to do instead. */
  watchNote?: string;
  /** How many checks have finished since the step was opened. */
  checks: number;
  hint: boolean;
  solution?: string;
  showSolution: boolean;
  /** x was pressed once; a second x puts the starter back. */
  confirmReset: boolean;
}

export interface Session {
  /** Index into the player's lessons. */
  lesson: number;
  step: number;
  scroll: number;
  /** Which knob k/K change, on a run step. */
  knobFocus: number;
  /** Knob values per run step, once the learner changed one. */
  knobs: Record<number, Record<string, KnobValue>>;
  runs: Record<number, LiveRun>;
  /** The step whose run is in progress (one run at a time). */
  active?: number;
  /** The highlighted option of a check step. */
  choice: number;
  exercise?: ExerciseView;
}

export interface PlayerState {
  screen: 'menu' | 'lesson';
  menuCursor: number;
  session?: Session;
  progress: Progress;
  /** One line of feedback, cleared by the next key. */
  notice?: string;
  /** Source of tokens that tie asynchronous answers to the run or exercise that asked for them. */
  seq: number;
  quit: boolean;
}

export type Msg =
  | { kind: 'menuMove'; delta: number }
  | { kind: 'open'; lesson: number; step?: number }
  | { kind: 'menu' }
  | { kind: 'go'; delta: number }
  | { kind: 'scroll'; delta: number; max: number }
  | { kind: 'knobFocus'; delta: number }
  | { kind: 'knobCycle'; delta: number }
  | { kind: 'startRun' }
  | { kind: 'cancelRun' }
  | { kind: 'runEvents'; token: number; step: number; events: RunEvent[] }
  | {
      kind: 'runEnded';
      token: number;
      lesson: number;
      step: number;
      knobs: Record<string, KnobValue>;
      outcome: RunOutcome;
    }
  | { kind: 'choose'; delta: number }
  | { kind: 'pick'; option: number }
  | { kind: 'submit' }
  | { kind: 'exerciseReady'; token: number; path: string; created: boolean; watch: WatchState; note?: string }
  | { kind: 'exerciseChecking'; token: number }
  | { kind: 'exerciseResult'; token: number; lesson: number; step: number; pass: boolean; message: string }
  | { kind: 'hint' }
  | { kind: 'recheck' }
  | { kind: 'solution' }
  | { kind: 'solutionLoaded'; token: number; text: string }
  | { kind: 'reset' }
  | { kind: 'notice'; text: string }
  | { kind: 'quit' };

/** Messages that answer an effect (as opposed to a key press); they leave the notice line alone. */
export const ASYNC_MSGS: ReadonlySet<Msg['kind']> = new Set([
  'runEvents',
  'runEnded',
  'exerciseReady',
  'exerciseChecking',
  'exerciseResult',
  'solutionLoaded',
  'notice',
]);

export type Effect =
  | { kind: 'run'; token: number; lesson: number; step: number; knobs: Record<string, KnobValue> }
  | { kind: 'abortRun'; token: number }
  | { kind: 'openExercise'; token: number; lesson: number; step: number }
  | { kind: 'closeExercise' }
  | { kind: 'checkExercise'; token: number; lesson: number; step: number }
  | { kind: 'loadSolution'; token: number; lesson: number; step: number }
  | { kind: 'resetExercise'; token: number; lesson: number; step: number }
  | { kind: 'exit' };

/** The menu starts on the lesson opened last. */
export function initialState(lessons: Lesson[], progress: Progress): PlayerState {
  const last = lessons.findIndex((l) => l.id === progress.last);
  return { screen: 'menu', menuCursor: Math.max(0, last), progress, seq: 0, quit: false };
}

/** The lesson and step the session is on (undefined on the menu). */
export function current(lessons: Lesson[], s: PlayerState) {
  if (!s.session) return undefined;
  const lesson = lessons[s.session.lesson]!;
  return {
    lesson,
    step: lesson.steps[s.session.step]!,
    index: s.session.step,
    lp: lessonProgress(s.progress, lesson.id),
  };
}
