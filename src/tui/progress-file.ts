// The progress state file: `~/.tinyseek/progress.json`, or the path in env TINYSEEK_STATE (tests point it
// at a temp dir). Written atomically on every change; validated on load, so a corrupt or hand-edited file
// is reported by name with what is wrong instead of being half-used or silently reset.
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { InputError } from '../core/errors.ts';
import { writeJsonAtomic } from '../core/fsio.ts';
import { emptyProgress, type LessonProgress, type Progress, type StoredRun } from './progress.ts';

export function progressPath(env: Record<string, string | undefined> = process.env): string {
  const override = env['TINYSEEK_STATE'];
  return override ? resolve(override) : join(homedir(), '.tinyseek', 'progress.json');
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const isIndex = (v: unknown): v is number => Number.isInteger(v) && (v as number) >= 0;

function checkRun(v: unknown, where: string): StoredRun {
  if (!isObj(v)) throw new Error(`${where} must be an object`);
  const { metrics, lines, knobs, cancelled } = v;
  if (!isObj(metrics) || !Object.values(metrics).every((m) => typeof m === 'number' && Number.isFinite(m)))
    throw new Error(`${where}.metrics must map names to finite numbers`);
  if (!Array.isArray(lines) || !lines.every((l) => typeof l === 'string'))
    throw new Error(`${where}.lines must be a list of strings`);
  if (!isObj(knobs) || !Object.values(knobs).every((k) => typeof k === 'number' || typeof k === 'string'))
    throw new Error(`${where}.knobs must map names to numbers or strings`);
  if (typeof cancelled !== 'boolean') throw new Error(`${where}.cancelled must be true or false`);
  return { metrics: metrics as Record<string, number>, lines, knobs: knobs as StoredRun['knobs'], cancelled };
}

function checkLesson(v: unknown, where: string): LessonProgress {
  if (!isObj(v)) throw new Error(`${where} must be an object`);
  const { step, furthest, done, checks, exercises, runs } = v;
  if (!isIndex(step)) throw new Error(`${where}.step must be a step number`);
  if (!isIndex(furthest)) throw new Error(`${where}.furthest must be a step number`);
  if (!Array.isArray(done) || !done.every(isIndex)) throw new Error(`${where}.done must be a list of step numbers`);
  if (!isObj(checks) || !Object.values(checks).every(isIndex))
    throw new Error(`${where}.checks must map steps to option numbers`);
  if (!isObj(exercises) || !Object.values(exercises).every((e) => typeof e === 'boolean'))
    throw new Error(`${where}.exercises must map steps to true or false`);
  if (!isObj(runs)) throw new Error(`${where}.runs must be an object`);
  const checkedRuns: Record<string, StoredRun> = {};
  for (const [k, r] of Object.entries(runs)) checkedRuns[k] = checkRun(r, `${where}.runs['${k}']`);
  return {
    step,
    furthest,
    done: [...new Set(done)].sort((a, b) => a - b),
    checks: checks as Record<string, number>,
    exercises: exercises as Record<string, boolean>,
    runs: checkedRuns,
  };
}

/** Parses and validates the file's text; throws a plain Error saying which field is wrong. */
export function parseProgress(text: string): Progress {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new Error(`not valid JSON (${(e as Error).message})`);
  }
  if (!isObj(raw)) throw new Error('the top level must be an object');
  if (raw['version'] !== 1)
    throw new Error(`unknown version ${JSON.stringify(raw['version'])} (this tinyseek writes version 1)`);
  if (!isObj(raw['lessons'])) throw new Error('lessons must be an object');
  const p = emptyProgress();
  for (const [id, lp] of Object.entries(raw['lessons'])) p.lessons[id] = checkLesson(lp, `lessons['${id}']`);
  if (raw['last'] !== undefined) {
    if (typeof raw['last'] !== 'string') throw new Error('last must be a lesson id');
    p.last = raw['last'];
  }
  if (raw['workspace'] !== undefined) {
    if (typeof raw['workspace'] !== 'string' || !isAbsolute(raw['workspace']))
      throw new Error('workspace must be an absolute path');
    p.workspace = raw['workspace'];
  }
  return p;
}

/** A missing file is a fresh start; a broken one is an InputError naming the file. */
export function loadProgress(file: string): Progress {
  if (!existsSync(file)) return emptyProgress();
  try {
    return parseProgress(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new InputError(`progress file ${file}: ${(e as Error).message}; fix it, or delete it to start over`);
  }
}

export function saveProgress(file: string, p: Progress): void {
  writeJsonAtomic(file, p);
}

/**
 * Where the learner's exercise files are: TINYSEEK_WORKSPACE when set, else the workspace the progress file
 * was earned with, else ./tinyseek-workspace. Tying it to the progress file means running from another folder
 * finds the same files instead of fresh starters beside "passed" marks.
 */
export function resolveWorkspace(progress: Progress, env: Record<string, string | undefined>, cwd: string): string {
  const override = env['TINYSEEK_WORKSPACE'];
  if (override) return resolve(cwd, override);
  return progress.workspace ?? join(cwd, 'tinyseek-workspace');
}

/** Records `workspace` in the progress file (a no-op when it is already there). */
export function tieWorkspace(file: string, workspace: string): Progress {
  const p = loadProgress(file);
  if (p.workspace === workspace) return p;
  const next = { ...p, workspace };
  saveProgress(file, next);
  return next;
}
