import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { accumulatorRounder, roundNearestBits, roundTowardZeroBits } from '../../src/numerics/accumulator.ts';
import { roundToBF16 } from '../../src/numerics/bf16.ts';
import { exponentOf } from '../../src/numerics/float-bits.ts';

const normalRange = fc.double({ min: -1e30, max: 1e30, noNaN: true }).filter((x) => Math.abs(x) > 1e-30);
const bitsArb = fc.integer({ min: 1, max: 40 });
const ulp = (x: number, p: number) => 2 ** (exponentOf(x) - p);

describe('limited-precision accumulator rounding', () => {
  it('with 23 fraction bits and round-to-nearest is exactly Math.fround (FP32)', () => {
    fc.assert(
      fc.property(normalRange, (x) => roundNearestBits(x, 23) === Math.fround(x)),
      { numRuns: 2000 },
    );
  });

  it('with 7 fraction bits rounds a float32 exactly as BF16 does', () => {
    fc.assert(
      fc.property(
        fc
          .float({ noNaN: true, noDefaultInfinity: true, min: Math.fround(-1e30), max: Math.fround(1e30) })
          .filter((x) => Math.abs(x) > 1e-30),
        (x) => roundNearestBits(x, 7) === roundToBF16(x),
      ),
      { numRuns: 2000 },
    );
  });

  it('nearest: within half an ulp and idempotent', () => {
    fc.assert(
      fc.property(normalRange, bitsArb, (x, p) => {
        const r = roundNearestBits(x, p);
        return Math.abs(r - x) <= ulp(x, p) / 2 && roundNearestBits(r, p) === r;
      }),
    );
  });

  it('truncate: toward zero, less than one ulp away, idempotent', () => {
    fc.assert(
      fc.property(normalRange, bitsArb, (x, p) => {
        const r = roundTowardZeroBits(x, p);
        return (
          Math.abs(r) <= Math.abs(x) &&
          Math.sign(r) === Math.sign(x) &&
          Math.abs(x - r) < ulp(x, p) &&
          roundTowardZeroBits(r, p) === r
        );
      }),
    );
  });

  it('keeps 13 fraction bits by default shape: 1 + 2^-13 survives, 1 + 2^-14 does not', () => {
    expect(roundTowardZeroBits(1 + 2 ** -13, 13)).toBe(1 + 2 ** -13);
    expect(roundTowardZeroBits(1 + 2 ** -14, 13)).toBe(1);
    expect(roundTowardZeroBits(-(1 + 2 ** -14 + 2 ** -13), 13)).toBe(-(1 + 2 ** -13));
    expect(roundNearestBits(1 + 2 ** -14, 13)).toBe(1); // tie → even
    expect(roundNearestBits(1 + 3 * 2 ** -14, 13)).toBe(1 + 2 ** -12); // tie → even
    expect(roundNearestBits(0, 13)).toBe(0);
  });

  it('refuses a register shape it cannot model', () => {
    expect(() => accumulatorRounder(0, 'nearest')).toThrow(RangeError);
    expect(() => accumulatorRounder(52, 'truncate')).toThrow(RangeError);
    expect(() => accumulatorRounder(2.5, 'truncate')).toThrow(RangeError);
    expect(accumulatorRounder(13, 'truncate')(1 + 2 ** -14)).toBe(1);
  });
});
