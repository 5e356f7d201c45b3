// A linear layer y = x·Wᵀ (W stored [out, in]) whose three GEMMs run through the emulated FP8 GEMM, as
// DeepSeek-V3 trains its Linear layers [V3 §3.3, Fig. 6]. With G = ∂L/∂y and every operand E4M3:
//   Fprop  y  = FP8(x,  1×T tiles) · FP8(W, T×T blocks)ᵀ     K = in
//   Dgrad  dx = FP8(G,  1×T tiles) · FP8(W, T×T blocks)      K = out  (the same FP8 weight, read transposed)
//   Wgrad  dW = FP8(Gᵀ, 1×T tiles) · FP8(xᵀ, 1×T tiles)ᵀ     K = tokens (G and x re-tiled to T×1 per channel)
// Scales are online max-abs per group; partial sums are promoted to FP32 every N_C (fp8-gemm.ts); outputs and
// weight gradients are FP32 and the master weight W stays FP32. 'tensor' scaling runs the same GEMMs with one
// scale per operand. Source: reference/deepseek-v3-architecture.md §4.
// CPU-only emulation: the op reads its operands (and, in backward, the gradient) to the host with dataSync.
// Departure from V3: Fprop/Dgrad outputs stay FP32 (V3 writes BF16); this op studies the FP8 GEMMs alone.
import { record } from '../core/autograd.ts';
import { InputError } from '../core/errors.ts';
import { tensor, type Tensor } from '../core/tensor.ts';
import type { Fp8FormatName } from './formats.ts';
import { fp8GemmQuantised, gemmF64, transpose, type AccumulatorOptions } from './fp8-gemm.ts';
import { dequantise, quantise, type Granularity, type QuantisedMatrix } from './scaling.ts';
import { requireHostMemory } from '../backend/host-only.ts';

export interface Fp8LinearRecipe extends AccumulatorOptions {
  /** FP8 format of every operand (V3: 'e4m3' for all tensors, forward and backward). */
  format: Fp8FormatName;
  /** Activations and activation gradients: 'tile' (1×T, V3) or 'tensor' (one scale). */
  activationScaling: 'tile' | 'tensor';
  /** Weights: 'block' (T×T, V3) or 'tensor'. */
  weightScaling: 'block' | 'tensor';
  /** T, the tile length and block side (V3: 128). */
  tileSize: number;
  /** Round every scale up to a power of two (UE8M0). */
  ue8m0Scales: boolean;
  /** Wgrad reads x from the FP8 copy Fprop made, dequantised and re-tiled T×1 (V3 caches activations in FP8). */
  cacheActivationsFp8: boolean;
  /** false: skip quantisation (float32 operands, float64 sums rounded to float32): an idealised check of the wiring. */
  quantise: boolean;
}

/** The idealised recipe: no quantisation, float64 sums rounded once to FP32 — on the CPU backend exactly linearT. */
export const FP32_REFERENCE_RECIPE: Fp8LinearRecipe = {
  format: 'e4m3',
  activationScaling: 'tile',
  weightScaling: 'block',
  tileSize: 128,
  ue8m0Scales: false,
  cacheActivationsFp8: false,
  quantise: false,
};

/** A GEMM operand [rows, K]: its float32 values and, when the recipe quantises, its FP8 form grouped along K. */
interface Operand {
  rows: number;
  cols: number;
  values: Float32Array;
  q: QuantisedMatrix | null;
}

function operand(
  values: Float32Array,
  rows: number,
  cols: number,
  granularity: Granularity,
  r: Fp8LinearRecipe,
): Operand {
  const q = r.quantise
    ? quantise(values, rows, cols, { format: r.format, granularity, tileSize: r.tileSize, ue8m0Scales: r.ue8m0Scales })
    : null;
  return { rows, cols, values, q };
}

/**
 * The transpose of a block- or tensor-scaled FP8 matrix: codes and the scale grid transposed. A T×T block is
 * still a T×T block when transposed, so this is the very weight Fprop used (no second quantisation).
 */
export function transposeQuantised(q: QuantisedMatrix): QuantisedMatrix {
  if (q.granularity === 'tile')
    throw new InputError('transposeQuantised: a 1×T tile transposed is a T×1 group, not a tile; re-quantise instead');
  const codes = new Uint8Array(q.codes.length);
  for (let r = 0; r < q.rows; r++) for (let c = 0; c < q.cols; c++) codes[c * q.rows + r] = q.codes[r * q.cols + c]!;
  const scales = new Float32Array(q.scales.length);
  for (let r = 0; r < q.scaleRows; r++)
    for (let c = 0; c < q.scaleCols; c++) scales[c * q.scaleRows + r] = q.scales[r * q.scaleCols + c]!;
  return { ...q, rows: q.cols, cols: q.rows, codes, scales, scaleRows: q.scaleCols, scaleCols: q.scaleRows };
}

