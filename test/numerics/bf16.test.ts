import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  BF16_MAX,
  decodeBF16,
  decodeBF16Array,
  encodeBF16,
  encodeBF16Array,
  roundToBF16,
} from '../../src/numerics/bf16.ts';
import { f32Bits, f32FromBits } from '../../src/numerics/float-bits.ts';

describe('BF16', () => {
  it('round-trips all 65536 codes except NaNs, which become the canonical 0x7FC0', () => {
    for (let c = 0; c < 0x10000; c++) {
      const v = decodeBF16(c);
      expect(encodeBF16(v)).toBe(Number.isNaN(v) ? 0x7fc0 : c);
    }
  });

  it('is the top half of the float32 pattern', () => {
    expect(decodeBF16(0x3f80)).toBe(1);
    expect(decodeBF16(0xc000)).toBe(-2);
    expect(decodeBF16(0x7f80)).toBe(Infinity);
    expect(decodeBF16(0x0001)).toBe(2 ** -133); // smallest subnormal
    expect(BF16_MAX).toBe((2 - 2 ** -7) * 2 ** 127);
  });

  it('rounds a float32 to the nearer neighbour, ties to the even code', () => {
    fc.assert(
      fc.property(fc.float({ noNaN: true, noDefaultInfinity: true, min: -BF16_MAX, max: BF16_MAX }), (x) => {
        const bits = f32Bits(x);
        const lo = f32FromBits(bits & 0xffff0000); // truncation toward zero
        const hi = f32FromBits((bits & 0xffff0000) + 0x10000); // next code away from zero
        const r = roundToBF16(x);
        const dLo = Math.abs(x - lo),
          dHi = Math.abs(x - hi);
        if (dLo < dHi) return Object.is(r, lo);
        if (dHi < dLo) return r === hi;
        return (encodeBF16(r) & 1) === 0 && (r === lo || r === hi);
      }),
      { numRuns: 1000 },
    );
    expect(encodeBF16(f32FromBits(0x3f808000))).toBe(0x3f80); // tie, 0x3f80 even
    expect(encodeBF16(f32FromBits(0x3f818000))).toBe(0x3f82); // tie, 0x3f81 odd → up
  });

  it('sends NaN to 0x7FC0 and rounds past the largest finite value to ±Inf', () => {
    expect(encodeBF16(NaN)).toBe(0x7fc0);
    expect(encodeBF16(Infinity)).toBe(0x7f80);
    expect(encodeBF16(-Infinity)).toBe(0xff80);
    expect(encodeBF16(f32FromBits(0x7f7f8000))).toBe(0x7f80); // tie above BF16_MAX, odd → up → Inf
    expect(encodeBF16(f32FromBits(0x7f7f7fff))).toBe(0x7f7f);
    expect(encodeBF16(-0)).toBe(0x8000);
  });

  it('batch versions agree with the scalar ones', () => {
    fc.assert(
      fc.property(fc.array(fc.float(), { maxLength: 50 }), (xs) => {
        const codes = encodeBF16Array(Float32Array.from(xs));
        const back = decodeBF16Array(codes);
        return xs.every(
          (x, i) =>
            (codes[i] === encodeBF16(x) && Object.is(back[i], decodeBF16(codes[i]!))) ||
            (Number.isNaN(x) && Number.isNaN(back[i]!)),
        );
      }),
    );
  });

  it('rejects codes outside 16 bits', () => {
    expect(() => decodeBF16(0x10000)).toThrow(RangeError);
  });
});
