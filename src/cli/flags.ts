// Flags that several commands share, declared once: the checkpoint to read and the problems to pose.
import { DIFFICULTY_RANGE, PROBLEM_KINDS, type ProblemKind } from '../world/index.ts';
import { UsageError, type FlagSpec } from './args.ts';

export const checkpointFlag: FlagSpec = {
  type: 'string',
  help: 'checkpoint directory (a tinyseek run, or HF config.json + model.safetensors)',
  meta: 'DIR',
};

export const kindFlag = (help = 'problem kind'): FlagSpec => ({
  type: 'string',
  default: 'add',
  choices: PROBLEM_KINDS,
  help,
});

/** The difficulty of a problem kind, checked against the kind's range. */
export function difficultyOf(kind: ProblemKind, d: number, flag = 'difficulty'): number {
  const [lo, hi] = DIFFICULTY_RANGE[kind];
  if (!Number.isInteger(d) || d < lo || d > hi)
    throw new UsageError(`--${flag} for ${kind} must be in [${lo}, ${hi}], got ${d}`);
  return d;
}
