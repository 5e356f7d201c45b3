// FP8 casts, exact to the bit: JS number → float32 → FP8 code (round to nearest, ties to even), and back.
//
// Encoding shifts the float32 significand 1.M right until its lowest kept bit weighs one FP8 ulp (further for
// subnormals); the dropped bits round it (above half → up, exactly half → to the even code), and a carry lands
// in the exponent field by itself. Overflow, the two OCP modes: plain sends past-max values to NaN (E4M3) or
// ±Inf (E5M2), NaN keeping its sign; saturating clamps to ±max first (±Inf → ±max). PyTorch's E5M2 `.to()`
// is plain; its E4M3 `.to()` was plain until pytorch#178817 (April 2026) and saturates since (2.13 checked).
// Double rounding: rounding to float32 first (as a float64 tensor's cast does) differs from one rounding only
// when the float32 lands on an FP8 tie the double missed: 1.0625 + 2^-40 → 1.0625 → 1.0, not 1.125.
// Source: reference/deepseek-v3-architecture.md §4 (OCP FP8); fixtures/fp8/casts.json (PyTorch's codes).
import { f32Bits, pow2 } from './float-bits.ts';
import { fp8Format, E4M3, E5M2, type Fp8Format, type Fp8FormatName } from './formats.ts';

/** The FP8 code of the float32 with bit pattern `bits`. Allocation-free: the batch encoders call this per element. */
export function encodeFp8Bits(bits: number, fmt: Fp8Format, saturate: boolean): number {
  const sign = (bits >>> 24) & 0x80;
  const mag = bits & 0x7fffffff;
  if (mag > 0x7f800000) return sign | fmt.nanCode; // NaN
  if (mag === 0x7f800000) return sign | (saturate ? fmt.maxCode : fmt.overflowCode); // ±Inf
  const biasedExp = mag >>> 23;
  // A float32 subnormal is below 2^-126, far under half the smallest FP8 subnormal (2^-17): it rounds to ±0.
  if (biasedExp === 0) return sign;
  const e = biasedExp - 127;
  if (e > fmt.emax) return sign | (saturate ? fmt.maxCode : fmt.overflowCode);
  const sig = (mag & 0x7fffff) | 0x800000; // 1.M as a 24-bit integer
  let shift: number;
  let q: number;
  if (e >= fmt.emin) {
    shift = 23 - fmt.manBits;
    // (e - emin) << manBits is the exponent field minus one; adding the significand's leading 1 restores it.
    q = ((e - fmt.emin) << fmt.manBits) + (sig >>> shift);
  } else {
    shift = 23 - fmt.manBits + (fmt.emin - e);
    if (shift > 24) return sign; // below half the smallest subnormal
    q = sig >>> shift;
  }
  const rest = sig & ((1 << shift) - 1);
  const half = 1 << (shift - 1);
  if (rest > half || (rest === half && (q & 1) === 1)) q += 1;
  if (q > fmt.maxCode) return sign | (saturate ? fmt.maxCode : fmt.overflowCode);
  return sign | q;
}

/** The FP8 code of `x` (first rounded to float32). A JS NaN has no readable sign, so it gives the positive NaN code. */
export function encodeFp8(x: number, format: Fp8FormatName | Fp8Format, saturate = false): number {
  const fmt = typeof format === 'string' ? fp8Format(format) : format;
  if (x !== x) return fmt.nanCode;
  return encodeFp8Bits(f32Bits(x), fmt, saturate);
}

/** The exact value of an FP8 code (0..255): ±0, subnormal, normal, ±Inf (E5M2) or NaN. */
export function decodeFp8(code: number, format: Fp8FormatName | Fp8Format): number {
  const fmt = typeof format === 'string' ? fp8Format(format) : format;
  if (!Number.isInteger(code) || code < 0 || code > 255)
    throw new RangeError(`FP8 code must be an integer in 0..255, got ${code}`);
  const negative = (code & 0x80) !== 0;
  const mag = code & 0x7f;
  if (isNaNCode(mag, fmt)) return NaN;
  if (fmt.hasInf && mag === fmt.overflowCode) return negative ? -Infinity : Infinity;
  const expField = mag >>> fmt.manBits;
  const frac = mag & ((1 << fmt.manBits) - 1);
  // Integer significand times a power of two: both factors exact, so the product is exact.
  const v =
    expField === 0
      ? frac * pow2(fmt.emin - fmt.manBits)
      : ((1 << fmt.manBits) + frac) * pow2(expField - fmt.bias - fmt.manBits);
  return negative ? -v : v;
}

/** True for the NaN codes of the format (E4M3: 0x7F/0xFF; E5M2: 0x7D–0x7F and 0xFD–0xFF). */
export function isNaNCode(code: number, fmt: Fp8Format): boolean {
  const mag = code & 0x7f;
  return fmt.hasInf ? mag > fmt.overflowCode : mag === fmt.nanCode;
}

/** S.EEEE.MMM: the code's sign, exponent and mantissa fields, for reading a value off its bits. */
export function codeBits(code: number, fmt: Fp8Format): string {
  const b = code.toString(2).padStart(8, '0');
  return `${b[0]}.${b.slice(1, 1 + fmt.expBits)}.${b.slice(1 + fmt.expBits)}`;
}

/** What kind of value a code holds: nan, inf, zero, subnormal or normal. */
export function codeClass(code: number, fmt: Fp8Format): 'nan' | 'inf' | 'zero' | 'subnormal' | 'normal' {
  const mag = code & 0x7f;
  if (isNaNCode(code, fmt)) return 'nan';
  if (fmt.hasInf && mag === fmt.overflowCode) return 'inf';
  if (mag === 0) return 'zero';
  return mag >>> fmt.manBits === 0 ? 'subnormal' : 'normal';
}

export const encodeE4M3 = (x: number, saturate = false): number => encodeFp8(x, E4M3, saturate);
export const decodeE4M3 = (code: number): number => decodeFp8(code, E4M3);
export const encodeE5M2 = (x: number, saturate = false): number => encodeFp8(x, E5M2, saturate);
export const decodeE5M2 = (code: number): number => decodeFp8(code, E5M2);

/** `x` after a round trip through the format: decode(encode(x)). */
export function roundToFp8(x: number, format: Fp8FormatName | Fp8Format, saturate = false): number {
  return decodeFp8(encodeFp8(x, format, saturate), format);
}
