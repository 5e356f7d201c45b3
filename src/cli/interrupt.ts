// Ctrl-C for long-running commands, at the CLI edge: the first SIGINT aborts an AbortSignal that a loop polls
// after each step (finish the step, save, exit 130 with the command that resumes); a second SIGINT exits 130 at
// once, before anything else is written (atomic writes leave the last good checkpoint as it was). Node delivers
// a signal only when the event loop runs, so a loop must `await yieldToEventLoop()` (core/yield.ts) once per step; a loop that
// only awaits promises (microtasks) never lets the handler run.
import type { IO } from './command.ts';

/** The process surface this needs (tests pass a fake). */
export interface SignalTarget {
  on(event: 'SIGINT', handler: () => void): unknown;
  off(event: 'SIGINT', handler: () => void): unknown;
  exit(code: number): never;
}

export interface Interrupt {
  /** Aborted at the first Ctrl-C; pass it to the loop, or poll `signal.aborted` after each step. */
  readonly signal: AbortSignal;
  /** The exit code to return: 130 (128 + SIGINT) once interrupted, else `code`. */
  exitCode(code: number): number;
  /** The line to print after an interrupted run has saved: how to continue. */
  resumeHint(): string;
  /** The command's last word: 0, or once interrupted the resume hint on stderr and 130. */
  finish(): number;
  /** Removes the handler (call in `finally`). */
  dispose(): void;
}

export const INTERRUPTED_EXIT = 130;

/**
 * Installs the two-stage Ctrl-C handler. `what` names the work ("this step"), `resume` is the command that
 * continues an interrupted run (omit it when the command cannot resume).
 */
export function installInterrupt(opts: {
  io: Pick<IO, 'err'>;
  what?: string;
  resume?: string;
  target?: SignalTarget;
}): Interrupt {
  const target: SignalTarget = opts.target ?? (process as unknown as SignalTarget);
  const controller = new AbortController();
  const onSigint = () => {
    if (!controller.signal.aborted) {
      controller.abort();
      opts.io.err(`\ninterrupted: finishing ${opts.what ?? 'this step'} and saving (Ctrl-C again to stop at once)\n`);
      return;
    }
    opts.io.err('stopped at once: the last complete checkpoint is left as it was\n');
    target.exit(INTERRUPTED_EXIT);
  };
  target.on('SIGINT', onSigint);
  const resumeHint = () =>
    opts.resume
      ? `interrupted: the run directory is consistent; continue with: ${opts.resume}\n`
      : 'interrupted: what was finished is saved\n';
  return {
    signal: controller.signal,
    exitCode: (code) => (controller.signal.aborted ? INTERRUPTED_EXIT : code),
    resumeHint,
    finish: () => {
      if (!controller.signal.aborted) return 0;
      opts.io.err(resumeHint());
      return INTERRUPTED_EXIT;
    },
    dispose: () => void target.off('SIGINT', onSigint),
  };
}
