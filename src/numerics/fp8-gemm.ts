// FP8 GEMM emulation, C[m,n] = A[m,k] · B[k,n], with the H800 tensor-core accumulator and DeepSeek's fix.
//
// Model (what is known is in reference/deepseek-v3-architecture.md §4 "Accumulation"):
//  1. A and B are quantised to FP8 with their scales (scaling.ts); groups run along K.
//  2. The tensor core forms FP8×FP8 products (exact: ≤ 8 significant bits) and adds them into a register
//     that keeps `accumulatorMantissaBits` fraction bits. V3 §3.5.2: products are aligned to the largest
//     exponent and only the top ~14 bits are kept, the rest truncated; ISCA §3.1.1: an FP22 (1-8-13)
//     accumulator, 32 products aligned per step. We model one MMA step as: add `mmaK` products to the
//     register in float64 (exact unless exponents spread over ~40 bits), then round the register to 13
//     fraction bits toward zero (defaults 13, 'truncate', 32). The alignment loss of each product inside a
//     step is not modelled; mmaK = 1 with 'nearest' gives the textbook "round the running sum after every
//     add" model. Without promotion this gives ~0.35% at K = 4096 (V3 reports ~2%): see fp8-gemm-error.ts.
//  3. Promotion (V3 §3.3, N_C = 128): the register is zeroed every `promoteInterval` elements of K; its
//     partial sum is multiplied by the A and B scales of that K-group and added to an FP32 accumulator:
//     acc32 = fp32(acc32 + fp32(fp32(partial·sA)·sB)), as kernel.py's fp8_gemm does per BLOCK_K.
//     A chunk also ends at every scale-group boundary along K, since one partial sum can carry only one
//     scale (so tile 32 with N_C = 128 promotes every 32). promoteInterval = null keeps the whole K in the
//     limited register, which is only possible with per-tensor scales.
import { InputError } from '../core/errors.ts';
import { accumulatorRounder, type AccumulatorRounding } from './accumulator.ts';
import { fp8DecodeTable } from './fp8-array.ts';
import type { Fp8FormatName } from './formats.ts';
import { quantise, scaleIndex, DEFAULT_TILE_SIZE, type Granularity, type QuantisedMatrix } from './scaling.ts';

export interface AccumulatorOptions {
  /** Fraction bits kept by the tensor-core register. Default 13 (FP22, "about 14 bits"); 23 models FP32. */
  accumulatorMantissaBits?: number;
  /** How the register drops bits. Default 'truncate' (V3 §3.5.2). */
  accumulatorRounding?: AccumulatorRounding;
  /** Products added exactly between two roundings of the register (one MMA step). Default 32. */
  mmaK?: number;
  /** N_C: promote the partial sum to FP32 every this many K elements; null = never. Default 128. */
  promoteInterval?: number | null;
}

export interface Fp8GemmOptions extends AccumulatorOptions {
  /** FP8 format of both operands. Default 'e4m3' (V3 uses it for every tensor). */
  format?: Fp8FormatName;
  /** Scaling of A [m,k]. Default 'tile' (1×T, V3 activations). */
  aScaling?: Granularity;
  /** Scaling of B along (k, n). Default 'block' (T×T, V3 weights). */
  bScaling?: Granularity;
  /** T for tiles and blocks. Default 128. */
  tileSize?: number;
  /** Round scales up to powers of two (UE8M0). Default false. */
  ue8m0Scales?: boolean;
  /** B is given as [n, k] (a Linear weight [out, in]; DeepGEMM's "NT") instead of [k, n]. Default false. */
  transB?: boolean;
}

export const FP8_GEMM_DEFAULTS = {
  format: 'e4m3',
  aScaling: 'tile',
  bScaling: 'block',
  tileSize: DEFAULT_TILE_SIZE,
  ue8m0Scales: false,
  transB: false,
  accumulatorMantissaBits: 13,
  accumulatorRounding: 'truncate',
  mmaK: 32,
  promoteInterval: 128,
} as const satisfies Required<Fp8GemmOptions>;

/** Emulated FP8 GEMM: quantise A [m,k] and B ([k,n], or [n,k] with transB), multiply, return C [m,n] in float32. */
export function fp8Gemm(
  a: Float32Array,
  b: Float32Array,
  m: number,
  k: number,
  n: number,
  opts: Fp8GemmOptions = {},
): Float32Array {
  const o = { ...FP8_GEMM_DEFAULTS, ...opts };
  if (a.length !== m * k) throw new InputError(`fp8Gemm: A should be [${m}, ${k}] = ${m * k} values, got ${a.length}`);
  if (b.length !== k * n) throw new InputError(`fp8Gemm: B should hold ${k}×${n} = ${k * n} values, got ${b.length}`);
  const common = { format: o.format, tileSize: o.tileSize, ue8m0Scales: o.ue8m0Scales };
  const qa = quantise(a, m, k, { ...common, granularity: o.aScaling });
  const qb = quantise(o.transB ? b : transpose(b, k, n), n, k, { ...common, granularity: o.bScaling });
  return fp8GemmQuantised(qa, qb, o);
}

