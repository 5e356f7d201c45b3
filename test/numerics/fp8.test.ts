import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  codeBits,
  codeClass,
  decodeE4M3,
  decodeE5M2,
  decodeFp8,
  encodeE4M3,
  encodeE5M2,
  encodeFp8,
  isNaNCode,
  roundToFp8,
} from '../../src/numerics/fp8.ts';
import { E4M3, E5M2, type Fp8Format } from '../../src/numerics/formats.ts';
import { exponentOf, f32Bits, f32FromBits } from '../../src/numerics/float-bits.ts';

const FORMATS: Fp8Format[] = [E4M3, E5M2];
const codes = Array.from({ length: 256 }, (_, c) => c);
const finiteCodes = (fmt: Fp8Format) => codes.filter((c) => Number.isFinite(decodeFp8(c, fmt)));

/** Round to nearest, ties to even, by brute force over every finite code: the oracle the encoder must match. */
function nearestByBruteForce(x: number, fmt: Fp8Format): number {
  const ax = Math.abs(x);
  let best = -1;
  let bestDist = Infinity;
  for (const c of finiteCodes(fmt).filter((c) => c < 0x80)) {
    const d = Math.abs(decodeFp8(c, fmt) - ax);
    if (d < bestDist || (d === bestDist && (c & 1) === 0)) [best, bestDist] = [c, d];
  }
  const negative = x < 0 || Object.is(x, -0);
  return (negative ? 0x80 : 0) | best;
}

/** Float32 inputs inside the finite range of the format (no overflow). */
const inRangeF32 = (fmt: Fp8Format) =>
  fc.float({ noNaN: true, noDefaultInfinity: true, min: Math.fround(-fmt.maxFinite), max: Math.fround(fmt.maxFinite) });

describe('FP8 code fields and classes', () => {
  it('codeBits writes the sign, exponent and mantissa fields of every code, and codeClass agrees with its value', () => {
    for (const fmt of [E4M3, E5M2])
      for (let code = 0; code < 256; code++) {
        const bits = codeBits(code, fmt);
        expect(bits.split('.').map((f) => f.length)).toEqual([1, fmt.expBits, fmt.manBits]);
        expect(parseInt(bits.replace(/\./g, ''), 2)).toBe(code);
        const v = decodeFp8(code, fmt),
          cls = codeClass(code, fmt);
        const want = Number.isNaN(v)
          ? 'nan'
          : !Number.isFinite(v)
            ? 'inf'
            : v === 0
              ? 'zero'
              : Math.abs(v) < 2 ** fmt.emin
                ? 'subnormal'
                : 'normal';
        expect(cls, `${fmt.name} code ${code}`).toBe(want);
      }
  });
});

describe('FP8 decode', () => {
  it('gives the OCP values of the landmark E4M3 codes', () => {
    expect(decodeE4M3(0x00)).toBe(0);
    expect(Object.is(decodeE4M3(0x80), -0)).toBe(true);
    expect(decodeE4M3(0x01)).toBe(2 ** -9); // smallest subnormal
    expect(decodeE4M3(0x07)).toBe(0.875 * 2 ** -6); // largest subnormal
    expect(decodeE4M3(0x08)).toBe(2 ** -6); // smallest normal
    expect(decodeE4M3(0x38)).toBe(1);
    expect(decodeE4M3(0x7e)).toBe(448);
    expect(decodeE4M3(0xfe)).toBe(-448);
    expect(decodeE4M3(0x7f)).toBeNaN();
    expect(decodeE4M3(0xff)).toBeNaN();
  });

  it('gives the OCP values of the landmark E5M2 codes', () => {
    expect(decodeE5M2(0x01)).toBe(2 ** -16);
    expect(decodeE5M2(0x04)).toBe(2 ** -14);
    expect(decodeE5M2(0x3c)).toBe(1);
    expect(decodeE5M2(0x7b)).toBe(57344);
    expect(decodeE5M2(0x7c)).toBe(Infinity);
    expect(decodeE5M2(0xfc)).toBe(-Infinity);
    for (const c of [0x7d, 0x7e, 0x7f, 0xfd, 0xfe, 0xff]) expect(decodeE5M2(c)).toBeNaN();
  });

  it('has 2 NaN codes in E4M3 and 6 NaN plus 2 infinities in E5M2, all others finite and distinct', () => {
    expect(codes.filter((c) => isNaNCode(c, E4M3))).toEqual([0x7f, 0xff]);
    expect(codes.filter((c) => isNaNCode(c, E5M2))).toEqual([0x7d, 0x7e, 0x7f, 0xfd, 0xfe, 0xff]);
    expect(codes.filter((c) => Math.abs(decodeE5M2(c)) === Infinity)).toEqual([0x7c, 0xfc]);
    for (const fmt of FORMATS) {
      const values = finiteCodes(fmt)
        .map((c) => decodeFp8(c, fmt))
        .filter((v) => v !== 0);
      expect(new Set(values).size).toBe(values.length);
    }
  });

  it('is increasing in the code over the positive finite codes', () => {
    for (const fmt of FORMATS) {
      const pos = finiteCodes(fmt)
        .filter((c) => c < 0x80)
        .map((c) => decodeFp8(c, fmt));
      for (let i = 1; i < pos.length; i++) expect(pos[i]!).toBeGreaterThan(pos[i - 1]!);
      expect(pos[pos.length - 1]).toBe(fmt.maxFinite);
    }
  });

  it('rejects codes outside 0..255', () => {
    expect(() => decodeE4M3(256)).toThrow(RangeError);
    expect(() => decodeE5M2(-1)).toThrow(RangeError);
    expect(() => decodeE4M3(1.5)).toThrow(RangeError);
  });
});

