// UE8M0: an unsigned 8-bit exponent with no mantissa, value 2^(code - 127); code 0xFF is NaN. It stores
// power-of-two scales (V3's "round scaled" activations for MoE dispatch and the attention-output Linear
// [V3 §3.3]; kernel.py's scale_fmt "ue8m0"; DeepGEMM on SM100 packs four per int32).
// A scale is rounded *up* to a power of two, s' = 2^ceil(log2 s), so that |x / s'| ≤ |x / s| ≤ fp8max still
// holds: a smaller scale could push the tile's amax past the largest FP8 value.
// Source: reference/deepseek-v3-architecture.md §4 (act_quant with scale_fmt "ue8m0").
import { exponentOf, pow2 } from './float-bits.ts';

export const UE8M0_NAN_CODE = 0xff;
export const UE8M0_BIAS = 127;

/** Smallest power of two ≥ s, for a finite s > 0 (exact: reads the exponent field, no log2). */
export function ceilPow2(s: number): number {
  if (!(s > 0) || !Number.isFinite(s)) throw new RangeError(`ceilPow2 needs a finite positive number, got ${s}`);
  if (s <= pow2(-1022)) return pow2(-1022); // subnormal doubles: their exponent field does not give floor(log2)
  const e = exponentOf(s);
  const p = pow2(e);
  return p === s ? p : p * 2;
}

/** UE8M0 code of the smallest power of two ≥ s. Throws for s outside (0, 2^127] (not representable). */
export function encodeUE8M0(s: number): number {
  if (s !== s) return UE8M0_NAN_CODE;
  if (!(s > 0) || s > pow2(127)) throw new RangeError(`UE8M0 scale must be in (0, 2^127], got ${s}`);
  if (s <= pow2(-127)) return 0;
  return exponentOf(ceilPow2(s)) + UE8M0_BIAS;
}

/** 2^(code - 127); NaN for 0xFF. */
export function decodeUE8M0(code: number): number {
  if (!Number.isInteger(code) || code < 0 || code > 255)
    throw new RangeError(`UE8M0 code must be an integer in 0..255, got ${code}`);
  return code === UE8M0_NAN_CODE ? NaN : pow2(code - UE8M0_BIAS);
}
