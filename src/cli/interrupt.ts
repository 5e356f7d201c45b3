// Ctrl-C for long commands. The first SIGINT aborts the returned signal: the loop finishes its step, writes a
// consistent run directory and the command exits 130 with the `--resume` line. A second SIGINT exits at once
// (130) — every file is written atomically, so the last good checkpoint stays whole. Loops must yield to the
// event loop each step (core/yield.ts) for the handler to run at all.
import type { IO } from './command.ts';

export interface Interrupt {
  signal: AbortSignal;
  /** Remove the handler (call in `finally`). */
  dispose(): void;
}

/** Exit code of a command stopped by Ctrl-C (128 + SIGINT), as shells report it. */
export const INTERRUPTED = 130;

export function onInterrupt(io: Pick<IO, 'err'>, what = 'the current step'): Interrupt {
  const controller = new AbortController();
  const handler = () => {
    if (controller.signal.aborted) {
      io.err('\ninterrupted again: exiting now\n');
      process.exit(INTERRUPTED);
    }
    io.err(`\nCtrl-C: finishing ${what}, then saving (Ctrl-C again to quit at once)\n`);
    controller.abort();
  };
  process.on('SIGINT', handler);
  return { signal: controller.signal, dispose: () => void process.off('SIGINT', handler) };
}

/** The last words of an interrupted run that can resume: where it stopped and the command to continue. */
export function interrupted(io: Pick<IO, 'err'>, step: number, resume: string): number {
  io.err(`interrupted at step ${step}: the run directory is consistent; continue with\n  ${resume}\n`);
  return INTERRUPTED;
}
