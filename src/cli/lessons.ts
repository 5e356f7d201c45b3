// `tinyseek lessons [--list] [check|verify]`, `tinyseek lesson N [--plain] [--reset S]` and `tinyseek start`
// (what `npm start` runs): thin wrappers over src/tui. In a terminal, `start` and `lesson N` open the interactive
// player; anywhere else they print text (the lesson list, or the lesson with plain progress, which is recorded
// too), so CI logs, pipes and screen readers get something useful. `lessons check` proves every lesson works
// (also in npm test); `lessons verify` checks the learner's own exercise files, as rustlings' verify does.
// The workspace is tied to the progress file (progress-file.ts resolveWorkspace), so the files and the
// "passed" marks always belong together.
import { lessons as registry } from '../../lessons/index.ts';
import type { Budget, ExerciseStep, Lesson } from '../tui/manifest.ts';
import { loadCatalog, type Catalog } from '../tui/catalog.ts';
import { checkLessons } from '../tui/check-lessons.ts';
import { checkExerciseInWorker, resetWorkspaceFile, workspaceFile } from '../tui/exercise.ts';
import type { OpenOptions } from '../tui/open.tsx';
import { printLessonPlain, type PlainRecorder } from '../tui/plain.ts';
import { loadProgress, progressPath, resolveWorkspace, saveProgress, tieWorkspace } from '../tui/progress-file.ts';
import {
  forgetExercise,
  lessonSummary,
  markDone,
  recordExercisePass,
  recordRun,
  visit,
  type Progress,
} from '../tui/progress.ts';
import { existsSync } from 'node:fs';
import { listText } from '../tui/render/menu.ts';
import { styler } from '../tui/style.ts';
import { bool, optNum, str, UsageError } from './args.ts';
import { defineCommand, type Command, type IO } from './command.ts';
import { toJson } from './output.ts';

export interface LessonDeps {
  lessons: Lesson[];
  env: Record<string, string | undefined>;
  cwd: string;
  /** True when both stdin and stdout are terminals (the player needs keys and a screen). */
  interactive(): boolean;
  /** Text width for plain output. */
  columns(): number;
  /** Runs the player; says whether the learner quit or pressed Ctrl-C (the command then exits 130). */
  open(opts: OpenOptions): Promise<'quit' | 'interrupted'>;
}

const budgetFlag = (dflt: Budget) => ({
  type: 'string' as const,
  choices: ['small', 'full'] as const,
  default: dflt,
  help: "how much work runs do ('small': seconds, for CI)",
});

/** Progress made in plain mode, written to the progress file as it happens. */
function fileRecorder(file: string, lesson: Lesson): PlainRecorder {
  const update = (f: (p: Progress) => Progress) => saveProgress(file, f(loadProgress(file)));
  return {
    visited: (k) => update((p) => visit(p, lesson.id, k)),
    prose: (k) => update((p) => markDone(p, lesson.id, k)),
    run: (k, result, knobs) => update((p) => recordRun(p, lesson.id, k, { ...result, knobs, cancelled: false })),
    exercise: (k, pass) => {
      if (pass) update((p) => recordExercisePass(p, lesson.id, k));
    },
  };
}

