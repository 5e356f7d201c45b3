// A limited-precision accumulator register: round a running sum to a float with `fractionBits` bits after
// the leading one (FP32 has 23, BF16 7, the FP22 (1-8-13) accumulator of H800 FP8 tensor cores 13).
//
//   nearest:  x ↦ RNE(x / u) · u,    truncate: x ↦ trunc(x / u) · u,    u = 2^(floor(log2|x|) - fractionBits)
// Truncation (toward zero) is what V3 §3.5.2 describes for Hopper ("keeping the top 14 bits and truncating
// the rest"); round-to-nearest is the textbook model. The exponent range is left unbounded (FP22 has
// float32's 8-bit exponent; tinyseek's sums stay far from its limits). Source: reference/deepseek-v3-architecture.md §4.
import { exponentOf, pow2 } from './float-bits.ts';

export type AccumulatorRounding = 'nearest' | 'truncate';

/** `x` rounded to nearest-even with `fractionBits` (1..51) fraction bits. */
export function roundNearestBits(x: number, fractionBits: number): number {
  if (x === 0 || !Number.isFinite(x)) return x;
  const e = exponentOf(x);
  if (e - fractionBits < -1022) return x; // far below any sum the emulation meets; keep it exact
  const u = pow2(e - fractionBits);
  const q = x / u; // exact: |q| in [2^fractionBits, 2^(fractionBits+1)), an integer plus the bits to drop
  let f = Math.floor(q);
  const d = q - f; // exact for |q| < 2^52
  if (d > 0.5 || (d === 0.5 && f % 2 !== 0)) f += 1;
  return f * u;
}

/** `x` rounded toward zero with `fractionBits` (1..52) fraction bits. */
export function roundTowardZeroBits(x: number, fractionBits: number): number {
  if (x === 0 || !Number.isFinite(x)) return x;
  const e = exponentOf(x);
  if (e - fractionBits < -1022) return x;
  const u = pow2(e - fractionBits);
  return Math.trunc(x / u) * u; // division and product by a power of two are exact
}

/** The rounding function for an accumulator of the given shape. */
export function accumulatorRounder(fractionBits: number, rounding: AccumulatorRounding): (x: number) => number {
  if (!Number.isInteger(fractionBits) || fractionBits < 1 || fractionBits > 51)
    throw new RangeError(`accumulator fraction bits must be an integer in 1..51, got ${fractionBits}`);
  return rounding === 'nearest'
    ? (x) => roundNearestBits(x, fractionBits)
    : (x) => roundTowardZeroBits(x, fractionBits);
}
