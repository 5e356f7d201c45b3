// Matrix multiply on the CPU: the naive reference and the one TypeScript fast kernel.
//
//   C[i, j] = Σ_p A[i, p] · B[p, j],  summed in order p = 0..k−1, stored once.
//
// The sum's precision (`Accumulate`) follows the operands: float32 operands sum in float32 (each product
// and each partial sum rounded to float32, as f32x4 lanes, GPUs and BLAS libraries do), float64 operands
// in float64. 'f64' on float32 operands (TINYSEEK_GEMM=f64) keeps the float64 sums tinyseek used before.
// The fast kernel packs B into 4-column panels and A into 4-row panels (contiguous along p, whatever the
// transposes), then keeps a 4×4 block of C in registers while streaming p. Every element is still one
// sequential sum over p, so the fast kernel, the naive loop, and any split of the rows across threads
// give bit-identical results. `rowBlocks` lets a worker compute only its slice.
import type { MatmulLayout } from '../backend.ts';

type F = Float32Array | Float64Array;

/** How a matmul sums: every product and partial sum rounded to float32, or one float64 sum. */
export type Accumulate = 'f32' | 'f64';

/** The default: float32 sums when all three arrays are float32, else float64. */
export function accumulateOf(a: F, b: F, c: F): Accumulate {
  return a instanceof Float32Array && b instanceof Float32Array && c instanceof Float32Array ? 'f32' : 'f64';
}

/** Element (i, p) of op(A) for batch entry `base`. */
function aIndex(L: MatmulLayout, base: number, i: number, p: number): number {
  return L.transA ? base + p * L.m + i : base + i * L.k + p;
}
function bIndex(L: MatmulLayout, base: number, p: number, j: number): number {
  return L.transB ? base + j * L.k + p : base + p * L.n + j;
}

/** The textbook triple loop: the reference the fast kernels are tested and benchmarked against. */
export function matmulNaive(a: F, b: F, c: F, L: MatmulLayout, acc: Accumulate = accumulateOf(a, b, c)): void {
  const f32 = acc === 'f32';
  for (let e = 0; e < L.batch; e++) {
    const aBase = e * L.aBatchStride;
    const bBase = e * L.bBatchStride;
    const cBase = e * L.m * L.n;
    for (let i = 0; i < L.m; i++) {
      for (let j = 0; j < L.n; j++) {
        let sum = 0;
        for (let p = 0; p < L.k; p++) {
          const prod = a[aIndex(L, aBase, i, p)]! * b[bIndex(L, bBase, p, j)]!;
          sum = f32 ? Math.fround(sum + Math.fround(prod)) : sum + prod;
        }
        c[cBase + i * L.n + j] = sum;
      }
    }
  }
}

/** Number of 4-row blocks over all batch entries: the unit of work split between threads. */
export function rowBlocks(L: MatmulLayout): number {
  return L.batch * Math.ceil(L.m / 4);
}

/** Pack op(B) of one batch entry into panels of 4 columns: bp[(jb·k + p)·4 + c] = B[p, 4·jb + c] (0 beyond n). */
function packB(b: F, L: MatmulLayout, base: number, bp: Float64Array): void {
  const { k, n } = L;
  const panels = Math.ceil(n / 4);
  for (let jb = 0; jb < panels; jb++) {
    for (let c = 0; c < 4; c++) {
      const j = jb * 4 + c;
      let o = jb * k * 4 + c;
      if (j >= n) {
        for (let p = 0; p < k; p++, o += 4) bp[o] = 0;
      } else if (L.transB) {
        const src = base + j * k;
        for (let p = 0; p < k; p++, o += 4) bp[o] = b[src + p]!;
      } else {
        let src = base + j;
        for (let p = 0; p < k; p++, o += 4, src += n) bp[o] = b[src]!;
      }
    }
  }
}

/** Pack 4 rows of op(A) starting at row i0: ap[p·4 + r] = A[i0 + r, p] (0 beyond m). */
function packA(a: F, L: MatmulLayout, base: number, i0: number, ap: Float64Array): void {
  const { k, m } = L;
  for (let r = 0; r < 4; r++) {
    const i = i0 + r;
    let o = r;
    if (i >= m) {
      for (let p = 0; p < k; p++, o += 4) ap[o] = 0;
    } else if (L.transA) {
      let src = base + i;
      for (let p = 0; p < k; p++, o += 4, src += m) ap[o] = a[src]!;
    } else {
      const src = base + i * k;
      for (let p = 0; p < k; p++, o += 4) ap[o] = a[src + p]!;
    }
  }
}

/**
 * The fast kernel over row blocks [blockStart, blockEnd) of the flattened (batch, 4-row block) space. For
 * float32 sums each product and partial sum is rounded with Math.fround.
 */
