// Carries out the reducer's effects: runs (progress events are batched ~20 times a second, so a chatty
// run cannot flood the screen), the exercise workspace file (copy once, watch for saves with fs.watch on
// its folder plus a slow stat poll for file systems where events never arrive, re-check when the content
// changed, one check at a time), the solution file, and resets. Answers go back as messages.
import { readFileSync, unwatchFile, watch, watchFile, type FSWatcher } from 'node:fs';
import { basename, dirname } from 'node:path';
import type { Budget, ExerciseStep, Lesson, RunEvent, RunStep } from './manifest.ts';
import type { HiddenLesson } from './catalog.ts';
import { checkExerciseInWorker, ensureWorkspaceFile, resetWorkspaceFile, solutionPath } from './exercise.ts';
import { startRun, type RunHandle } from './run-step.ts';
import type { Effect, Msg, WatchState } from './state.ts';

export interface PlayerEnv {
  /** Visible lessons, validated and ordered (see catalog.ts). */
  lessons: Lesson[];
  hidden: HiddenLesson[];
  progressFile: string;
  /** Root of the learner's exercise files. */
  workspace: string;
  budget: Budget;
  /** False: no file watching, the learner presses r after saving (--manual-run). */
  watch: boolean;
}

const FLUSH_MS = 50;
const DEBOUNCE_MS = 150;
const POLL_MS = 1000;

interface OpenExercise {
  token: number;
  lesson: number;
  step: number;
  path: string;
  close(): void;
  lastChecked?: string;
  inFlight: boolean;
  queued: boolean;
}

export class EffectRunner {
  private readonly runs = new Map<number, RunHandle>();
  private exercise: OpenExercise | undefined;
  private disposed = false;

  constructor(
    private readonly env: PlayerEnv,
    private readonly dispatch: (m: Msg) => void,
  ) {}

  perform(e: Effect): void {
    if (this.disposed) return;
    switch (e.kind) {
      case 'run':
        return this.run(e.token, e.lesson, e.step, e.knobs);
      case 'abortRun':
        return this.runs.get(e.token)?.cancel();
      case 'openExercise':
        return this.openExercise(e.token, e.lesson, e.step);
      case 'closeExercise':
        return this.closeExercise();
      case 'checkExercise':
        return void this.check(true);
      case 'loadSolution':
        return this.loadSolution(e.token, e.lesson, e.step);
      case 'resetExercise':
        return this.reset(e.lesson, e.step);
      case 'exit':
        return;
    }
  }

  /** Cancels runs and stops watching; later answers are dropped. */
  dispose(): void {
    this.closeExercise();
    for (const r of this.runs.values()) r.cancel();
    this.disposed = true;
  }

  private send(m: Msg): void {
    if (!this.disposed) this.dispatch(m);
  }

  private run(token: number, lesson: number, step: number, knobs: Record<string, string | number>): void {
    const runStep = this.env.lessons[lesson]!.steps[step] as RunStep;
    let buffer: RunEvent[] = [];
    let timer: ReturnType<typeof setTimeout> | undefined;
    const flush = () => {
      timer = undefined;
      if (!buffer.length) return;
      const events = buffer;
      buffer = [];
      this.send({ kind: 'runEvents', token, step, events });
    };
    const handle = startRun(runStep, {
      knobs,
      budget: this.env.budget,
      onEvent: (ev) => {
        buffer.push(ev);
        timer ??= setTimeout(flush, FLUSH_MS);
      },
    });
    this.runs.set(token, handle);
    void handle.outcome.then((outcome) => {
      clearTimeout(timer);
      flush();
      this.runs.delete(token);
      this.send({ kind: 'runEnded', token, lesson, step, knobs, outcome });
    });
  }

  private stepOf(lesson: number, step: number): { lesson: Lesson; step: ExerciseStep } {
    const l = this.env.lessons[lesson]!;
    return { lesson: l, step: l.steps[step] as ExerciseStep };
  }

