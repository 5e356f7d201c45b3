// Exercise files: the workspace copy (never overwriting the learner's edits), fresh imports after every
// change (this runs under vitest; the CLI smoke test covers tsx), and checking that never throws.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ExerciseStep } from '../../src/tui/manifest.ts';
import welcome from '../../lessons/00-welcome/index.ts';
import {
  checkExerciseFile,
  checkExerciseInWorker,
  ensureWorkspaceFile,
  importFresh,
  resetWorkspaceFile,
  workspaceRoot,
} from '../../src/tui/exercise.ts';
import { demoLesson } from './fixtures/demo/index.ts';
import { removeTempDirs, tempDir } from './helpers.ts';

afterEach(removeTempDirs);

const lesson = demoLesson();
const step = lesson.steps[4] as ExerciseStep;

describe('the workspace', () => {
  it('is ./tinyseek-workspace unless TINYSEEK_WORKSPACE says otherwise', () => {
    expect(workspaceRoot({}, '/home/me/proj')).toBe('/home/me/proj/tinyseek-workspace');
    expect(workspaceRoot({ TINYSEEK_WORKSPACE: 'ws' }, '/home/me/proj')).toBe('/home/me/proj/ws');
  });

  it('gets a copy of the starter once, and keeps the learner edits after that', () => {
    const root = tempDir();
    const first = ensureWorkspaceFile(root, lesson, step);
    expect(first).toEqual({ path: join(root, '42-demo', 'double.ts'), created: true });
    expect(readFileSync(first.path, 'utf8')).toContain('return x;');
    writeFileSync(first.path, 'export const double = (x: number) => x + x;\n');
    expect(ensureWorkspaceFile(root, lesson, step).created).toBe(false);
    expect(readFileSync(first.path, 'utf8')).toContain('x + x');
    expect(JSON.parse(readFileSync(join(root, '42-demo', 'package.json'), 'utf8'))).toMatchObject({ type: 'module' });
  });

  it('puts the starter back on reset', () => {
    const root = tempDir();
    const { path } = ensureWorkspaceFile(root, lesson, step);
    writeFileSync(path, 'edited');
    resetWorkspaceFile(root, lesson, step);
    expect(readFileSync(path, 'utf8')).toContain('return x;');
  });
});

describe('importFresh', () => {
  it('sees the file as it is now, not as it was at the last import', async () => {
    const { path } = ensureWorkspaceFile(tempDir(), lesson, step);
    const before = await importFresh(path);
    expect((before['double'] as (x: number) => number)(4)).toBe(4);
    writeFileSync(path, 'export function double(x: number): number {\n  return 2 * x;\n}\n');
    const after = await importFresh(path);
    expect((after['double'] as (x: number) => number)(4)).toBe(8);
  });
});

describe('checkExerciseFile', () => {
  const write = (text: string) => {
    const { path } = ensureWorkspaceFile(tempDir(), lesson, step);
    writeFileSync(path, text);
    return path;
  };

  it('fails the starter with the inputs it tried', async () => {
    const { path } = ensureWorkspaceFile(tempDir(), lesson, step);
    expect(await checkExerciseFile(step, path)).toEqual({ pass: false, message: 'double(1) returned 1, expected 2' });
  });

  it('passes a solved file', async () => {
    expect(await checkExerciseFile(step, write('export const double = (x: number) => 2 * x;\n'))).toEqual({
      pass: true,
      message: 'double works for 0, 1, -3 and 2.5',
    });
  });

  it('turns a file that does not load into a failure naming it', async () => {
    const outcome = await checkExerciseFile(step, write('export function double(x: number {\n'));
    expect(outcome.pass).toBe(false);
    expect(outcome.message).toMatch(/^could not load double\.ts:\n/);
  });

  it('turns a throw in the learner code into a failure with its message', async () => {
    const outcome = await checkExerciseFile(
      step,
      write("export function double(x: number): number { throw new Error('TODO'); }\n"),
    );
    expect(outcome).toEqual({ pass: false, message: 'your code threw while being checked:\nTODO' });
  });

  it('fails a check that never finishes', async () => {
    const slow: ExerciseStep = { ...step, check: () => new Promise(() => {}) };
    const { path } = ensureWorkspaceFile(tempDir(), lesson, step);
    expect(await checkExerciseFile(slow, path, 20)).toEqual({
      pass: false,
      message: 'the check did not finish within 0.02 s',
    });
  });
});

describe('checkExerciseInWorker', () => {
  const at = welcome.steps.findIndex((s) => s.kind === 'exercise');
  const softmax = welcome.steps[at] as ExerciseStep;
  const write = (text: string) => {
    const { path } = ensureWorkspaceFile(tempDir(), welcome, softmax);
    writeFileSync(path, text);
    return path;
  };

  it('stops an endless loop in the learner code at the time limit', async () => {
    const path = write('export function softmax(xs: number[]): number[] { for (;;) {} }\n');
    expect(await checkExerciseInWorker(welcome, at, path, 500)).toEqual({
      pass: false,
      message: 'the check did not finish within 0.5 s and was stopped (an endless loop?)',
    });
  });

  it('judges a catalog lesson with its own check, as checkExerciseFile does', async () => {
    const path = write(readFileSync(join(welcome.dir, softmax.solution), 'utf8'));
    const inWorker = await checkExerciseInWorker(welcome, at, path);
    expect(inWorker.pass).toBe(true);
    expect(inWorker).toEqual(await checkExerciseFile(softmax, path));
  });

  it('judges a lesson outside the catalog in this thread', async () => {
    const { path } = ensureWorkspaceFile(tempDir(), lesson, step);
    expect(await checkExerciseInWorker(lesson, 4, path)).toEqual({
      pass: false,
      message: 'double(1) returned 1, expected 2',
    });
  });
});
