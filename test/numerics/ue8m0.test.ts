import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ceilPow2, decodeUE8M0, encodeUE8M0 } from '../../src/numerics/ue8m0.ts';

describe('UE8M0 power-of-two scales', () => {
  it('decodes 2^(code - 127), with 0xFF as NaN', () => {
    expect(decodeUE8M0(127)).toBe(1);
    expect(decodeUE8M0(0)).toBe(2 ** -127);
    expect(decodeUE8M0(254)).toBe(2 ** 127);
    expect(decodeUE8M0(255)).toBeNaN();
    expect(() => decodeUE8M0(256)).toThrow(RangeError);
  });

  it('rounds a scale up to the nearest power of two, never down', () => {
    expect(encodeUE8M0(1)).toBe(127);
    expect(encodeUE8M0(Math.fround(1 + 2 ** -23))).toBe(128);
    expect(encodeUE8M0(0.75)).toBe(127);
    expect(encodeUE8M0(1 / 448)).toBe(127 - 8); // 2^-8 = 1/256 ≥ 1/448
    expect(encodeUE8M0(NaN)).toBe(255);
    fc.assert(
      fc.property(fc.double({ min: 2 ** -126, max: 2 ** 126, noNaN: true }), (s) => {
        const p = decodeUE8M0(encodeUE8M0(s));
        return p >= s && p < 2 * s && p === ceilPow2(s) && Number.isInteger(Math.log2(p));
      }),
    );
  });

  it('keeps exact powers of two and refuses scales it cannot hold', () => {
    for (let e = -127; e <= 127; e++) expect(decodeUE8M0(encodeUE8M0(2 ** e))).toBe(2 ** e);
    expect(() => encodeUE8M0(0)).toThrow(RangeError);
    expect(() => encodeUE8M0(-1)).toThrow(RangeError);
    expect(() => encodeUE8M0(2 ** 128)).toThrow(RangeError);
    expect(() => ceilPow2(Infinity)).toThrow(RangeError);
  });
});
