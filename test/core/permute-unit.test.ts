// A permute that moves only axes of size 1 is a reshape (no copy); any permute equals its definition
// out[i_0, …] = x[i_{perm⁻¹(0)}, …], checked on the host for random shapes with unit axes, values and gradients.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { backward } from '../../src/core/autograd.ts';
import { mul, permute, sum } from '../../src/core/ops/index.ts';
import { Rng } from '../../src/core/rng.ts';
import { randn } from '../../src/core/tensor.ts';

/** The permuted copy computed index by index. */
function permuteHost(data: ArrayLike<number>, shape: readonly number[], perm: readonly number[]): number[] {
  const out: number[] = [];
  const outShape = perm.map((p) => shape[p]!);
  const strides = shape.map((_, i) => shape.slice(i + 1).reduce((a, b) => a * b, 1));
  const n = outShape.reduce((a, b) => a * b, 1);
  for (let flat = 0; flat < n; flat++) {
    let rest = flat,
      at = 0;
    for (let d = outShape.length - 1; d >= 0; d--) {
      at += (rest % outShape[d]!) * strides[perm[d]!]!;
      rest = Math.floor(rest / outShape[d]!);
    }
    out.push(data[at]!);
  }
  return out;
}

describe('permute', () => {
  it('equals its definition, forward and backward, also when it only moves unit axes', () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom(1, 1, 2, 3), { minLength: 1, maxLength: 5 }),
        fc.integer({ min: 0, max: 1e6 }),
        (shape, seed) => {
          const rng = new Rng(seed);
          const perm = shape.map((_, i) => i);
          for (let i = perm.length - 1; i > 0; i--) {
            const j = rng.int(0, i + 1);
            [perm[i], perm[j]] = [perm[j]!, perm[i]!];
          }
          const x = randn(shape, rng.child('x'), 1, { requiresGrad: true });
          const y = permute(x, perm);
          expect(y.shape).toEqual(perm.map((p) => shape[p]!));
          expect(Array.from(y.dataSync())).toEqual(permuteHost(x.dataSync(), shape, perm));
          const r = randn(y.shape, rng.child('r'));
          backward(sum(mul(y, r)));
          const inverse = perm.map((_, i) => perm.indexOf(i));
          expect(Array.from(x.grad!.dataSync())).toEqual(permuteHost(r.dataSync(), y.shape, inverse));
        },
      ),
      { numRuns: 150 },
    );
  });

  it('moving only unit axes shares the storage (a reshape)', () => {
    const x = randn([3, 1, 4, 2], new Rng(1));
    expect(permute(x, [0, 2, 1, 3]).storage).toBe(x.storage);
    expect(permute(x, [0, 3, 2, 1]).storage).not.toBe(x.storage);
  });
});
