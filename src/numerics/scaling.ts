// Fine-grained FP8 scaling as DeepSeek-V3 trains with it: quantise a [rows, cols] matrix to FP8 codes plus
// one scale per group, where the groups are
//   tensor: one scale for the whole matrix (the classic recipe),
//   tile:   1×T along the last axis — per token, per T channels (V3 activations, T = 128),
//   block:  T×T (V3 weights, T = 128).
// Scales are computed online from the group itself: s = max(amax, 1e-4) / fp8max (kernel.py act_quant),
// optionally rounded up to a power of two (UE8M0), and x is stored as code = fp8(x / s); x ≈ decode(code)·s.
// The last axis is the GEMM's reduction axis K, so a group never straddles two K-chunks of 128. tinyseek's
// matrices are small, so T is a parameter (e.g. 32 for a d = 64 model); 128 is the default faithful to V3.
// Source: reference/deepseek-v3-architecture.md §4 (fine-grained scaling, kernel.py act_quant/weight_dequant).
import { InputError } from '../core/errors.ts';
import { f32Bits } from './float-bits.ts';
import { encodeFp8Bits } from './fp8.ts';
import { fp8DecodeTable } from './fp8-array.ts';
import { fp8Format, type Fp8FormatName } from './formats.ts';
import { ceilPow2 } from './ue8m0.ts';

export type Granularity = 'tensor' | 'tile' | 'block';

/** kernel.py's floor on amax: an all-zero group gets a tiny finite scale instead of a division by zero. */
export const AMAX_FLOOR = 1e-4;
export const DEFAULT_TILE_SIZE = 128;

export interface ScalingOptions {
  format: Fp8FormatName;
  granularity: Granularity;
  /** T: tile length (1×T) or block side (T×T). Default 128. Ignored for 'tensor'. */
  tileSize?: number;
  /** Round each scale up to a power of two (UE8M0). Default false. */
  ue8m0Scales?: boolean;
}

/** An FP8 matrix: codes [rows, cols] row-major and scales [scaleRows, scaleCols] row-major (kernel.py's layouts). */
export interface QuantisedMatrix {
  format: Fp8FormatName;
  granularity: Granularity;
  tileSize: number;
  ue8m0Scales: boolean;
  rows: number;
  cols: number;
  codes: Uint8Array;
  scales: Float32Array;
  scaleRows: number;
  scaleCols: number;
}

/** Shape of the scale grid: tensor [1,1], tile [rows, ⌈cols/T⌉], block [⌈rows/T⌉, ⌈cols/T⌉]. */
export function scaleShape(rows: number, cols: number, granularity: Granularity, tileSize: number): [number, number] {
  if (granularity === 'tensor') return [1, 1];
  const sc = Math.ceil(cols / tileSize);
  return granularity === 'tile' ? [rows, sc] : [Math.ceil(rows / tileSize), sc];
}

/** Index into `scales` of the scale that covers element (r, c). */
export function scaleIndex(q: QuantisedMatrix, r: number, c: number): number {
  if (q.granularity === 'tensor') return 0;
  const sr = q.granularity === 'tile' ? r : Math.floor(r / q.tileSize);
  return sr * q.scaleCols + Math.floor(c / q.tileSize);
}

/** The scale for a group's amax: fp32(max(amax, 1e-4) / fp8max), rounded up to 2^k when ue8m0. */
export function scaleForAmax(amax: number, fp8Max: number, ue8m0: boolean): number {
  const s = Math.fround(Math.max(amax, AMAX_FLOOR) / fp8Max);
  // NaN or Inf in a group poisons its scale, as in the reference kernels; ceilPow2 would throw on it.
  return ue8m0 && Number.isFinite(s) ? ceilPow2(s) : s;
}

function checkShape(x: ArrayLike<number>, rows: number, cols: number, tileSize: number): void {
  if (!Number.isInteger(rows) || !Number.isInteger(cols) || rows < 1 || cols < 1)
    throw new InputError(`matrix shape must be positive integers, got [${rows}, ${cols}]`);
  if (x.length !== rows * cols)
    throw new InputError(`matrix [${rows}, ${cols}] needs ${rows * cols} values, got ${x.length}`);
  if (!Number.isInteger(tileSize) || tileSize < 1)
    throw new InputError(`tile size must be a positive integer, got ${tileSize}`);
}

/** Quantise a row-major float32 matrix to FP8 with per-group online max-abs scales. */
export function quantise(x: Float32Array, rows: number, cols: number, opts: ScalingOptions): QuantisedMatrix {
  const tileSize = opts.tileSize ?? DEFAULT_TILE_SIZE;
  const ue8m0 = opts.ue8m0Scales ?? false;
  checkShape(x, rows, cols, tileSize);
  const fmt = fp8Format(opts.format);
  const [scaleRows, scaleCols] = scaleShape(rows, cols, opts.granularity, tileSize);
  const q: QuantisedMatrix = {
    format: opts.format,
    granularity: opts.granularity,
    tileSize,
    ue8m0Scales: ue8m0,
    rows,
    cols,
    codes: new Uint8Array(rows * cols),
    scales: new Float32Array(scaleRows * scaleCols),
    scaleRows,
    scaleCols,
  };
  // Pass 1: amax per group (NaN-propagating, like torch's amax).
  const amax = new Float64Array(scaleRows * scaleCols);
  for (let r = 0; r < rows; r++)
    for (let c = 0; c < cols; c++) {
      const g = scaleIndex(q, r, c);
      const a = Math.abs(x[r * cols + c]!);
      if (a > amax[g]! || a !== a) amax[g] = a;
    }
  for (let g = 0; g < amax.length; g++) q.scales[g] = scaleForAmax(amax[g]!, fmt.maxFinite, ue8m0);
  // Pass 2: code = fp8(fp32(x / s)). |x / s| ≤ fp8max up to float32 rounding of s, so the cast saturates to
  // keep a last-bit excess from turning into NaN/Inf; with any finite input it never changes a code.
  for (let r = 0; r < rows; r++)
    for (let c = 0; c < cols; c++) {
      const i = r * cols + c;
      q.codes[i] = encodeFp8Bits(f32Bits(x[i]! / q.scales[scaleIndex(q, r, c)]!), fmt, true);
    }
  return q;
}

/** The matrix the codes stand for: decode(code)·s, rounded to float32 (or exact in float64 with 'f64'). */
export function dequantise(q: QuantisedMatrix): Float32Array;
export function dequantise(q: QuantisedMatrix, precision: 'f32'): Float32Array;
export function dequantise(q: QuantisedMatrix, precision: 'f64'): Float64Array;
export function dequantise(q: QuantisedMatrix, precision: 'f32' | 'f64' = 'f32'): Float32Array | Float64Array {
  const table = fp8DecodeTable(q.format);
  const out = precision === 'f32' ? new Float32Array(q.rows * q.cols) : new Float64Array(q.rows * q.cols);
  for (let r = 0; r < q.rows; r++)
    for (let c = 0; c < q.cols; c++) {
      const i = r * q.cols + c;
      // An FP8 value has ≤ 4 significant bits and a float32 scale 24: the float64 product is exact.
      out[i] = table[q.codes[i]!]! * q.scales[scaleIndex(q, r, c)]!;
    }
  return out;
}

/** Quantise then dequantise: what a tensor looks like after a trip through FP8 ("fake quantisation"). */
export function fakeQuantise(x: Float32Array, rows: number, cols: number, opts: ScalingOptions): Float32Array {
  return dequantise(quantise(x, rows, cols, opts));
}