describe('FP8 encode', () => {
  it('round-trips every one of the 256 codes (NaN codes to the canonical NaN), plain and saturating', () => {
    for (const fmt of FORMATS)
      for (const c of codes)
        for (const saturate of [false, true]) {
          const v = decodeFp8(c, fmt);
          let want = c;
          if (Number.isNaN(v))
            want = fmt.nanCode; // a JS NaN carries no sign
          else if (Math.abs(v) === Infinity && saturate) want = (c & 0x80) | fmt.maxCode;
          expect(encodeFp8(v, fmt, saturate), `${fmt.name} code ${c} saturate ${saturate}`).toBe(want);
        }
  });

  it('rounds every float32 in range to the nearest code, ties to even (brute-force oracle)', () => {
    for (const fmt of FORMATS)
      fc.assert(
        fc.property(inRangeF32(fmt), (x) => encodeFp8(x, fmt) === nearestByBruteForce(x, fmt)),
        { numRuns: 500 },
      );
  });

  it('sends every halfway point between neighbouring codes to the even one, and its float32 neighbours to the nearer one', () => {
    for (const fmt of FORMATS) {
      const pos = finiteCodes(fmt).filter((c) => c < 0x80);
      for (let i = 0; i + 1 < pos.length; i++) {
        const [lo, hi] = [pos[i]!, pos[i + 1]!];
        const mid = (decodeFp8(lo, fmt) + decodeFp8(hi, fmt)) / 2; // exact in float32
        expect(Math.fround(mid)).toBe(mid);
        const even = (lo & 1) === 0 ? lo : hi;
        for (const sign of [1, -1]) {
          const s = sign < 0 ? 0x80 : 0;
          expect(encodeFp8(sign * mid, fmt)).toBe(s | even);
          const above = f32FromBits(f32Bits(mid) + 1);
          const below = f32FromBits(f32Bits(mid) - 1);
          expect(encodeFp8(sign * above, fmt)).toBe(s | hi);
          expect(encodeFp8(sign * below, fmt)).toBe(s | lo);
        }
      }
    }
  });

  it('is monotone: x ≤ y implies decode(encode(x)) ≤ decode(encode(y)) (saturating, any finite x, y)', () => {
    for (const fmt of FORMATS)
      fc.assert(
        fc.property(fc.double({ noNaN: true }), fc.double({ noNaN: true }), (x, y) => {
          const [a, b] = x <= y ? [x, y] : [y, x];
          return roundToFp8(a, fmt, true) <= roundToFp8(b, fmt, true);
        }),
        { numRuns: 500 },
      );
  });

  it('stays within half an ulp of the float32 input', () => {
    for (const fmt of FORMATS)
      fc.assert(
        fc.property(inRangeF32(fmt), (x) => {
          // ulp(x) = 2^(max(floor(log2|x|), emin) - manBits): subnormals share the smallest normal's spacing.
          const e = x === 0 ? fmt.emin : Math.max(exponentOf(x), fmt.emin);
          return Math.abs(roundToFp8(x, fmt) - x) <= 2 ** (e - fmt.manBits) / 2;
        }),
        { numRuns: 1000 },
      );
  });

  it('maps ±0, NaN and ±Inf as PyTorch does', () => {
    for (const fmt of FORMATS) {
      expect(encodeFp8(0, fmt)).toBe(0x00);
      expect(encodeFp8(-0, fmt)).toBe(0x80);
      expect(encodeFp8(NaN, fmt)).toBe(0x7f);
      expect(encodeFp8(NaN, fmt, true)).toBe(0x7f);
    }
    expect(encodeE4M3(Infinity)).toBe(0x7f); // no infinity in E4M3: NaN
    expect(encodeE4M3(-Infinity)).toBe(0xff);
    expect(encodeE5M2(Infinity)).toBe(0x7c);
    expect(encodeE5M2(-Infinity)).toBe(0xfc);
    expect(encodeE4M3(-Infinity, true)).toBe(0xfe);
    expect(encodeE5M2(Infinity, true)).toBe(0x7b);
  });

  it('overflows exactly where round-to-nearest-even leaves the finite range', () => {
    // E4M3: 464 is the tie between 448 (even mantissa) and 480 (the NaN pattern): it stays at 448.
    expect(encodeE4M3(464)).toBe(0x7e);
    expect(encodeE4M3(Math.fround(464 + 2 ** -15))).toBe(0x7f);
    expect(encodeE4M3(470)).toBe(0x7f);
    expect(encodeE4M3(-1e6)).toBe(0xff);
    // E5M2: 61440 is the tie between 57344 (odd mantissa) and 65536 (the Inf pattern): it goes to Inf.
    expect(encodeE5M2(61440)).toBe(0x7c);
    expect(encodeE5M2(61439.996)).toBe(0x7b);
    expect(encodeE5M2(-1e9)).toBe(0xfc);
  });

  it('saturating equals plain after clamping to ±max, and differs only where plain overflows', () => {
    for (const fmt of FORMATS)
      fc.assert(
        fc.property(fc.double({ noNaN: true }), (x) => {
          const sat = encodeFp8(x, fmt, true);
          const plain = encodeFp8(x, fmt);
          const clamped = encodeFp8(Math.min(fmt.maxFinite, Math.max(-fmt.maxFinite, x)), fmt);
          const overflowed = (plain & 0x7f) === fmt.overflowCode;
          return sat === clamped && (overflowed ? sat === ((plain & 0x80) | fmt.maxCode) : sat === plain);
        }),
        { numRuns: 500 },
      );
  });

  it('handles subnormals: ties at half the smallest subnormal go to zero, the carry into the smallest normal works', () => {
    expect(encodeE4M3(2 ** -9)).toBe(0x01);
    expect(encodeE4M3(2 ** -10)).toBe(0x00); // tie between 0 and 2^-9: even is 0
    expect(encodeE4M3(-(2 ** -10))).toBe(0x80);
    expect(encodeE4M3(Math.fround(2 ** -10 * (1 + 2 ** -20)))).toBe(0x01);
    expect(encodeE4M3(3 * 2 ** -10)).toBe(0x02); // tie between 1 and 2 units: even is 2
    expect(encodeE4M3(7.5 * 2 ** -9)).toBe(0x08); // tie between largest subnormal (7, odd) and smallest normal
    expect(encodeE5M2(2 ** -17)).toBe(0x00);
    expect(encodeE5M2(1.5 * 2 ** -16)).toBe(0x02);
    expect(encodeE5M2(3.5 * 2 ** -16)).toBe(0x04); // into the smallest normal 2^-14
    expect(encodeE4M3(1e-40)).toBe(0x00); // a float32 subnormal
    expect(encodeE4M3(-1e-40)).toBe(0x80);
  });

  it('rounds to float32 first: a double just above an FP8 tie whose float32 is the tie goes to even (double rounding)', () => {
    // 1.0625 is the tie between 1 (0x38) and 1.125 (0x39). 1.0625 + 2^-40 rounds to float32 1.0625, a tie.
    expect(encodeE4M3(1.0625 + 2 ** -40)).toBe(0x38);
    // Direct rounding of that double would give 0x39; a float32 above the tie does.
    expect(encodeE4M3(1.0625 + 2 ** -20)).toBe(0x39);
    // Where the float32 is not a tie, rounding twice and once agree.
    expect(encodeE4M3(1.0625 + 2 ** -23)).toBe(0x39);
    expect(encodeE5M2(1.125 + 2 ** -40)).toBe(0x3c); // 1.125 ties 1 (0x3c) and 1.25 (0x3d)
  });
});
