// A learner's progress through the lessons, as plain data and pure updates (the player's reducer calls
// these; progress-file.ts reads and writes the JSON). Per lesson it records where to resume, the furthest
// step reached, the steps completed, check answers, exercise passes and the last result of each run, so a
// check after a run can still be judged after a restart. Steps are keyed by their index in the lesson.
import type { KnobValue, Lesson, RunResult } from './manifest.ts';

export interface StoredRun extends RunResult {
  knobs: Record<string, KnobValue>;
  /** Cancelled runs keep what they had measured but do not complete the step or judge checks. */
  cancelled: boolean;
}

export interface LessonProgress {
  /** The step to resume at. */
  step: number;
  furthest: number;
  /** Completed step indices, ascending. */
  done: number[];
  /** Check step index → the option the learner chose (first answer; answers are final). */
  checks: Record<string, number>;
  /** Exercise step index → true once the learner's code has passed. */
  exercises: Record<string, boolean>;
  runs: Record<string, StoredRun>;
}

export interface Progress {
  version: 1;
  lessons: Record<string, LessonProgress>;
  /** The id of the lesson opened last (the menu starts on it). */
  last?: string;
  /** Absolute path of the learner's workspace: the exercise files this progress was earned with. */
  workspace?: string;
}

export const emptyProgress = (): Progress => ({ version: 1, lessons: {} });

export const emptyLessonProgress = (): LessonProgress => ({
  step: 0,
  furthest: 0,
  done: [],
  checks: {},
  exercises: {},
  runs: {},
});

export const lessonProgress = (p: Progress, id: string): LessonProgress => p.lessons[id] ?? emptyLessonProgress();

function withLesson(p: Progress, id: string, f: (lp: LessonProgress) => LessonProgress): Progress {
  return { ...p, lessons: { ...p.lessons, [id]: f(lessonProgress(p, id)) } };
}

const addDone = (done: number[], step: number): number[] =>
  done.includes(step) ? done : [...done, step].sort((a, b) => a - b);

/** The learner is at `step` of lesson `id` (resume point, furthest step, last lesson). */
export function visit(p: Progress, id: string, step: number): Progress {
  const next = withLesson(p, id, (lp) => ({ ...lp, step, furthest: Math.max(lp.furthest, step) }));
  return { ...next, last: id };
}

export const markDone = (p: Progress, id: string, step: number): Progress =>
  lessonProgress(p, id).done.includes(step) ? p : withLesson(p, id, (lp) => ({ ...lp, done: addDone(lp.done, step) }));

/** Records a check answer (only the first: a prediction cannot be changed once made) and completes the step. */
export function recordCheck(p: Progress, id: string, step: number, choice: number): Progress {
  if (lessonProgress(p, id).checks[step] !== undefined) return p;
  return markDone(
    withLesson(p, id, (lp) => ({ ...lp, checks: { ...lp.checks, [step]: choice } })),
    id,
    step,
  );
}

export function recordExercisePass(p: Progress, id: string, step: number): Progress {
  if (lessonProgress(p, id).exercises[step]) return p;
  return markDone(
    withLesson(p, id, (lp) => ({ ...lp, exercises: { ...lp.exercises, [step]: true } })),
    id,
    step,
  );
}

/** Keeps the run's result; a finished (not cancelled) run completes the step. */
export function recordRun(p: Progress, id: string, step: number, run: StoredRun): Progress {
  const next = withLesson(p, id, (lp) => ({ ...lp, runs: { ...lp.runs, [step]: run } }));
  return run.cancelled ? next : markDone(next, id, step);
}

/** The exercise was reset to its starter: its pass and completion are forgotten. */
export function forgetExercise(p: Progress, id: string, step: number): Progress {
  const lp = lessonProgress(p, id);
  if (!lp.exercises[step] && !lp.done.includes(step)) return p;
  const { [step]: _gone, ...exercises } = lp.exercises;
  return withLesson(p, id, () => ({ ...lp, exercises, done: lp.done.filter((d) => d !== step) }));
}

export interface LessonSummary {
  done: number;
  total: number;
  complete: boolean;
  /** Where the lesson resumes (clamped to the lesson's current length). */
  resume: number;
  started: boolean;
}

export function lessonSummary(p: Progress, lesson: Lesson): LessonSummary {
  const lp = p.lessons[lesson.id];
  const total = lesson.steps.length;
  const done = lp ? lp.done.filter((s) => s >= 0 && s < total).length : 0;
  return {
    done,
    total,
    complete: done === total,
    resume: lp ? Math.min(Math.max(0, lp.step), total - 1) : 0,
    started: lp !== undefined,
  };
}
