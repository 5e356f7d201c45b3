// The fast matmul kernel against the naive triple loop, and threads against one thread: bit-identical.
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import type { MatmulLayout } from '../../src/backend/backend.ts';
import { matmulBlocked, matmulNaive } from '../../src/backend/cpu/matmul.ts';
import { MatmulPool } from '../../src/backend/cpu/pool.ts';
import { Rng } from '../../src/core/rng.ts';

function operands(L: MatmulLayout, seed: number, F: typeof Float32Array | typeof Float64Array) {
  const rng = new Rng(seed);
  const na = (L.aBatchStride ? L.batch : 1) * L.m * L.k,
    nb = (L.bBatchStride ? L.batch : 1) * L.k * L.n;
  const a = new F(na).map(() => rng.normal()),
    b = new F(nb).map(() => rng.normal());
  return { a, b };
}

const layout = fc
  .record({
    batch: fc.integer({ min: 1, max: 3 }),
    m: fc.integer({ min: 1, max: 11 }),
    k: fc.integer({ min: 1, max: 13 }),
    n: fc.integer({ min: 1, max: 11 }),
    transA: fc.boolean(),
    transB: fc.boolean(),
    shareA: fc.boolean(),
    shareB: fc.boolean(),
  })
  .map((r): MatmulLayout => ({ ...r, aBatchStride: r.shareA ? 0 : r.m * r.k, bBatchStride: r.shareB ? 0 : r.k * r.n }));

describe('CPU matmul', () => {
  it('blocked kernel is bit-identical to the naive loop for any shape and transposes', () => {
    fc.assert(
      fc.property(layout, fc.integer(), (L, seed) => {
        for (const F of [Float32Array, Float64Array]) {
          for (const acc of ['f32', 'f64'] as const) {
            const { a, b } = operands(L, seed, F);
            const c1 = new F(L.batch * L.m * L.n),
              c2 = new F(L.batch * L.m * L.n);
            matmulNaive(a, b, c1, L, acc);
            matmulBlocked(a, b, c2, L, 0, undefined, acc);
            expect(c2).toEqual(c1);
          }
        }
      }),
      { numRuns: 200 },
    );
  });

  const pool = new MatmulPool(2);
  afterAll(() => pool.close());
  it('two threads give exactly the one-thread result, with either sum', () => {
    for (const acc of ['f32', 'f64'] as const)
      for (const [batch, m, k, n] of [
        [1, 128, 96, 80],
        [3, 67, 50, 45],
        [2, 5, 300, 200],
      ] as const) {
        const L: MatmulLayout = { batch, m, k, n, transA: false, transB: true, aBatchStride: m * k, bBatchStride: 0 };
        const { a, b } = operands(L, 7, Float32Array);
        const c1 = new Float32Array(batch * m * n),
          c2 = new Float32Array(batch * m * n);
        matmulBlocked(a, b, c1, L, 0, undefined, acc);
        pool.run(a, b, c2, L, acc);
        expect(c2).toEqual(c1);
      }
  });
});
