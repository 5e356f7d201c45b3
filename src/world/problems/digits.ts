// Small helpers over decimal digits shared by the generators and the worked solutions.
// A "d-digit number" is one of 10^(d-1)..10^d-1, except d = 1, which is 0..9 (single digits include 0,
// as on a times table); digits are listed least significant first because column arithmetic goes right to left.
import type { Rng } from '../../core/rng.ts';

/** A uniform d-digit number (d = 1 includes 0). */
export function randomWithDigits(rng: Rng, d: number): number {
  if (d === 1) return rng.int(0, 10);
  return rng.int(10 ** (d - 1), 10 ** d);
}

/** Digits of a non-negative integer, least significant first: 307 → [7, 0, 3]. */
export function digitsLsbFirst(n: number): number[] {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`digitsLsbFirst: not a non-negative safe integer: ${n}`);
  const out: number[] = [];
  do {
    out.push(n % 10);
    n = Math.floor(n / 10);
  } while (n > 0);
  return out;
}
