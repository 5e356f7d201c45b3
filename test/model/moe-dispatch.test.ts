// Sparse MoE dispatch: the counting sort's laws, and the sparse path against the dense reference — the same
// outputs and the same gradients to rounding (float64, tolerance 1e-12), for random routings and shapes.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { backward, noGrad } from '../../src/core/autograd.ts';
import { Rng } from '../../src/core/rng.ts';
import { randn } from '../../src/core/tensor.ts';
import { dispatchByExpert } from '../../src/model/moe-dispatch.ts';
import { moeFfn } from '../../src/model/moe.ts';
import { leaves, maxAbs, maxAbsDiff, proj, randomModel, tinyV3, withParams } from './util.ts';

const PRE = 'model.layers.1.mlp.';

describe('dispatchByExpert (counting sort of the routed pairs)', () => {
  it('groups every (token, slot) pair under its expert, tokens ascending, with offsets = prefix sums of counts', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 9 }),
        fc.integer({ min: 0, max: 12 }),
        fc.integer({ min: 1, max: 3 }),
        fc.integer(),
        (E, N, K0, seed) => {
          const K = Math.min(K0, E),
            rng = new Rng(seed);
          const idx = Array.from({ length: N * K }, () => rng.int(0, E));
          const d = dispatchByExpert(idx, N, K, E);
          expect(d.offsets[0]).toBe(0);
          expect(d.offsets[E]).toBe(N * K);
          expect([...d.slots].sort((a, b) => a - b)).toEqual(Array.from({ length: N * K }, (_, i) => i));
          for (let e = 0; e < E; e++) {
            expect(d.offsets[e + 1]! - d.offsets[e]!).toBe(idx.filter((x) => x === e).length);
            for (let i = d.offsets[e]!; i < d.offsets[e + 1]!; i++) {
              expect(idx[d.slots[i]!]).toBe(e);
              expect(d.tokens[i]).toBe(Math.floor(d.slots[i]! / K));
              if (i > d.offsets[e]!) expect(d.slots[i]!).toBeGreaterThan(d.slots[i - 1]!);
            }
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it('rejects an index outside [0, E) with a clear error', () => {
    expect(() => dispatchByExpert([0, 3], 2, 1, 3)).toThrow(/out of range/);
  });
});

describe('sparse MoE against the dense reference', () => {
  it('gives the same output and the same gradients for x and every parameter', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 2, max: 4 }),
        fc.integer({ min: 0, max: 2 }),
        fc.integer({ min: 1, max: 7 }),
        fc.integer({ min: 0, max: 1e6 }),
        (groups, perGroup, shared, N, seed) => {
          const E = groups * perGroup;
          const c = tinyV3({
            moe: {
              ...tinyV3().moe!,
              nRoutedExperts: E,
              nGroups: groups,
              topkGroups: groups,
              nActivatedExperts: Math.min(2, E),
              nSharedExperts: shared,
            },
          });
          const base = randomModel(c, seed);
          const results = (['dense', 'sparse'] as const).map((impl) => {
            const ps = leaves(base),
              m = withParams(base, ps);
            const x = randn([N, c.dModel], new Rng(seed).child('x'), 1, { dtype: 'float64', requiresGrad: true });
            const y = moeFfn((n) => m.p(n), PRE, x, c.moe!, { B: 1, T: N, layer: 1, impl });
            backward(proj(y));
            const grads = ps.map((p) => (p.grad ? p.grad.dataSync() : new Float64Array(p.size)));
            return { y: noGrad(() => y.dataSync()), gx: x.grad!.dataSync(), grads };
          });
          const [dense, sparse] = results as [(typeof results)[0], (typeof results)[0]];
          expect(maxAbs(dense.y)).toBeGreaterThan(1e-3);
          expect(maxAbsDiff(sparse.y, dense.y)).toBeLessThan(1e-12);
          expect(maxAbsDiff(sparse.gx, dense.gx)).toBeLessThan(1e-12);
          dense.grads.forEach((g, i) => expect(maxAbsDiff(sparse.grads[i]!, g)).toBeLessThan(1e-12));
        },
      ),
      { numRuns: 30 },
    );
  });

  it('is bit-identical from run to run (a fixed sort and a fixed scatter order)', () => {
    const c = tinyV3();
    const m = randomModel(c, 5);
    const x = randn([11, c.dModel], new Rng(5).child('x'), 1, { dtype: 'float64' });
    const run = () =>
      noGrad(() => moeFfn((n) => m.p(n), PRE, x, c.moe!, { B: 1, T: 11, layer: 1, impl: 'sparse' }).dataSync());
    expect(run()).toEqual(run());
  });
});
