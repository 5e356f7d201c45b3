// Exercise files: the learner's workspace copy of a starter, and judging it.
// The workspace is `./tinyseek-workspace/<lesson id>/<starter file name>` (env TINYSEEK_WORKSPACE moves
// the root). A copy is made once and never overwritten unless the learner asks for a reset; a
// package.json beside it makes Node and tsx load it as an ES module wherever the workspace lives. The
// file is re-imported fresh on every check (a file URL with a cache-busting query: tsx and vitest both
// load a new module for a new URL). A load error, a throw or a slow check is a failure with its message.
// The player judges the learner's file in a worker thread (checkExerciseInWorker), so that an endless loop
// in it is stopped at the time limit instead of freezing the terminal.
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { CheckOutcome, ExerciseStep, Lesson } from './manifest.ts';
import { writeFileAtomic } from '../core/fsio.ts';
import type { ExerciseJob, WorkerReply } from './exercise-worker.ts';

export function workspaceRoot(env: Record<string, string | undefined> = process.env, cwd = process.cwd()): string {
  const override = env['TINYSEEK_WORKSPACE'];
  return override ? resolve(cwd, override) : join(cwd, 'tinyseek-workspace');
}

export const workspaceFile = (root: string, lesson: Lesson, step: ExerciseStep): string =>
  join(root, lesson.id, basename(step.starter));

export const starterPath = (lesson: Lesson, step: ExerciseStep): string => resolve(lesson.dir, step.starter);
export const solutionPath = (lesson: Lesson, step: ExerciseStep): string => resolve(lesson.dir, step.solution);

/** Copies `source` to `target` unless the target exists (a learner's edits are never overwritten). */
export function placeExerciseFile(source: string, target: string, overwrite = false): { created: boolean } {
  const dir = join(target, '..');
  mkdirSync(dir, { recursive: true });
  const pkg = join(dir, 'package.json');
  if (!existsSync(pkg)) writeFileAtomic(pkg, '{ "type": "module", "private": true }\n');
  if (existsSync(target) && !overwrite) return { created: false };
  writeFileAtomic(target, readFileSync(source));
  return { created: true };
}

/** The learner's copy of the starter, created on first use. */
export function ensureWorkspaceFile(
  root: string,
  lesson: Lesson,
  step: ExerciseStep,
): { path: string; created: boolean } {
  const path = workspaceFile(root, lesson, step);
  return { path, ...placeExerciseFile(starterPath(lesson, step), path) };
}

/** Puts the starter back (the learner pressed x twice). */
export function resetWorkspaceFile(root: string, lesson: Lesson, step: ExerciseStep): string {
  const path = workspaceFile(root, lesson, step);
  placeExerciseFile(starterPath(lesson, step), path, true);
  return path;
}

let generation = 0;

/** Imports the file as it is on disk now, not as it was at the last import. */
export async function importFresh(path: string): Promise<Record<string, unknown>> {
  generation += 1;
  const url = `${pathToFileURL(path).href}?tinyseek-check=${generation}`;
  return (await import(url)) as Record<string, unknown>;
}

const errorText = (e: unknown): string => {
  if (!(e instanceof Error)) return String(e);
  const head = e.name === 'Error' ? e.message : `${e.name}: ${e.message}`;
  return head.split('\n').slice(0, 12).join('\n');
};

/** Loads the file and runs the step's check on it. Never throws: every problem is a failing outcome. */
export async function checkExerciseFile(step: ExerciseStep, path: string, timeoutMs = 10_000): Promise<CheckOutcome> {
  let mod: Record<string, unknown>;
  try {
    mod = await importFresh(path);
  } catch (e) {
    return { pass: false, message: `could not load ${basename(path)}:\n${errorText(e)}` };
  }
  let timer: ReturnType<typeof setTimeout> | undefined;
  const slow = new Promise<CheckOutcome>((r) => {
    timer = setTimeout(
      () => r({ pass: false, message: `the check did not finish within ${timeoutMs / 1000} s` }),
      timeoutMs,
    );
  });
  try {
    const outcome = await Promise.race([Promise.resolve().then(() => step.check(mod)), slow]);
    if (typeof outcome !== 'object' || outcome === null || typeof outcome.pass !== 'boolean')
      return { pass: false, message: `the lesson's check returned ${JSON.stringify(outcome)}, not { pass, message }` };
    return { pass: outcome.pass, message: String(outcome.message ?? '') };
  } catch (e) {
    return { pass: false, message: `your code threw while being checked:\n${errorText(e)}` };
  } finally {
    clearTimeout(timer);
  }
}

/** How long a worker may take to load the lesson catalog before its check's clock starts. */
const WORKER_START_MS = 60_000;
const BOOTSTRAP = new URL('../backend/cpu/worker-bootstrap.mjs', import.meta.url);
const WORKER_ENTRY = new URL('./exercise-worker.ts', import.meta.url).href;

/**
 * checkExerciseFile in a worker thread: past `timeoutMs` (from when the worker is ready) the worker is
 * terminated, which stops even a synchronous endless loop. The worker finds the check in the lesson
 * catalog; a lesson outside it (a test's fixture) is judged in this thread. Never throws.
 */
export function checkExerciseInWorker(
  lesson: Lesson,
  stepIndex: number,
  path: string,
  timeoutMs = 10_000,
): Promise<CheckOutcome> {
  const step = lesson.steps[stepIndex] as ExerciseStep;
  return new Promise((settle) => {
    const job: ExerciseJob = { lessonId: lesson.id, stepIndex, path, timeoutMs };
    const worker = new Worker(BOOTSTRAP, { workerData: { entry: WORKER_ENTRY, ...job } });
    let done = false;
    let timer = setTimeout(
      () => finish({ pass: false, message: `the check did not start within ${WORKER_START_MS / 1000} s` }),
      WORKER_START_MS,
    );
    const finish = (o: CheckOutcome) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      void worker.terminate();
      settle(o);
    };
    worker.on('message', (m: WorkerReply) => {
      if (m.kind === 'ready') {
        clearTimeout(timer);
        timer = setTimeout(
          () =>
            finish({
              pass: false,
              message: `the check did not finish within ${timeoutMs / 1000} s and was stopped (an endless loop?)`,
            }),
          timeoutMs,
        );
      } else if (m.kind === 'outcome') {
        finish({ pass: m.pass, message: m.message });
      } else {
        done = true;
        clearTimeout(timer);
        void worker.terminate();
        void checkExerciseFile(step, path, timeoutMs).then(settle);
      }
    });
    worker.on('error', (e) => finish({ pass: false, message: `the check crashed:\n${errorText(e)}` }));
    worker.on('exit', (code) =>
      finish({ pass: false, message: `the check ended (exit code ${code}) without a result` }),
    );
  });
}
