// Grouped linear layer (the grouped GEMM of MoE): rows are sorted into groups, and group g goes through its own
// weight matrix, one of a stack W [G, out, in] (HF layout per group). With rows o_g..o_{g+1}−1 in group g:
//   Y[o_g:o_{g+1}] = X[o_g:o_{g+1}] · W_gᵀ
//   ∂X[o_g:o_{g+1}] = G[o_g:o_{g+1}] · W_g        ∂W_g = G[o_g:o_{g+1}]ᵀ · X[o_g:o_{g+1}]   (0 for an empty group)
// Each product is one backend matmul on sub-ranges (Backend.matmulAt), so per row and per group the sums are
// exactly those of `linearT(rows, W_g)`, and only the groups' own rows are computed [V3 §2.1.2; DeepGEMM's
// grouped GEMM, in miniature]. A backend may run all groups' products in one call (Backend.groupedMatmul, the
// CPU's SIMD kernels): the same products, one copy in and out instead of one a group.
import type { MatmulLayout } from '../../backend/backend.ts';
import { InputError } from '../errors.ts';
import { record } from '../autograd.ts';
import { Tensor, empty } from '../tensor.ts';

const layout = (m: number, k: number, n: number, transA: boolean, transB: boolean): MatmulLayout => ({
  batch: 1,
  m,
  k,
  n,
  transA,
  transB,
  aBatchStride: 0,
  bBatchStride: 0,
});

/**
 * x [M, in], w [G, out, in], offsets [G + 1] (o_0 = 0, o_G = M, non-decreasing) → [M, out], row r of group g
 * multiplied by w[g]ᵀ. The offsets are host integers (a counting sort's output), not a tensor.
 */
export function groupedLinearT(x: Tensor, w: Tensor, offsets: Int32Array): Tensor {
  const b = x.backend;
  if (!b.matmulAt) throw new InputError(`the grouped matmul (sparse MoE) is not available on the ${b.name} backend`);
  const matmulAt = b.matmulAt.bind(b);
  const [M, inDim] = x.shape as [number, number];
  const [G, outDim, wIn] = w.shape as [number, number, number];
  if (x.ndim !== 2 || w.ndim !== 3 || wIn !== inDim)
    throw new Error(`groupedLinearT: x [${x.shape}] and w [${w.shape}] need [M, in] and [G, out, in]`);
  if (offsets.length !== G + 1 || offsets[0] !== 0 || offsets[G] !== M)
    throw new Error(`groupedLinearT: offsets must run 0..${M} over ${G} groups`);
  if (x.dtype !== w.dtype) throw new Error(`groupedLinearT: dtypes differ (${x.dtype} vs ${w.dtype})`);
  const groups: number[] = [];
  for (let g = 0; g < G; g++) if (offsets[g + 1]! > offsets[g]!) groups.push(g);
  const wSize = outDim * inDim;
  const shape = { M, G, inDim, outDim };
  // All groups in one backend call where the backend has it (the same products), else one matmulAt a group.
  const all = (kind: 'forward' | 'dx' | 'dw', a: Tensor, b2: Tensor, out: Tensor) =>
    b.groupedMatmul?.(kind, a.storage, b2.storage, out.storage, offsets, shape) ?? false;
  const y = empty(b, x.dtype, [M, outDim]);
  if (!all('forward', x, w, y))
    for (const g of groups) {
      const o = offsets[g]!,
        m = offsets[g + 1]! - o;
      matmulAt(
        x.storage,
        o * inDim,
        w.storage,
        g * wSize,
        y.storage,
        o * outDim,
        layout(m, inDim, outDim, false, true),
      );
    }
  return record(y, 'groupedLinearT', [x, w], (gy) => {
    let gx: Tensor | null = null,
      gw: Tensor | null = null;
    if (x.requiresGrad) {
      gx = empty(b, x.dtype, x.shape);
      if (!all('dx', gy, w, gx))
        for (const g of groups) {
          const o = offsets[g]!,
            m = offsets[g + 1]! - o;
          matmulAt(
            gy.storage,
            o * outDim,
            w.storage,
            g * wSize,
            gx.storage,
            o * inDim,
            layout(m, outDim, inDim, false, false),
          );
        }
    }
    if (w.requiresGrad) {
      gw = empty(b, w.dtype, w.shape);
      if (!all('dw', gy, x, gw)) {
        b.fill(gw.storage, 0); // a group without rows has gradient 0
        for (const g of groups) {
          const o = offsets[g]!,
            m = offsets[g + 1]! - o;
          matmulAt(
            gy.storage,
            o * outDim,
            x.storage,
            o * inDim,
            gw.storage,
            g * wSize,
            layout(outDim, m, inDim, true, false),
          );
        }
      }
    }
    return [gx, gw];
  });
}
