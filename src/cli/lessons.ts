// `tinyseek lessons [--list] [check]`, `tinyseek lesson N [--plain]` and `tinyseek start` (what `npm start`
// runs): thin wrappers over src/tui. In a terminal, `start` and `lesson N` open the interactive player;
// anywhere else they print text (the lesson list, or the lesson with plain progress), so CI logs, pipes
// and screen readers get something useful. `lessons check` proves every lesson works (also in npm test).
import { lessons as registry } from '../../lessons/index.ts';
import type { Budget, Lesson } from '../tui/manifest.ts';
import { loadCatalog, type Catalog } from '../tui/catalog.ts';
import { checkLessons } from '../tui/check-lessons.ts';
import { workspaceRoot } from '../tui/exercise.ts';
import type { OpenOptions } from '../tui/open.tsx';
import { printLessonPlain } from '../tui/plain.ts';
import { loadProgress, progressPath } from '../tui/progress-file.ts';
import { listText } from '../tui/render/menu.ts';
import { styler } from '../tui/style.ts';
import { bool, optNum, str, UsageError } from './args.ts';
import { defineCommand, type Command, type IO } from './command.ts';

export interface LessonDeps {
  lessons: Lesson[];
  env: Record<string, string | undefined>;
  cwd: string;
  /** True when both stdin and stdout are terminals (the player needs keys and a screen). */
  interactive(): boolean;
  /** Text width for plain output. */
  columns(): number;
  open(opts: OpenOptions): Promise<void>;
}

const budgetFlag = (dflt: Budget) => ({
  type: 'string' as const,
  choices: ['small', 'full'] as const,
  default: dflt,
  help: "how much work runs do ('small': seconds, for CI)",
});

export function makeLessonCommands(deps: LessonDeps): {
  lessonsCommand: Command;
  lessonCommand: Command;
  startCommand: Command;
} {
  const files = () => ({ progressFile: progressPath(deps.env), workspace: workspaceRoot(deps.env, deps.cwd) });
  const list = (catalog: Catalog, io: IO) => {
    const { progressFile } = files();
    io.out(
      listText(
        catalog.lessons,
        catalog.hidden,
        loadProgress(progressFile),
        progressFile,
        Math.min(deps.columns(), 100),
        styler('none'),
      ),
    );
  };

  const lessonsCommand = defineCommand(
    {
      name: 'lessons',
      summary: 'list the lessons and your progress, or check that every lesson works',
      usage: 'tinyseek lessons [--list] [check]',
      positionals: ['check'],
      flags: { list: { type: 'bool', help: 'list the lessons (the default)' }, budget: budgetFlag('small') },
      examples: ['tinyseek lessons --list', 'tinyseek lessons check'],
    },
    async (args, io) => {
      const [sub] = args.positionals;
      if (sub === undefined) {
        list(loadCatalog(deps.lessons), io);
        return 0;
      }
      if (sub !== 'check') throw new UsageError(`unknown argument '${sub}' for 'lessons' (did you mean 'check'?)`);
      const report = await checkLessons(deps.lessons, { budget: str(args, 'budget') as Budget });
      io.out(report.lines.join('\n') + '\n');
      return report.ok ? 0 : 1;
    },
  );

  const lessonCommand = defineCommand(
    {
      name: 'lesson',
      summary: 'open lesson N in the player, or print it with --plain',
      usage: 'tinyseek lesson N [--plain] [--step S] [--hint] [--budget small|full] [--manual-run]',
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
      },
      examples: ['tinyseek lesson 0', 'tinyseek lesson 0 --plain', 'tinyseek lesson 0 --plain --step 5 --hint'],
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
      if (!bool(args, 'plain') && deps.interactive()) {
        await deps.open({
          catalog,
          progressFile,
          workspace,
          startLesson: index,
          budget,
          watch: !bool(args, 'manual-run'),
        });
        return 0;
      }
      if (!bool(args, 'plain')) io.err('tinyseek: not a terminal, so printing the lesson as text (as with --plain)\n');
      const ok = await printLessonPlain(lesson, {
        out: io.out,
        width: Math.min(deps.columns(), 100),
        budget,
        workspace,
        step,
        hint: bool(args, 'hint'),
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
        await deps.open({ catalog, ...files(), watch: !bool(args, 'manual-run') });
        return 0;
      }
      list(catalog, io);
      io.out('(Not a terminal, so no menu: run one of the commands above, or npm start in a terminal.)\n');
      return 0;
    },
  );

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
