// Column-arithmetic problems: n-digit addition, n-digit subtraction, n-digit times a 1-digit number.
//   add: a+b, both a and b d-digit                         e.g. "37+85"  → "122"
//   sub: a-b, both d-digit, a >= b so the answer is >= 0   e.g. "85-37"  → "48"
//   mul: a*m, a d-digit, m in 2..9                          e.g. "347*6"  → "2082"
// Subtraction never goes negative: our world has no negative answers, which keeps the worked borrow
// format and the answer check simple (a signed answer would be one more thing a tiny model must learn).
import type { Rng } from '../../core/rng.ts';
import type { Problem } from './types.ts';
import { checkDifficulty } from './types.ts';
import { randomWithDigits } from './digits.ts';

/** Largest digit count: keeps every operand and result a safe integer and a prompt short. */
export const MAX_DIGITS = 6;

export function additionProblem(rng: Rng, difficulty: number): Problem {
  checkDifficulty('add', difficulty, 1, MAX_DIGITS);
  const a = randomWithDigits(rng, difficulty);
  const b = randomWithDigits(rng, difficulty);
  return { kind: 'add', prompt: `${a}+${b}`, answer: String(a + b), difficulty, numbers: [a, b] };
}

export function subtractionProblem(rng: Rng, difficulty: number): Problem {
  checkDifficulty('sub', difficulty, 1, MAX_DIGITS);
  const x = randomWithDigits(rng, difficulty);
  const y = randomWithDigits(rng, difficulty);
  const [a, b] = x >= y ? [x, y] : [y, x];
  return { kind: 'sub', prompt: `${a}-${b}`, answer: String(a - b), difficulty, numbers: [a, b] };
}

export function multiplicationProblem(rng: Rng, difficulty: number): Problem {
  checkDifficulty('mul', difficulty, 1, MAX_DIGITS);
  const a = randomWithDigits(rng, difficulty);
  const m = rng.int(2, 10);
  return { kind: 'mul', prompt: `${a}*${m}`, answer: String(a * m), difficulty, numbers: [a, m] };
}
