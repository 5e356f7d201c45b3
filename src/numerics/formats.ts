// The two OCP FP8 formats (OFP8 v1.0) that DeepSeek-V3 trains with, described by their bit layout.
//
//   E4M3 ("fn": finite + NaN): bias 7, no infinities, NaN = S.1111.111 (0x7F/0xFF), max S.1111.110 = 448,
//        min normal 2^-6, subnormals m·2^-9. V3 uses it for every GEMM operand [V3 §3.3].
//   E5M2 (IEEE-like): bias 15, Inf = S.11111.00, NaN = S.11111.{01,10,11}, max S.11110.11 = 57344,
//        min normal 2^-14, min subnormal 2^-16. The older hybrid recipes used it for gradients.
// Value of a code: E = 0 → (-1)^S · M · 2^(1-bias-manBits); else (-1)^S · (1 + M/2^manBits) · 2^(E-bias).
// Source: reference/deepseek-v3-architecture.md §4 (OCP FP8 block).

export type Fp8FormatName = 'e4m3' | 'e5m2';
export const FP8_FORMAT_NAMES: readonly Fp8FormatName[] = ['e4m3', 'e5m2'];

export interface Fp8Format {
  name: Fp8FormatName;
  /** PyTorch's dtype name, for messages and fixtures. */
  torchName: 'float8_e4m3fn' | 'float8_e5m2';
  expBits: number;
  manBits: number;
  bias: number;
  /** Smallest normal exponent, 1 - bias. */
  emin: number;
  /** Largest exponent of a finite value. */
  emax: number;
  /** Largest finite magnitude (448 or 57344) and its code. */
  maxFinite: number;
  maxCode: number;
  /** The code (sign clear) a non-saturating cast gives when a value rounds past maxFinite: NaN for E4M3, Inf for E5M2. */
  overflowCode: number;
  /** The NaN code PyTorch writes (sign clear); E5M2 has two more NaN codes, 0x7D and 0x7E. */
  nanCode: number;
  hasInf: boolean;
}

export const E4M3: Fp8Format = {
  name: 'e4m3',
  torchName: 'float8_e4m3fn',
  expBits: 4,
  manBits: 3,
  bias: 7,
  emin: -6,
  emax: 8,
  maxFinite: 448,
  maxCode: 0x7e,
  overflowCode: 0x7f,
  nanCode: 0x7f,
  hasInf: false,
};

export const E5M2: Fp8Format = {
  name: 'e5m2',
  torchName: 'float8_e5m2',
  expBits: 5,
  manBits: 2,
  bias: 15,
  emin: -14,
  emax: 15,
  maxFinite: 57344,
  maxCode: 0x7b,
  overflowCode: 0x7c,
  nanCode: 0x7f,
  hasInf: true,
};

export function fp8Format(name: Fp8FormatName): Fp8Format {
  return name === 'e4m3' ? E4M3 : E5M2;
}
