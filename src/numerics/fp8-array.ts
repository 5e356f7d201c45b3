// Batch FP8 casts over typed arrays: the fast path for quantising whole tensors.
//
// Decoding is a lookup in a 256-entry table per format (built once from decodeFp8, so the two can never
// disagree). Encoding reads the float32 bit patterns through a Uint32Array view of the input's buffer and
// calls the same bit-level encoder as the scalar cast: no per-element allocation, and a NaN's sign bit
// survives (PyTorch maps -NaN to 0xFF). Pass `out` to reuse an output buffer and allocate nothing but the view.
import { decodeFp8, encodeFp8Bits } from './fp8.ts';
import { E4M3, E5M2, fp8Format, type Fp8Format, type Fp8FormatName } from './formats.ts';

function buildTable(fmt: Fp8Format): Float32Array {
  const t = new Float32Array(256);
  for (let c = 0; c < 256; c++) t[c] = decodeFp8(c, fmt);
  return t;
}

const TABLES: Record<Fp8FormatName, Float32Array> = { e4m3: buildTable(E4M3), e5m2: buildTable(E5M2) };

/** The value of every code, indexed by code. A shared read-only table: copy it before writing to it. */
export function fp8DecodeTable(format: Fp8FormatName): Float32Array {
  return TABLES[format];
}

/** FP8 codes of every element of `src` (already float32, so no further rounding before the cast). */
export function encodeFp8Array(
  src: Float32Array,
  format: Fp8FormatName,
  opts: { saturate?: boolean; out?: Uint8Array } = {},
): Uint8Array {
  const fmt = fp8Format(format);
  const saturate = opts.saturate ?? false;
  const out = opts.out ?? new Uint8Array(src.length);
  if (out.length < src.length)
    throw new RangeError(`encodeFp8Array: out has ${out.length} slots for ${src.length} values`);
  const bits = new Uint32Array(src.buffer, src.byteOffset, src.length);
  for (let i = 0; i < bits.length; i++) out[i] = encodeFp8Bits(bits[i]!, fmt, saturate);
  return out;
}

/** Values of every code in `codes`. */
export function decodeFp8Array(codes: Uint8Array, format: Fp8FormatName, out?: Float32Array): Float32Array {
  const table = TABLES[format];
  const dst = out ?? new Float32Array(codes.length);
  if (dst.length < codes.length)
    throw new RangeError(`decodeFp8Array: out has ${dst.length} slots for ${codes.length} codes`);
  for (let i = 0; i < codes.length; i++) dst[i] = table[codes[i]!]!;
  return dst;
}

export const decodeE4M3Array = (codes: Uint8Array, out?: Float32Array): Float32Array =>
  decodeFp8Array(codes, 'e4m3', out);
export const encodeE5M2Array = (src: Float32Array, saturate = false, out?: Uint8Array): Uint8Array =>
  encodeFp8Array(src, 'e5m2', out ? { saturate, out } : { saturate });
