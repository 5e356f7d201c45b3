// `tinyseek lessons check` (also a vitest file, so `npm test` runs it): proves every lesson is usable.
// Every manifest validates; every run step finishes on the given budget with its default knobs and a
// valid result; every check can be judged (against its run's result where it names one); every exercise
// FAILS with its unsolved starter and PASSES with its solution, each copied alone into a temp folder the
// way the player copies it into the workspace. Lessons hidden for missing modules are reported, not run.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import type { Budget, ExerciseStep, Lesson, RunResult } from './manifest.ts';
import { lessonFile, missingRequirements, repoRoot, validateLesson } from './catalog.ts';
import { checkExerciseFile, placeExerciseFile, solutionPath, starterPath } from './exercise.ts';
import { rightOption, runStepIndex } from './judge.ts';
import { metricsText } from './render/common.ts';
import { defaultKnobs, startRun } from './run-step.ts';

export interface CheckReport {
  ok: boolean;
  lines: string[];
}

const firstLine = (s: string): string => {
  const line = s.split('\n').find((l) => l.trim() !== '') ?? '';
  return line.length > 100 ? line.slice(0, 99) + '…' : line;
};

async function checkExercise(lesson: Lesson, step: ExerciseStep): Promise<{ ok: boolean; text: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'tinyseek-check-'));
  try {
    const name = basename(step.starter);
    const starterCopy = join(dir, 'starter', name);
    const solutionCopy = join(dir, 'solution', name);
    placeExerciseFile(starterPath(lesson, step), starterCopy);
    placeExerciseFile(solutionPath(lesson, step), solutionCopy);
    if (readFileSync(starterCopy, 'utf8') === readFileSync(solutionCopy, 'utf8'))
      return { ok: false, text: 'the starter and the solution are the same file content' };
    const unsolved = await checkExerciseFile(step, starterCopy);
    const solved = await checkExerciseFile(step, solutionCopy);
    const problems: string[] = [];
    if (unsolved.pass)
      problems.push(`the unsolved starter PASSES its check (${firstLine(unsolved.message) || 'no message'})`);
    if (!solved.pass) problems.push(`the solution FAILS its check:\n${solved.message}`);
    if (!unsolved.pass && !unsolved.message.trim())
      problems.push('the starter fails with an empty message (say what went wrong)');
    if (problems.length) return { ok: false, text: problems.join('; ') };
    return { ok: true, text: `the starter fails (${firstLine(unsolved.message)}), the solution passes` };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Checks every lesson; `lines` is the report, one line per step checked. */
export async function checkLessons(all: Lesson[], opts: { budget: Budget; root?: string }): Promise<CheckReport> {
  const root = opts.root ?? repoRoot;
  const lines: string[] = [];
  let ok = true;
  const counts = { lessons: 0, runs: 0, checks: 0, exercises: 0, skipped: 0 };
  const good = (t: string) => lines.push(`  ✓ ${t}`);
  const bad = (t: string) => {
    ok = false;
    lines.push(`  ✗ ${t}`);
  };
  const numbers = new Map<number, string>();
  for (const lesson of [...all].sort((a, b) => (a?.number ?? 0) - (b?.number ?? 0))) {
    lines.push(`${lesson?.id ?? '?'}  ${lesson?.title ?? ''}`);
    try {
      validateLesson(lesson, root);
    } catch (e) {
      bad((e as Error).message);
      continue;
    }
    const clash = numbers.get(lesson.number);
    if (clash) bad(`number ${lesson.number} is also used by ${clash}`);
    numbers.set(lesson.number, lessonFile(lesson, root));
    const missing = missingRequirements(lesson, root);
    if (missing.length) {
      counts.skipped++;
      lines.push(`  – skipped: hidden until ${missing.join(', ')} exist${missing.length === 1 ? 's' : ''}`);
      continue;
    }
    counts.lessons++;
    const results: Record<number, RunResult | undefined> = {};
    for (const [k, step] of lesson.steps.entries()) {
      const at = `step ${k + 1} ${step.kind} '${step.title}'`;
      if (step.kind !== 'run') continue;
      counts.runs++;
      const outcome = await startRun(step, { knobs: defaultKnobs(step), budget: opts.budget }).outcome;
      if (outcome.kind === 'done') {
        results[k] = outcome.result;
        good(`${at}: finished on the ${opts.budget} budget (${metricsText(outcome.result.metrics) || 'no metrics'})`);
      } else
        bad(`${at}: ${outcome.kind === 'failed' ? `failed: ${outcome.message}` : 'stopped without being cancelled'}`);
    }
    for (const [k, step] of lesson.steps.entries()) {
      const at = `step ${k + 1} ${step.kind} '${step.title}'`;
      if (step.kind === 'check') {
        counts.checks++;
        const runAt = step.run !== undefined ? runStepIndex(lesson, step.run) : -1;
        if (runAt >= 0 && !results[runAt]) {
          bad(`${at}: cannot be judged, its run (step ${runAt + 1}) did not finish`);
          continue;
        }
        const r = rightOption(step, runAt >= 0 ? results[runAt] : undefined);
        if ('error' in r) bad(`${at}: ${r.error}`);
        else
          good(
            `${at}: the answer is ${r.correct + 1} (${step.options[r.correct]})${runAt >= 0 ? ` by step ${runAt + 1}'s run` : ''}`,
          );
      } else if (step.kind === 'exercise') {
        counts.exercises++;
        const r = await checkExercise(lesson, step);
        (r.ok ? good : bad)(`${at}: ${r.text}`);
      }
    }
  }
  const plural = (n: number, w: string) => `${n} ${w}${n === 1 ? '' : 's'}`;
  lines.push(
    '',
    `${ok ? 'ok' : 'FAILED'}: ${plural(counts.lessons, 'lesson')} checked (${plural(counts.runs, 'run')}, ${plural(counts.checks, 'check')}, ${plural(counts.exercises, 'exercise')})` +
      (counts.skipped ? `, ${counts.skipped} hidden` : ''),
  );
  return { ok, lines };
}
