// Exercise files: the learner's workspace copy of a starter, and judging it.
// The workspace is `./tinyseek-workspace/<lesson id>/<starter file name>` (env TINYSEEK_WORKSPACE moves
// the root). A copy is made once and never overwritten unless the learner asks for a reset; a
// package.json beside it makes Node and tsx load it as an ES module wherever the workspace lives. The
// file is re-imported fresh on every check (a file URL with a cache-busting query: tsx and vitest both
// load a new module for a new URL). A load error, a throw or a slow check is a failure with its message.
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { CheckOutcome, ExerciseStep, Lesson } from '../../lessons/types.ts';
import { writeFileAtomic } from '../core/fsio.ts';

export function workspaceRoot(env: Record<string, string | undefined> = process.env, cwd = process.cwd()): string {
  const override = env['TINYSEEK_WORKSPACE'];
  return override ? resolve(cwd, override) : join(cwd, 'tinyseek-workspace');
}

export const workspaceFile = (root: string, lesson: Lesson, step: ExerciseStep): string => join(root, lesson.id, basename(step.starter));

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
export function ensureWorkspaceFile(root: string, lesson: Lesson, step: ExerciseStep): { path: string; created: boolean } {
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
    timer = setTimeout(() => r({ pass: false, message: `the check did not finish within ${timeoutMs / 1000} s` }), timeoutMs);
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