export function makeLessonCommands(deps: LessonDeps): {
  lessonsCommand: Command;
  lessonCommand: Command;
  startCommand: Command;
} {
  const files = () => {
    const progressFile = progressPath(deps.env);
    return { progressFile, workspace: resolveWorkspace(loadProgress(progressFile), deps.env, deps.cwd) };
  };
  const list = (catalog: Catalog, io: IO, json = false) => {
    const { progressFile } = files();
    const progress = loadProgress(progressFile);
    if (json) {
      const lessons = catalog.lessons.map((l) => {
        const { done, total, complete } = lessonSummary(progress, l);
        return { number: l.number, id: l.id, title: l.title, summary: l.summary, steps: { done, total }, complete };
      });
      const hidden = catalog.hidden.map((h) => ({ number: h.lesson.number, title: h.lesson.title, needs: h.missing }));
      io.out(toJson({ progressFile, lessons, hidden }, 2) + '\n');
      return;
    }
    io.out(
      listText(catalog.lessons, catalog.hidden, progress, progressFile, Math.min(deps.columns(), 100), styler('none')),
    );
  };

  const lessonsCommand = defineCommand(
    {
      name: 'lessons',
      summary: 'list the lessons and your progress, or check that every lesson works',
      usage: 'tinyseek lessons [--list] [--json] [check | verify]',
      positionals: ['check|verify'],
      flags: {
        list: { type: 'bool', help: 'list the lessons (the default)' },
        json: { type: 'bool', help: 'the list as JSON: each lesson with its steps done and whether it is complete' },
        budget: budgetFlag('small'),
      },
      examples: [
        'tinyseek lessons --list',
        'tinyseek lessons check    # every lesson works (starters fail, solutions pass)',
        'tinyseek lessons verify   # your own exercise files pass',
      ],
    },
    async (args, io) => {
      const [sub] = args.positionals;
      if (sub === undefined) {
        list(loadCatalog(deps.lessons), io, bool(args, 'json'));
        return 0;
      }
      if (sub === 'verify') return verify(loadCatalog(deps.lessons), io);
      if (sub !== 'check')
        throw new UsageError(`unknown argument '${sub}' for 'lessons' (did you mean 'check' or 'verify'?)`);
      const report = await checkLessons(deps.lessons, { budget: str(args, 'budget') as Budget });
      io.out(report.lines.join('\n') + '\n');
      return report.ok ? 0 : 1;
    },
  );

  const lessonCommand = defineCommand(
    {
      name: 'lesson',
      summary: 'open lesson N in the player, or print it with --plain',
      usage: 'tinyseek lesson N [--plain] [--step S] [--hint] [--budget small|full] [--manual-run] [--reset S]',
      positionals: ['N'],
      flags: {
        plain: {
          type: 'bool',
          help: 'print the lesson as text and run its runs with plain progress (CI, screen readers)',
        },
        step: { type: 'int', min: 1, meta: 'S', help: 'with --plain: only step S (e.g. to re-check an exercise)' },
        hint: { type: 'bool', help: 'with --plain: show exercise hints' },
        budget: budgetFlag('full'),
        'manual-run': { type: 'bool', help: 'do not watch exercise files; press r to check after saving' },
        reset: {
          type: 'int',
          min: 1,
          meta: 'S',
          help: "put exercise step S's starter file back (your edits are lost) and forget its pass",
        },
      },
      examples: [
        'tinyseek lesson 0',
        'tinyseek lesson 0 --plain',
        'tinyseek lesson 0 --plain --step 5 --hint',
        'tinyseek lesson 0 --reset 5',
      ],
    },
    async (args, io) => {
      const raw = args.positionals[0];
      if (raw === undefined) throw new UsageError("'lesson' needs a lesson number (see 'tinyseek lessons --list')");
      const n = Number(raw);
      if (!Number.isInteger(n) || n < 0) throw new UsageError(`lesson number must be a whole number, got '${raw}'`);
      const catalog = loadCatalog(deps.lessons);
      const index = catalog.lessons.findIndex((l) => l.number === n);
      if (index < 0) {
        const hidden = catalog.hidden.find((h) => h.lesson.number === n);
        if (hidden) throw new UsageError(`lesson ${n} is not available yet: it needs ${hidden.missing.join(', ')}`);
        throw new UsageError(
          `there is no lesson ${n} (available: ${catalog.lessons.map((l) => l.number).join(', ') || 'none'})`,
        );
      }
      const lesson = catalog.lessons[index]!;
      const step = optNum(args, 'step');
      if (step !== undefined && step > lesson.steps.length)
        throw new UsageError(`lesson ${n} has ${lesson.steps.length} steps, not ${step}`);
      const budget = str(args, 'budget') as Budget;
      const { progressFile, workspace } = files();
      const reset = optNum(args, 'reset');
      if (reset !== undefined) {
        const target = lesson.steps[reset - 1];
        if (target?.kind !== 'exercise') {
          const exercises = lesson.steps.flatMap((s, k) => (s.kind === 'exercise' ? [k + 1] : []));
          throw new UsageError(
            `--reset ${reset}: not an exercise step of lesson ${n} (its exercises: ${exercises.join(', ') || 'none'})`,
          );
        }
        const path = resetWorkspaceFile(workspace, lesson, target);
        saveProgress(progressFile, forgetExercise(tieWorkspace(progressFile, workspace), lesson.id, reset - 1));
        io.out(`reset ${path} to the starter of lesson ${n} step ${reset}\n`);
        return 0;
      }
      tieWorkspace(progressFile, workspace);
      if (!bool(args, 'plain') && deps.interactive()) {
        const how = await deps.open({
          catalog,
          progressFile,
          workspace,
          startLesson: index,
          budget,
          watch: !bool(args, 'manual-run'),
        });
        return how === 'interrupted' ? 130 : 0;
      }
      if (!bool(args, 'plain')) io.err('tinyseek: not a terminal, so printing the lesson as text (as with --plain)\n');
      const ok = await printLessonPlain(lesson, {
        out: io.out,
        width: Math.min(deps.columns(), 100),
        codeWidth: io.outTTY ? Math.min(deps.columns(), 100) : Infinity,
        budget,
        workspace,
        step,
        hint: bool(args, 'hint'),
        record: fileRecorder(progressFile, lesson),
      });
      return ok ? 0 : 1;
    },
  );

  const startCommand = defineCommand(
    {
      name: 'start',
      summary: 'open the lesson menu (what npm start runs)',
      usage: 'tinyseek start [--manual-run]',
      flags: { 'manual-run': { type: 'bool', help: 'do not watch exercise files; press r to check after saving' } },
    },
    async (args, io) => {
      const catalog = loadCatalog(deps.lessons);
      if (deps.interactive()) {
        const f = files();
        tieWorkspace(f.progressFile, f.workspace);
        const how = await deps.open({ catalog, ...f, watch: !bool(args, 'manual-run') });
        return how === 'interrupted' ? 130 : 0;
      }
      list(catalog, io);
      io.out('(Not a terminal, so no menu: run one of the commands above, or npm start in a terminal.)\n');
      return 0;
    },
  );

  /** Checks every exercise file the learner has; exit 0 only when all exercises pass. */
  async function verify(catalog: Catalog, io: IO): Promise<number> {
    const { progressFile, workspace } = files();
    tieWorkspace(progressFile, workspace);
    const count = { passed: 0, failed: 0, missing: 0 };
    io.out(`tinyseek lessons verify: your files in ${workspace}\n`);
    for (const lesson of catalog.lessons) {
      for (const [k, step] of lesson.steps.entries()) {
        if (step.kind !== 'exercise') continue;
        const path = workspaceFile(workspace, lesson, step as ExerciseStep);
        const where = `lesson ${lesson.number} step ${k + 1} (${step.title})`;
        if (!existsSync(path)) {
          count.missing++;
          io.out(
            `  · ${where}: not started (tinyseek lesson ${lesson.number} --plain --step ${k + 1} creates ${path})\n`,
          );
          continue;
        }
        const outcome = await checkExerciseInWorker(lesson, k, path);
        if (outcome.pass) {
          count.passed++;
          saveProgress(progressFile, recordExercisePass(loadProgress(progressFile), lesson.id, k));
          io.out(`  ✓ ${where}: passed\n`);
        } else {
          count.failed++;
          io.out(`  ✗ ${where}: ${outcome.message.split('\n')[0]} (${path})\n`);
        }
      }
    }
    io.out(`${count.passed} passed, ${count.failed} failed, ${count.missing} not started\n`);
    return count.failed === 0 && count.missing === 0 ? 0 : 1;
  }

  return { lessonsCommand, lessonCommand, startCommand };
}

const real = makeLessonCommands({
  lessons: registry,
  env: process.env,
  cwd: process.cwd(),
  interactive: () => Boolean(process.stdin.isTTY && process.stdout.isTTY),
  columns: () => (process.stdout.isTTY && process.stdout.columns) || 80,
  // The player (ink, react) loads only when it opens, so text commands stay quick.
  open: async (opts) => (await import('../tui/open.tsx')).openPlayer(opts),
});

export const { lessonsCommand, lessonCommand, startCommand } = real;
