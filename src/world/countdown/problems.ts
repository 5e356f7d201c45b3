// Countdown problems whose solution is any binary tree (pair combination), not only a left-assoc chain:
// draw n numbers in 1..COUNTDOWN_MAX_NUMBER, combine random pairs with random legal moves (pairs.ts: results
// ≤ COUNTDOWN_MAX_VALUE) until one number is left, and take it as the target when it lies in
// [CD_MIN_TARGET, CD_MAX_TARGET] (the miniature's COUNTDOWN_SCALE) and is not one of the
// numbers (Gandhi et al.'s tasks/countdown.py draws the same way: 3-4 numbers, pair-DFS-solvable targets).
//   "3 5 7 to 56" → answer "(3+5)*7" (the generating tree, minimal parentheses)
// The problem is an ordinary `countdown` Problem: the verifier, problemKey and the held-out split apply.
import type { Rng } from '../../core/rng.ts';
import type { Problem } from '../problems/types.ts';
import {
  COUNTDOWN_MAX_NUMBER,
  COUNTDOWN_MAX_NUMBERS,
  COUNTDOWN_MAX_TARGET,
  COUNTDOWN_MIN_TARGET,
  countdownPrompt,
} from '../problems/countdown.ts';
import { legalMoves, pathExpression, type Move } from './pairs.ts';

export const CD_MIN_TARGET = COUNTDOWN_MIN_TARGET;
export const CD_MAX_TARGET = COUNTDOWN_MAX_TARGET;
export const CD_MIN_NUMBERS = 2;

/** A random full path of moves from `numbers` (every number used), or null if a state has no legal move. */
export function randomFullPath(numbers: readonly number[], rng: Rng): Move[] | null {
  let state = numbers.slice();
  const path: Move[] = [];
  while (state.length > 1) {
    const moves = legalMoves(state);
    if (moves.length === 0) return null;
    const m = rng.choice(moves);
    path.push(m);
    const rest = state.slice();
    rest.splice(rest.indexOf(m.a), 1);
    rest.splice(rest.indexOf(m.b), 1);
    state = [...rest, m.value];
  }
  return path;
}

export function countdownPairProblem(rng: Rng, n: number): Problem {
  if (!Number.isInteger(n) || n < CD_MIN_NUMBERS || n > COUNTDOWN_MAX_NUMBERS) {
    throw new RangeError(`countdown (pairs): ${n} numbers is outside ${CD_MIN_NUMBERS}..${COUNTDOWN_MAX_NUMBERS}`);
  }
  for (let attempt = 0; attempt < 10_000; attempt++) {
    const numbers = Array.from({ length: n }, () => rng.int(1, COUNTDOWN_MAX_NUMBER + 1));
    const path = randomFullPath(numbers, rng);
    if (path === null) continue;
    const target = path[path.length - 1]!.value;
    if (target < CD_MIN_TARGET || target > CD_MAX_TARGET || numbers.includes(target)) continue;
    return {
      kind: 'countdown',
      prompt: countdownPrompt(numbers, target),
      answer: pathExpression(numbers, path),
      difficulty: n,
      numbers,
      target,
    };
  }
  throw new Error('countdownPairProblem: no instance in 10000 draws (unreachable for the supported sizes)');
}
