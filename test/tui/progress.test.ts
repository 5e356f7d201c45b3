// Progress: the pure updates, and the state file (where it lives, round trips, broken files named).
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { InputError } from '../../src/core/errors.ts';
import { loadProgress, progressPath, saveProgress } from '../../src/tui/progress-file.ts';
import {
  emptyProgress,
  lessonProgress,
  markDone,
  recordCheck,
  recordExercisePass,
  recordRun,
  lessonSummary,
  visit,
} from '../../src/tui/progress.ts';
import { demoLesson } from './fixtures/demo/index.ts';
import { removeTempDirs, tempDir } from './helpers.ts';

afterEach(removeTempDirs);

const id = '42-demo';

describe('progress updates', () => {
  it('complete steps once, in order', () => {
    const p = markDone(markDone(markDone(emptyProgress(), id, 3), id, 1), id, 3);
    expect(lessonProgress(p, id).done).toEqual([1, 3]);
  });

  it('keep the first answer to a check', () => {
    const p = recordCheck(recordCheck(emptyProgress(), id, 2, 1), id, 2, 0);
    expect(lessonProgress(p, id)).toMatchObject({ checks: { 2: 1 }, done: [2] });
  });

  it('complete a run step only when the run was not cancelled', () => {
    const run = { metrics: { x: 1 }, lines: [], knobs: {} };
    expect(lessonProgress(recordRun(emptyProgress(), id, 4, { ...run, cancelled: true }), id).done).toEqual([]);
    expect(lessonProgress(recordRun(emptyProgress(), id, 4, { ...run, cancelled: false }), id).done).toEqual([4]);
  });

  it('summarizes a lesson for the menu', () => {
    const lesson = demoLesson();
    expect(lessonSummary(emptyProgress(), lesson)).toEqual({
      done: 0,
      total: 5,
      complete: false,
      resume: 0,
      started: false,
    });
    const p = recordExercisePass(visit(markDone(emptyProgress(), id, 0), id, 4), id, 4);
    expect(lessonSummary(p, lesson)).toEqual({ done: 2, total: 5, complete: false, resume: 4, started: true });
  });

  it('clamp a resume point past the end of a lesson that got shorter', () => {
    expect(lessonSummary(visit(emptyProgress(), id, 12), demoLesson()).resume).toBe(4);
  });
});

describe('the progress file', () => {
  it('lives in ~/.tinyseek unless TINYSEEK_STATE says otherwise', () => {
    expect(progressPath({})).toBe(join(homedir(), '.tinyseek', 'progress.json'));
    expect(progressPath({ TINYSEEK_STATE: '/tmp/x/p.json' })).toBe('/tmp/x/p.json');
  });

  it('is a fresh start when missing, and round-trips what was saved', () => {
    const file = join(tempDir(), 'deep', 'progress.json');
    expect(loadProgress(file)).toEqual(emptyProgress());
    const p = recordRun(recordCheck(visit(emptyProgress(), id, 2), id, 1, 0), id, 2, {
      metrics: { a: 0.5 },
      lines: ['x'],
      knobs: { n: 3, m: 'b' },
      cancelled: false,
    });
    saveProgress(file, p);
    expect(existsSync(file)).toBe(true);
    expect(loadProgress(file)).toEqual(p);
  });

  it('is reported by name when it is not JSON', () => {
    const file = join(tempDir(), 'progress.json');
    writeFileSync(file, '{"version": 1, "lessons": {');
    expect(() => loadProgress(file)).toThrow(InputError);
    expect(() => loadProgress(file)).toThrow(
      new RegExp(`progress file ${file}: not valid JSON.*delete it to start over`),
    );
  });

  it('names the field that is wrong', () => {
    const dir = tempDir();
    const cases: [unknown, RegExp][] = [
      [{ version: 2, lessons: {} }, /unknown version 2/],
      [{ version: 1 }, /lessons must be an object/],
      [
        { version: 1, lessons: { [id]: { step: -1, furthest: 0, done: [], checks: {}, exercises: {}, runs: {} } } },
        /lessons\['42-demo'\]\.step/,
      ],
      [
        { version: 1, lessons: { [id]: { step: 0, furthest: 0, done: ['a'], checks: {}, exercises: {}, runs: {} } } },
        /\.done must be a list/,
      ],
      [
        {
          version: 1,
          lessons: {
            [id]: {
              step: 0,
              furthest: 0,
              done: [],
              checks: {},
              exercises: {},
              runs: { 2: { metrics: { a: null }, lines: [], knobs: {}, cancelled: false } },
            },
          },
        },
        /runs\['2'\]\.metrics/,
      ],
    ];
    mkdirSync(dir, { recursive: true });
    cases.forEach(([value, message], k) => {
      const file = join(dir, `p${k}.json`);
      writeFileSync(file, JSON.stringify(value));
      expect(() => loadProgress(file)).toThrow(message);
    });
  });
});
