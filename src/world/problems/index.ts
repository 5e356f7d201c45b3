// Problem generators by kind, problem sets, and the fixed held-out split.
//   difficulty: add/sub/mul = digits of the operands (1..6); expr = digits of its +/- terms (1..3);
//   countdown = how many numbers are given (2..5).
// The held-out split comes from its own named stream (`<seed>/heldout/<kind>/d<difficulty>`), so it is the
// same whatever else a run draws; trainers pass `heldOutKeys(...)` as `exclude` so they never train on it.
import { Rng } from '../../core/rng.ts';
import type { Problem, ProblemGenerator, ProblemKind } from './types.ts';
import { PROBLEM_KINDS } from './types.ts';
import { additionProblem, MAX_DIGITS, multiplicationProblem, subtractionProblem } from './arithmetic.ts';
import { EXPR_MAX_DIGITS, expressionProblem } from './expression.ts';
import { COUNTDOWN_MAX_NUMBERS, COUNTDOWN_MIN_NUMBERS, countdownProblem } from './countdown.ts';

export const GENERATORS: Readonly<Record<ProblemKind, ProblemGenerator>> = {
  add: additionProblem,
  sub: subtractionProblem,
  mul: multiplicationProblem,
  expr: expressionProblem,
  countdown: countdownProblem,
};

/** The difficulties each kind supports, inclusive. */
export const DIFFICULTY_RANGE: Readonly<Record<ProblemKind, readonly [number, number]>> = {
  add: [1, MAX_DIGITS],
  sub: [1, MAX_DIGITS],
  mul: [1, MAX_DIGITS],
  expr: [1, EXPR_MAX_DIGITS],
  countdown: [COUNTDOWN_MIN_NUMBERS, COUNTDOWN_MAX_NUMBERS],
};

/** A seed for the held-out split that experiments share unless they say otherwise. */
export const DEFAULT_HELD_OUT_SEED = 20250120;

export function isProblemKind(s: string): s is ProblemKind {
  return (PROBLEM_KINDS as readonly string[]).includes(s);
}

export function generateProblem(kind: ProblemKind, rng: Rng, difficulty: number): Problem {
  const gen = GENERATORS[kind];
  if (gen === undefined) throw new RangeError(`unknown problem kind '${kind}' (kinds: ${PROBLEM_KINDS.join(', ')})`);
  return gen(rng, difficulty);
}

/** Identity of a problem for de-duplication and held-out exclusion. Countdown ignores the order in which
 * the numbers are listed ("5 3 7 to 56" is the same task as "3 5 7 to 56"). */
export function problemKey(p: Pick<Problem, 'kind' | 'prompt' | 'numbers' | 'target'>): string {
  if (p.kind === 'countdown' && p.numbers && p.target !== undefined) {
    const sorted = p.numbers.slice().sort((a, b) => a - b);
    return `countdown:${sorted.join(' ')} to ${p.target}`;
  }
  return `${p.kind}:${p.prompt}`;
}

export interface ProblemSetOptions {
  /** Keys (problemKey) never to return, e.g. the held-out split. */
  exclude?: ReadonlySet<string>;
  /** Return distinct problems only. */
  unique?: boolean;
}

/** `count` problems of one kind drawn from `rng`, skipping excluded keys (and repeats when `unique`). */
export function makeProblemSet(
  kind: ProblemKind,
  count: number,
  rng: Rng,
  difficulty: number,
  options: ProblemSetOptions = {},
): Problem[] {
  if (!Number.isInteger(count) || count < 0)
    throw new RangeError(`makeProblemSet: count must be a non-negative integer, got ${count}`);
  const out: Problem[] = [];
  const seen = new Set<string>();
  const maxDraws = 1000 + 100 * count;
  for (let draws = 0; out.length < count; draws++) {
    if (draws >= maxDraws) {
      throw new RangeError(
        `makeProblemSet: only ${out.length} of ${count} ${kind} problems at difficulty ${difficulty} after ${maxDraws} draws ` +
          `(the space is too small for this count with these exclusions${options.unique ? ' and unique' : ''})`,
      );
    }
    const p = generateProblem(kind, rng, difficulty);
    const key = problemKey(p);
    if (options.exclude?.has(key)) continue;
    if (options.unique) {
      if (seen.has(key)) continue;
      seen.add(key);
    }
    out.push(p);
  }
  return out;
}

function heldOutRng(kind: ProblemKind, difficulty: number, seed: number | string): Rng {
  return new Rng(seed).child('heldout').child(kind).child(`d${difficulty}`);
}

/** The fixed held-out split: `n` distinct problems from the split's own stream. */
export function heldOutSet(
  kind: ProblemKind,
  difficulty: number,
  n: number,
  seed: number | string = DEFAULT_HELD_OUT_SEED,
): Problem[] {
  return makeProblemSet(kind, n, heldOutRng(kind, difficulty, seed), difficulty, { unique: true });
}

/** The keys of `heldOutSet(kind, difficulty, n, seed)`, ready to pass as `exclude`. */
export function heldOutKeys(
  kind: ProblemKind,
  difficulty: number,
  n: number,
  seed: number | string = DEFAULT_HELD_OUT_SEED,
): Set<string> {
  return new Set(heldOutSet(kind, difficulty, n, seed).map(problemKey));
}

export type { Problem, ProblemGenerator, ProblemKind } from './types.ts';
export { PROBLEM_KINDS } from './types.ts';