  private openExercise(token: number, lesson: number, step: number): void {
    this.closeExercise();
    const { lesson: l, step: s } = this.stepOf(lesson, step);
    let placed: { path: string; created: boolean };
    try {
      placed = ensureWorkspaceFile(this.env.workspace, l, s);
    } catch (e) {
      this.send({
        kind: 'exerciseResult',
        token,
        lesson,
        step,
        pass: false,
        message: `could not create your exercise file: ${(e as Error).message}`,
      });
      return;
    }
    const ex: OpenExercise = {
      token,
      lesson,
      step,
      path: placed.path,
      close: () => {},
      inFlight: false,
      queued: false,
    };
    this.exercise = ex;
    let watchState: WatchState = 'manual';
    let note: string | undefined;
    if (this.env.watch) {
      try {
        ex.close = this.watch(placed.path, () => void this.check(false));
        watchState = 'watching';
      } catch (e) {
        watchState = 'failed';
        note = (e as Error).message;
      }
    }
    this.send({ kind: 'exerciseReady', token, path: placed.path, created: placed.created, watch: watchState, note });
    void this.check(true);
  }

  /** Calls `onChange` (debounced) when the file may have changed; returns the function that stops watching. */
  private watch(path: string, onChange: () => void): () => void {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const poke = () => {
      clearTimeout(timer);
      timer = setTimeout(onChange, DEBOUNCE_MS);
    };
    // The folder, not the file: editors that save by renaming a temp file replace the file's inode.
    const name = basename(path);
    const w: FSWatcher = watch(dirname(path), (_event, file) => {
      if (file === null || file.toString() === name) poke();
    });
    w.on('error', () => w.close());
    watchFile(path, { interval: POLL_MS }, poke);
    return () => {
      clearTimeout(timer);
      w.close();
      unwatchFile(path, poke);
    };
  }

  private closeExercise(): void {
    this.exercise?.close();
    this.exercise = undefined;
  }

  /** One check at a time; a save during a check queues one more. Unforced checks skip unchanged content. */
  private async check(force: boolean): Promise<void> {
    const ex = this.exercise;
    if (!ex) return;
    if (ex.inFlight) {
      ex.queued = true;
      return;
    }
    let text: string;
    try {
      text = readFileSync(ex.path, 'utf8');
    } catch (e) {
      this.send({
        kind: 'exerciseResult',
        token: ex.token,
        lesson: ex.lesson,
        step: ex.step,
        pass: false,
        message: `cannot read ${ex.path}: ${(e as Error).message}`,
      });
      return;
    }
    if (!force && text === ex.lastChecked) return;
    ex.inFlight = true;
    ex.lastChecked = text;
    this.send({ kind: 'exerciseChecking', token: ex.token });
    const outcome = await checkExerciseInWorker(this.stepOf(ex.lesson, ex.step).lesson, ex.step, ex.path);
    ex.inFlight = false;
    this.send({ kind: 'exerciseResult', token: ex.token, lesson: ex.lesson, step: ex.step, ...outcome });
    if (ex.queued && this.exercise === ex) {
      ex.queued = false;
      await this.check(false);
    }
  }

  private loadSolution(token: number, lesson: number, step: number): void {
    const { lesson: l, step: s } = this.stepOf(lesson, step);
    try {
      this.send({ kind: 'solutionLoaded', token, text: readFileSync(solutionPath(l, s), 'utf8') });
    } catch (e) {
      this.send({ kind: 'notice', text: `cannot read the solution: ${(e as Error).message}` });
    }
  }

  private reset(lesson: number, step: number): void {
    const { lesson: l, step: s } = this.stepOf(lesson, step);
    try {
      resetWorkspaceFile(this.env.workspace, l, s);
    } catch (e) {
      this.send({ kind: 'notice', text: `could not reset the file: ${(e as Error).message}` });
      return;
    }
    void this.check(true);
  }
}
