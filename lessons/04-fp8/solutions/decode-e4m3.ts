// Reference solution: one FP8 E4M3 byte to the number it stands for.
//
//   bit:    7 | 6 5 4 3  | 2 1 0
//   field:  S | exponent | mantissa      (exponent bias 7)
//
// Three cases. The all-ones pattern S.1111.111 is NaN (E4M3 spends one code on NaN and none on
// infinity, which is how it reaches 448 instead of 240). Exponent 0 has no hidden leading 1 and the
// exponent of exponent 1, so the numbers below 2^-6 step evenly down to 0 (subnormals: m·2^-9).
// Everything else is a normal number 1.mmm × 2^(e−7). The sign applies to zero too: 0x80 is −0.

export function decodeE4M3(byte: number): number {
  const sign = byte & 0x80 ? -1 : 1;
  const exponent = (byte >> 3) & 0x0f;
  const mantissa = byte & 0x07;
  if (exponent === 0x0f && mantissa === 0x07) return NaN;
  if (exponent === 0) return sign * (mantissa / 8) * 2 ** (1 - 7);
  return sign * (1 + mantissa / 8) * 2 ** (exponent - 7);
}
