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
import { Tensor, empty, zeros } from '../tensor.ts';

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
  /**
   * One product for every group with rows: in one backend call where the backend has it (the same products),
   * else one matmulAt a group, A at aAt(o) and B at bAt(g, o) (elements), out at outAt(g, o), laid out by L(m).
   */
  const product = (
    kind: 'forward' | 'dx' | 'dw',
    [a, aAt]: [Tensor, (o: number) => number],
    [b2, bAt]: [Tensor, (g: number, o: number) => number],
    [out, outAt]: [Tensor, (g: number, o: number) => number],
    L: (m: number) => MatmulLayout,
  ) => {
    if (b.groupedMatmul?.(kind, a.storage, b2.storage, out.storage, offsets, shape)) return;
    for (const g of groups) {
      const o = offsets[g]!;
      matmulAt(a.storage, aAt(o), b2.storage, bAt(g, o), out.storage, outAt(g, o), L(offsets[g + 1]! - o));
    }
  };
  const y = empty(b, x.dtype, [M, outDim]);
  product('forward', [x, (o) => o * inDim], [w, (g) => g * wSize], [y, (_, o) => o * outDim], (m) =>
    layout(m, inDim, outDim, false, true),
  );
  return record(y, 'groupedLinearT', [x, w], (gy) => {
    const gx = x.requiresGrad ? empty(b, x.dtype, x.shape) : null;
    if (gx)
      product('dx', [gy, (o) => o * outDim], [w, (g) => g * wSize], [gx, (_, o) => o * inDim], (m) =>
        layout(m, outDim, inDim, false, false),
      );
    const gw = w.requiresGrad ? zeros(w.shape, { dtype: w.dtype, backend: b }) : null; // a group without rows: 0
    if (gw)
      product('dw', [gy, (o) => o * outDim], [x, (_, o) => o * inDim], [gw, (g) => g * wSize], (m) =>
        layout(outDim, m, inDim, true, false),
      );
    return [gx, gw];
  });
}
