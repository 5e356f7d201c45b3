// The grouped matmul in one call (simd/grouped-kernel.ts behind groupedLinearT) against one matmul per group on
// the plain-TypeScript reference backend: tolerance 0 for the output and both gradients, for any rows, any
// split into groups (empty groups, a group of one row, rows not a multiple of the tile's 4), and shapes it does
// not take falling back to a matmul per group; with operands copied into the kernel's memory and in place.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Backend } from '../../src/backend/backend.ts';
import { CpuBackend } from '../../src/backend/cpu/cpu-backend.ts';
import { backward } from '../../src/core/autograd.ts';
import { groupedLinearT, mul, sum } from '../../src/core/ops/index.ts';
import { Rng } from '../../src/core/rng.ts';
import { tensor } from '../../src/core/tensor.ts';
import { expectSameBits } from '../helpers/bits.ts';

const simd = new CpuBackend(1, { simd: true });
/** Every tensor in the arena (arena.ts), so that the kernel reads and writes all of them in place. */
const inArena = new CpuBackend(1, { simd: true, memory: { minLength: 1 } });
const reference = new CpuBackend(1, { simd: false });

interface Case {
  sizes: number[];
  inDim: number;
  outDim: number;
  seed: number;
}

/** y and the gradients of Σ y ⊙ G on one backend, with the kernel's calls counted. */
function run(backend: Backend, { sizes, inDim, outDim, seed }: Case): [Float32Array[], number] {
  const rng = new Rng(seed);
  const M = sizes.reduce((a, b) => a + b, 0),
    G = sizes.length;
  const offsets = Int32Array.from([0, ...sizes.map((_, g) => sizes.slice(0, g + 1).reduce((a, b) => a + b, 0))]);
  const make = (shape: number[], requiresGrad: boolean) =>
    tensor(
      Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng.normal()),
      shape,
      { backend, requiresGrad },
    );
  const x = make([M, inDim], true),
    w = make([G, outDim, inDim], true),
    g = make([M, outDim], false);
  let calls = 0;
  const grouped = backend.groupedMatmul?.bind(backend);
  if (grouped)
    backend.groupedMatmul = (...args) => {
      const ran = grouped(...args);
      if (ran) calls++;
      return ran;
    };
  try {
    backward(sum(mul(groupedLinearT(x, w, offsets), g)));
  } finally {
    if (grouped) backend.groupedMatmul = grouped;
  }
  const y = groupedLinearT(x, w, offsets);
  return [[y, x.grad!, w.grad!].map((t) => backend.readSync(t.storage) as Float32Array), calls];
}

const cases = fc.record({
  sizes: fc.array(fc.oneof(fc.constant(0), fc.constant(1), fc.integer({ min: 0, max: 23 })), {
    minLength: 1,
    maxLength: 6,
  }),
  inDim: fc.constantFrom(8, 16, 24),
  outDim: fc.constantFrom(8, 16, 32),
  seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
});

describe('grouped matmul in one call (SIMD)', () => {
  it('gives one matmul per group’s bits: the output and both gradients', () => {
    fc.assert(
      fc.property(
        cases.filter((c) => c.sizes.some((s) => s > 0)),
        (c) => {
          const [want] = run(reference, c);
          for (const backend of [simd, inArena]) {
            const [got, calls] = run(backend, c);
            expect(calls).toBe(3); // forward, ∂X, ∂W
            got.forEach((x, i) => expectSameBits(x, want[i]!));
          }
        },
      ),
      { numRuns: 80 },
    );
  });

  it('falls back to a matmul per group where the widths are not whole panels, with the same bits', () => {
    const c = { sizes: [5, 0, 7], inDim: 12, outDim: 8, seed: 3 };
    const [got, calls] = run(simd, c);
    expect(calls).toBe(0);
    const [want] = run(reference, c);
    got.forEach((x, i) => expectSameBits(x, want[i]!));
  });
});