/** B [k,n] → B^T [n,k], so both operands run along K in memory. */
export function transpose(x: Float32Array, rows: number, cols: number): Float32Array {
  const t = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) t[c * rows + r] = x[r * cols + c]!;
  return t;
}

/** Where the K axis is cut into chunks: every promoteInterval and every scale-group boundary. Returns [0, …, k]. */
export function chunkBounds(k: number, promoteInterval: number | null, groupSizes: number[]): number[] {
  const cuts = new Set<number>([0, k]);
  for (const step of promoteInterval === null ? groupSizes : [promoteInterval, ...groupSizes])
    for (let p = step; p < k; p += step) cuts.add(p);
  return [...cuts].sort((x, y) => x - y);
}

function decodeToF64(q: QuantisedMatrix): Float64Array {
  const table = fp8DecodeTable(q.format);
  const out = new Float64Array(q.codes.length);
  for (let i = 0; i < out.length; i++) out[i] = table[q.codes[i]!]!;
  return out;
}

function kGroupSize(q: QuantisedMatrix): number {
  return q.granularity === 'tensor' ? q.cols : q.tileSize;
}

/**
 * The GEMM on already-quantised operands: qa is A [m,k], qbT is B^T [n,k] (both grouped along K).
 * Training code that keeps FP8 operands (part 5 of the FP8 issue) calls this directly.
 */
export function fp8GemmQuantised(
  qa: QuantisedMatrix,
  qbT: QuantisedMatrix,
  opts: AccumulatorOptions = {},
): Float32Array {
  const bits = opts.accumulatorMantissaBits ?? FP8_GEMM_DEFAULTS.accumulatorMantissaBits;
  const rounding = opts.accumulatorRounding ?? FP8_GEMM_DEFAULTS.accumulatorRounding;
  const mmaK = opts.mmaK ?? FP8_GEMM_DEFAULTS.mmaK;
  const promoteInterval = opts.promoteInterval === undefined ? FP8_GEMM_DEFAULTS.promoteInterval : opts.promoteInterval;
  if (qa.cols !== qbT.cols) throw new InputError(`fp8Gemm: A has k = ${qa.cols} but B has k = ${qbT.cols}`);
  if (!Number.isInteger(mmaK) || mmaK < 1)
    throw new InputError(`fp8Gemm: mmaK must be a positive integer, got ${mmaK}`);
  if (promoteInterval !== null && (!Number.isInteger(promoteInterval) || promoteInterval < 1))
    throw new InputError(`fp8Gemm: promoteInterval must be a positive integer or null, got ${promoteInterval}`);
  if (promoteInterval === null && (qa.granularity !== 'tensor' || qbT.granularity !== 'tensor'))
    throw new InputError(
      'fp8Gemm: without promotion (promoteInterval null) A and B need per-tensor scaling: ' +
        'fine-grained scales are applied when a partial sum is promoted to FP32',
    );
  let round: (x: number) => number;
  try {
    round = accumulatorRounder(bits, rounding);
  } catch (e) {
    throw new InputError(`fp8Gemm: ${(e as Error).message}`);
  }
  const m = qa.rows,
    n = qbT.rows,
    k = qa.cols;
  // Unscaled FP8 values in float64: every product of two is exact, and so is any short sum of them.
  const av = decodeToF64(qa); // [m, k]
  const bv = decodeToF64(qbT); // [n, k]
  const bounds = chunkBounds(k, promoteInterval, [kGroupSize(qa), kGroupSize(qbT)]);
  const c = new Float32Array(m * n);
  for (let i = 0; i < m; i++) {
    const ai = i * k;
    for (let j = 0; j < n; j++) {
      const bj = j * k;
      let acc32 = 0;
      for (let ch = 0; ch + 1 < bounds.length; ch++) {
        const start = bounds[ch]!,
          end = bounds[ch + 1]!;
        // The tensor-core register: mmaK products per step, rounded after each step.
        let partial = 0;
        for (let s = start; s < end; s += mmaK) {
          const stepEnd = Math.min(s + mmaK, end);
          for (let p = s; p < stepEnd; p++) partial += av[ai + p]! * bv[bj + p]!;
          partial = round(partial);
        }
        // Promotion on the CUDA cores: scale the partial sum and add it in FP32.
        const sa = qa.scales[scaleIndex(qa, i, start)]!;
        const sb = qbT.scales[scaleIndex(qbT, j, start)]!;
        acc32 = Math.fround(acc32 + Math.fround(Math.fround(partial * sa) * sb));
      }
      c[i * n + j] = acc32;
    }
  }
  return c;
}

/** FP64 reference GEMM, C = A·B with A [m,k] and B [k,n] (or [n,k] with transB), summed in order of k. */
export function gemmF64(
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  m: number,
  k: number,
  n: number,
  transB = false,
): Float64Array {
  const c = new Float64Array(m * n);
  for (let i = 0; i < m; i++)
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) s += a[i * k + p]! * (transB ? b[j * k + p]! : b[p * n + j]!);
      c[i * n + j] = s;
    }
  return c;
}