export function matmulBlocked(
  a: F,
  b: F,
  c: F,
  L: MatmulLayout,
  blockStart = 0,
  blockEnd = rowBlocks(L),
  acc: Accumulate = accumulateOf(a, b, c),
): void {
  const f32 = acc === 'f32';
  const { m, k, n } = L;
  if (m === 0 || n === 0) return;
  const perBatch = Math.ceil(m / 4);
  const panels = Math.ceil(n / 4);
  const bp = new Float64Array(panels * k * 4);
  const ap = new Float64Array(k * 4);
  let packedBatch = -1;
  for (let blk = blockStart; blk < blockEnd; blk++) {
    const e = Math.floor(blk / perBatch);
    const i0 = (blk % perBatch) * 4;
    if (e !== packedBatch && (packedBatch < 0 || L.bBatchStride !== 0)) packB(b, L, e * L.bBatchStride, bp);
    packedBatch = e;
    packA(a, L, e * L.aBatchStride, i0, ap);
    const cBase = e * m * n;
    const rows = Math.min(4, m - i0);
    for (let jb = 0; jb < panels; jb++) {
      let c00 = 0,
        c01 = 0,
        c02 = 0,
        c03 = 0,
        c10 = 0,
        c11 = 0,
        c12 = 0,
        c13 = 0;
      let c20 = 0,
        c21 = 0,
        c22 = 0,
        c23 = 0,
        c30 = 0,
        c31 = 0,
        c32 = 0,
        c33 = 0;
      let bo = jb * k * 4;
      for (let p4 = 0; p4 < k * 4; p4 += 4, bo += 4) {
        const a0 = ap[p4]!,
          a1 = ap[p4 + 1]!,
          a2 = ap[p4 + 2]!,
          a3 = ap[p4 + 3]!;
        const b0 = bp[bo]!,
          b1 = bp[bo + 1]!,
          b2 = bp[bo + 2]!,
          b3 = bp[bo + 3]!;
        c00 = f32 ? Math.fround(c00 + Math.fround(a0 * b0)) : c00 + a0 * b0;
        c01 = f32 ? Math.fround(c01 + Math.fround(a0 * b1)) : c01 + a0 * b1;
        c02 = f32 ? Math.fround(c02 + Math.fround(a0 * b2)) : c02 + a0 * b2;
        c03 = f32 ? Math.fround(c03 + Math.fround(a0 * b3)) : c03 + a0 * b3;
        c10 = f32 ? Math.fround(c10 + Math.fround(a1 * b0)) : c10 + a1 * b0;
        c11 = f32 ? Math.fround(c11 + Math.fround(a1 * b1)) : c11 + a1 * b1;
        c12 = f32 ? Math.fround(c12 + Math.fround(a1 * b2)) : c12 + a1 * b2;
        c13 = f32 ? Math.fround(c13 + Math.fround(a1 * b3)) : c13 + a1 * b3;
        c20 = f32 ? Math.fround(c20 + Math.fround(a2 * b0)) : c20 + a2 * b0;
        c21 = f32 ? Math.fround(c21 + Math.fround(a2 * b1)) : c21 + a2 * b1;
        c22 = f32 ? Math.fround(c22 + Math.fround(a2 * b2)) : c22 + a2 * b2;
        c23 = f32 ? Math.fround(c23 + Math.fround(a2 * b3)) : c23 + a2 * b3;
        c30 = f32 ? Math.fround(c30 + Math.fround(a3 * b0)) : c30 + a3 * b0;
        c31 = f32 ? Math.fround(c31 + Math.fround(a3 * b1)) : c31 + a3 * b1;
        c32 = f32 ? Math.fround(c32 + Math.fround(a3 * b2)) : c32 + a3 * b2;
        c33 = f32 ? Math.fround(c33 + Math.fround(a3 * b3)) : c33 + a3 * b3;
      }
      const j0 = jb * 4;
      const o = cBase + i0 * n + j0;
      if (rows === 4 && j0 + 4 <= n) {
        c[o] = c00;
        c[o + 1] = c01;
        c[o + 2] = c02;
        c[o + 3] = c03;
        c[o + n] = c10;
        c[o + n + 1] = c11;
        c[o + n + 2] = c12;
        c[o + n + 3] = c13;
        c[o + 2 * n] = c20;
        c[o + 2 * n + 1] = c21;
        c[o + 2 * n + 2] = c22;
        c[o + 2 * n + 3] = c23;
        c[o + 3 * n] = c30;
        c[o + 3 * n + 1] = c31;
        c[o + 3 * n + 2] = c32;
        c[o + 3 * n + 3] = c33;
      } else {
        // Edge block: store only the rows and columns inside C.
        const block = [c00, c01, c02, c03, c10, c11, c12, c13, c20, c21, c22, c23, c30, c31, c32, c33];
        const cols = Math.min(4, n - j0);
        for (let r = 0; r < rows; r++) for (let cc = 0; cc < cols; cc++) c[o + r * n + cc] = block[r * 4 + cc]!;
      }
    }
  }
}
