// BF16 (bfloat16): the top half of a float32 — 1 sign, 8 exponent, 7 fraction bits — so the same range as
// float32 with 8 significant bits. V3 keeps its embedding, head, gating, norms, attention and AdamW moments
// in BF16 [V3 §3.3]. Encoding rounds the float32 to nearest-even on the dropped 16 bits:
//   code = (bits + 0x7FFF + ((bits >> 16) & 1)) >> 16
// (adding just under half, plus one more when the kept part is odd, carries exactly when RNE rounds up; a
// carry into the exponent is a correct round-up, to ±Inf past the largest finite value). NaN becomes the
// canonical quiet NaN 0x7FC0, as in PyTorch's c10::BFloat16. Source: reference/deepseek-v3-architecture.md §4.
import { f32Bits, f32FromBits } from './float-bits.ts';

export const BF16_MAX = f32FromBits(0x7f7f0000); // (2 - 2^-7) · 2^127
export const BF16_NAN_CODE = 0x7fc0;

/** BF16 code of the float32 with bit pattern `bits`. */
export function encodeBF16Bits(bits: number): number {
  if ((bits & 0x7fffffff) > 0x7f800000) return BF16_NAN_CODE;
  return ((bits + 0x7fff + ((bits >>> 16) & 1)) >>> 16) & 0xffff;
}

/** BF16 code (0..65535) of `x`, rounded to float32 first. */
export function encodeBF16(x: number): number {
  if (x !== x) return BF16_NAN_CODE;
  return encodeBF16Bits(f32Bits(x));
}

/** Exact value of a BF16 code: the float32 whose top half it is. */
export function decodeBF16(code: number): number {
  if (!Number.isInteger(code) || code < 0 || code > 0xffff)
    throw new RangeError(`BF16 code must be an integer in 0..65535, got ${code}`);
  return f32FromBits(code << 16);
}

/** `x` rounded to the nearest BF16 value. */
export function roundToBF16(x: number): number {
  return decodeBF16(encodeBF16(x));
}

/** BF16 codes of a float32 array (allocation-free per element; NaN → 0x7FC0). */
export function encodeBF16Array(src: Float32Array, out?: Uint16Array): Uint16Array {
  const dst = out ?? new Uint16Array(src.length);
  const bits = new Uint32Array(src.buffer, src.byteOffset, src.length);
  for (let i = 0; i < bits.length; i++) dst[i] = encodeBF16Bits(bits[i]!);
  return dst;
}

/** Float32 values of BF16 codes: shift each code into the top half of a float32. */
export function decodeBF16Array(codes: Uint16Array, out?: Float32Array): Float32Array {
  const dst = out ?? new Float32Array(codes.length);
  const bits = new Uint32Array(dst.buffer, dst.byteOffset, codes.length);
  for (let i = 0; i < codes.length; i++) bits[i] = codes[i]! << 16;
  return dst;
}
