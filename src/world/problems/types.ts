// What a problem of the toy world is: a question text, its one canonical exact answer, and the data a
// verifier or a worked solution needs. Every generator has the same shape, `(rng, difficulty) => Problem`,
// so trainers can mix kinds freely; `difficulty` means something per kind (see problems/index.ts).
import type { Rng } from '../../core/rng.ts';
import type { Language } from '../languages/lexicon.ts';

export const PROBLEM_KINDS = ['add', 'sub', 'mul', 'expr', 'countdown'] as const;
export type ProblemKind = (typeof PROBLEM_KINDS)[number];

export interface Problem {
  kind: ProblemKind;
  /** The question text as the model sees it inside the template, e.g. "37+85" or "3 5 7 to 56". */
  prompt: string;
  /** Canonical exact answer: a non-negative integer literal, or (countdown) one expression reaching the target. */
  answer: string;
  /** The difficulty it was generated at (digits, or how many numbers for countdown). */
  difficulty: number;
  /** The operands in prompt order (arithmetic), or the numbers one may use (countdown). */
  numbers?: number[];
  /** Countdown only: the value to reach. */
  target?: number;
  /** The language the prompt asks the thinking to use (languages/lexicon.ts); absent = symbols, the default. */
  language?: Language;
}

export type ProblemGenerator = (rng: Rng, difficulty: number) => Problem;

/** Throws a clear error when a difficulty is outside what a generator supports. */
export function checkDifficulty(kind: ProblemKind, difficulty: number, lo: number, hi: number): void {
  if (!Number.isInteger(difficulty) || difficulty < lo || difficulty > hi) {
    throw new RangeError(`${kind}: difficulty must be an integer in [${lo}, ${hi}], got ${difficulty}`);
  }
}
