// Starting the interactive player in the terminal: builds the player from the catalog, the progress file
// and the workspace, renders the ink App on the process's streams, and resolves when the learner quits
// (q, or Ctrl-C). Progress is saved on every change, so quitting loses nothing but a run in progress.
import { render } from 'ink';
import type { Budget } from './manifest.ts';
import { App } from './App.tsx';
import type { Catalog } from './catalog.ts';
import { createPlayer } from './player.ts';
import { loadProgress } from './progress-file.ts';
import { detectStyleMode, styler } from './style.ts';

export interface OpenOptions {
  catalog: Catalog;
  progressFile: string;
  workspace: string;
  /** Index into catalog.lessons to open directly (`tinyseek lesson N`); the menu otherwise. */
  startLesson?: number;
  budget?: Budget;
  /** False: no file watching (--manual-run). */
  watch?: boolean;
}

/** Runs the player until the learner quits (q) or interrupts it (Ctrl-C), and says which. */
export async function openPlayer(opts: OpenOptions): Promise<'quit' | 'interrupted'> {
  const progress = loadProgress(opts.progressFile);
  const player = createPlayer(
    {
      lessons: opts.catalog.lessons,
      hidden: opts.catalog.hidden,
      progressFile: opts.progressFile,
      workspace: opts.workspace,
      budget: opts.budget ?? 'full',
      watch: opts.watch ?? true,
    },
    progress,
    { startLesson: opts.startLesson },
  );
  const style = styler(detectStyleMode(process.env, Boolean(process.stdout.isTTY)));
  let interrupted = false;
  const app = render(<App player={player} style={style} onInterrupt={() => (interrupted = true)} />, {
    exitOnCtrlC: false, // the App handles Ctrl-C, so that the command can exit 130
  });
  try {
    await app.waitUntilExit();
  } finally {
    player.dispose();
  }
  return interrupted ? 'interrupted' : 'quit';
}
