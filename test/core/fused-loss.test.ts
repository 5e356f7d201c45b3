// The fused log-softmax-and-take (cross-entropy's and RL's log p(target)) against the composed ops it replaces:
// the same bits forward and backward, for random shapes (odd vocabularies, one row), float32 and float64, any
// targets and any upstream gradient.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { backward } from '../../src/core/autograd.ts';
import { crossEntropy, mul, sum, tokenLogProbs, tokenLogProbsComposed } from '../../src/core/ops/index.ts';
import { Rng } from '../../src/core/rng.ts';
import { intTensor, randn, type Tensor } from '../../src/core/tensor.ts';

describe('tokenLogProbs (fused log-softmax + take)', () => {
  it('gives the composed ops’ bits, forward and backward', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 9 }),
        fc.integer({ min: 1, max: 67 }),
        fc.constantFrom('float32' as const, 'float64' as const),
        fc.double({ min: 0.1, max: 30, noNaN: true }),
        fc.integer({ min: 0, max: 1e6 }),
        (B, T, V, dtype, scale, seed) => {
          const rng = new Rng(seed);
          const targets = intTensor(
            Array.from({ length: B * T }, () => rng.int(0, V)),
            [B, T],
          );
          const run = (f: (x: Tensor, t: Tensor) => Tensor) => {
            const x = randn([B, T, V], rng.child('x'), scale, { dtype, requiresGrad: true });
            const lp = f(x, targets);
            backward(sum(mul(lp, randn([B, T], rng.child('g'), 1, { dtype }))));
            return { lp: lp.dataSync(), gx: x.grad!.dataSync() };
          };
          const fused = run(tokenLogProbs),
            ref = run(tokenLogProbsComposed);
          expect(fused.lp).toEqual(ref.lp);
          expect(fused.gx).toEqual(ref.gx);
        },
      ),
      { numRuns: 80 },
    );
  });

  it('is what cross-entropy is made of: CE = −mean log p(target) over the counted positions', () => {
    const x = randn([2, 5, 11], new Rng(1), 2);
    const t = intTensor([3, 0, 10, -1, 7, 1, 1, 2, -1, 9], [2, 5]);
    const lp = tokenLogProbsComposed(x, intTensor([3, 0, 10, 0, 7, 1, 1, 2, 0, 9], [2, 5])).dataSync();
    const kept = [0, 1, 2, 4, 5, 6, 7, 9];
    const expected = -kept.reduce((s, i) => s + lp[i]!, 0) / kept.length;
    expect(crossEntropy(x, t, { ignoreIndex: -1 }).dataSync()[0]).toBeCloseTo(expected, 5);
  });
});
