// The grouped linear layer (the sparse MoE's grouped GEMM) against its definition: each group's rows through
// linearT with that group's matrix, composed from slice/reshape/linearT/concat. Same bits forward and backward
// (each product is the same matmul on a sub-range), for random group sizes (empty ones included), odd widths,
// float32 and float64.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { backward } from '../../src/core/autograd.ts';
import { concat, groupedLinearT, linearT, mul, reshape, slice, sum } from '../../src/core/ops/index.ts';
import { Rng } from '../../src/core/rng.ts';
import { randn, type Tensor } from '../../src/core/tensor.ts';

/** Σ y ⊙ r for a fixed random r: a scalar whose gradient reaches every output element differently. */
const project = (y: Tensor, seed: number) =>
  sum(mul(y, randn(y.shape, new Rng(seed).child('r'), 1, { dtype: y.dtype })));

/** The definition: rows o_g..o_{g+1}−1 through linearT(·, w[g]), concatenated. */
function composed(x: Tensor, w: Tensor, offsets: Int32Array): Tensor {
  const parts: Tensor[] = [];
  for (let g = 0; g + 1 < offsets.length; g++) {
    if (offsets[g + 1] === offsets[g]) continue;
    const wg = reshape(slice(w, 0, g, g + 1), w.shape.slice(1));
    parts.push(linearT(slice(x, 0, offsets[g]!, offsets[g + 1]!), wg));
  }
  return concat(parts, 0);
}

describe('groupedLinearT', () => {
  it('gives the bits of linearT group by group, and the same gradients for x and the stacked weights', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 7 }), { minLength: 1, maxLength: 5 }),
        fc.integer({ min: 1, max: 9 }),
        fc.integer({ min: 1, max: 9 }),
        fc.constantFrom('float32' as const, 'float64' as const),
        fc.integer({ min: 0, max: 1e6 }),
        (sizes, inDim, outDim, dtype, seed) => {
          const offsets = new Int32Array(sizes.length + 1);
          sizes.forEach((n, g) => (offsets[g + 1] = offsets[g]! + n));
          const M = offsets[sizes.length]!;
          fc.pre(M > 0);
          const rng = new Rng(seed);
          const run = (f: (x: Tensor, w: Tensor) => Tensor) => {
            const x = randn([M, inDim], rng.child('x'), 1, { dtype, requiresGrad: true });
            const w = randn([sizes.length, outDim, inDim], rng.child('w'), 1, { dtype, requiresGrad: true });
            const y = f(x, w);
            backward(project(y, seed));
            return { y: y.dataSync(), gx: x.grad!.dataSync(), gw: w.grad!.dataSync() };
          };
          const fast = run((x, w) => groupedLinearT(x, w, offsets));
          const ref = run((x, w) => composed(x, w, offsets));
          expect(fast.y).toEqual(ref.y);
          expect(fast.gx).toEqual(ref.gx);
          expect(fast.gw).toEqual(ref.gw); // an empty group's slice gets exactly 0 in both
        },
      ),
      { numRuns: 60 },
    );
  });

  it('refuses offsets that do not cover the rows', () => {
    const x = randn([4, 3], new Rng(1)),
      w = randn([2, 5, 3], new Rng(2));
    expect(() => groupedLinearT(x, w, Int32Array.of(0, 2, 3))).toThrow(/offsets must run 0..4/);
    expect(() => groupedLinearT(x, w, Int32Array.of(0, 4))).toThrow(/offsets/);
  });
});
