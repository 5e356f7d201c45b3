// Exercise: turn one FP8 E4M3 byte into the number it stands for.
//
//   bit:    7 | 6 5 4 3  | 2 1 0
//   field:  S | exponent | mantissa      (exponent bias 7)
//
//   exponent 1..15:  (−1)^S · (1 + mantissa/8) · 2^(exponent − 7)     normal numbers
//   exponent 0:      (−1)^S · (mantissa/8) · 2^(1 − 7)                 subnormals (and ±0)
//   S.1111.111 (0x7F and 0xFF): NaN. E4M3 has no infinities, so 0x7E = 448 is the largest number.
//
// This version knows only the normal formula. Make it right for every byte 0..255: the check
// compares it with tinyseek's decoder on all 256 codes. Save the file: the player re-checks it.

export function decodeE4M3(byte: number): number {
  const sign = byte & 0x80 ? -1 : 1;
  const exponent = (byte >> 3) & 0x0f;
  const mantissa = byte & 0x07;
  return sign * (1 + mantissa / 8) * 2 ** (exponent - 7);
}