function transposeOperand(o: Operand): Operand {
  return { rows: o.cols, cols: o.rows, values: transpose(o.values, o.rows, o.cols), q: o.q && transposeQuantised(o.q) };
}

/** C [m, n] = A [m, K] · Bᵀ where bT is B stored [n, K] (DeepGEMM's "NT" layout). */
function gemmNT(a: Operand, bT: Operand, r: Fp8LinearRecipe): Float32Array {
  if (a.q && bT.q) return fp8GemmQuantised(a.q, bT.q, r);
  return Float32Array.from(gemmF64(a.values, bT.values, a.rows, a.cols, bT.rows, true));
}

function hostF32(t: Tensor): Float32Array {
  requireHostMemory(t, 'FP8 emulation (--precision fp8-*)');
  const d = t.dataSync();
  return d instanceof Float32Array ? d : Float32Array.from(d);
}

export function validateRecipe(r: Fp8LinearRecipe): void {
  if (!Number.isInteger(r.tileSize) || r.tileSize < 1)
    throw new InputError(`FP8 recipe: tileSize must be a positive integer, got ${r.tileSize}`);
  if (r.activationScaling !== 'tile' && r.activationScaling !== 'tensor')
    throw new InputError(`FP8 recipe: activationScaling must be tile or tensor, got ${String(r.activationScaling)}`);
  if (r.weightScaling !== 'block' && r.weightScaling !== 'tensor')
    throw new InputError(`FP8 recipe: weightScaling must be block or tensor, got ${String(r.weightScaling)}`);
  if (r.format !== 'e4m3' && r.format !== 'e5m2')
    throw new InputError(`FP8 recipe: format must be e4m3 or e5m2, got ${String(r.format)}`);
  for (const k of ['ue8m0Scales', 'cacheActivationsFp8', 'quantise'] as const)
    if (typeof r[k] !== 'boolean')
      throw new InputError(`FP8 recipe: ${k} must be true or false, got ${JSON.stringify(r[k])}`);
}

/** y = x·Wᵀ with x [..., in] and W [out, in], every GEMM (forward and backward) through the FP8 emulation. */
export function fp8LinearT(x: Tensor, w: Tensor, recipe: Fp8LinearRecipe): Tensor {
  validateRecipe(recipe);
  if (w.ndim !== 2 || x.ndim < 1 || w.dim(1) !== x.dim(-1))
    throw new InputError(`fp8LinearT: x [${x.shape}] and W [${w.shape}] do not fit (W must be [out, ${x.dim(-1)}])`);
  const inF = x.dim(-1),
    outF = w.dim(0),
    n = x.size / inF;
  const act = recipe.activationScaling;
  const qx = operand(hostF32(x), n, inF, act, recipe); // [N, in], 1×T per token
  const qw = operand(hostF32(w), outF, inF, recipe.weightScaling, recipe); // [out, in], T×T
  const y = gemmNT(qx, qw, recipe); // [N, out]
  const out = tensor(y, [...x.shape.slice(0, -1), outF], { dtype: x.dtype, backend: x.backend });
  return record(out, 'fp8LinearT', [x, w], (g) => {
    const gh = hostF32(g); // [N, out]
    let dx: Tensor | null = null,
      dw: Tensor | null = null;
    if (x.requiresGrad) {
      // Dgrad: K = out, so G is tiled per token along out, and W is read as Wᵀ [in, out].
      const d = gemmNT(operand(gh, n, outF, act, recipe), transposeOperand(qw), recipe); // [N, in]
      dx = tensor(d, x.shape, { dtype: x.dtype, backend: x.backend });
    }
    if (w.requiresGrad) {
      // Wgrad: K = tokens; Gᵀ [out, N] and xᵀ [in, N] are tiled along tokens (1×T of the transpose = T×1 of G, x).
      const xw = recipe.quantise && recipe.cacheActivationsFp8 ? dequantise(qx.q!) : qx.values;
      const d = gemmNT(
        operand(transpose(gh, n, outF), outF, n, act, recipe),
        operand(transpose(xw, n, inF), inF, n, act, recipe),
        recipe,
      ); // [out, in]
      dw = tensor(d, w.shape, { dtype: w.dtype, backend: w.backend });
    }
    return [dx, dw];
  });
}
