// The fused causal attention (simd/attention-kernel.ts behind causalAttentionHeads) against the ops it stands
// for, run by the plain-TypeScript reference backend: rope, the head permutes, two batched matmuls and
// causalSoftmax. Tolerance 0: the output, the kept probabilities and the three gradients have the same bits for
// any batch, positions, heads and head width the kernel takes, any scale, with and without RoPE (positions in any
// order), and the shapes it does not take fall back to the same ops. (Its gradients are the composed ops', which
// the finite-difference checks of matmul, softmax and rope cover; the kernel takes float32 only.)
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Backend } from '../../src/backend/backend.ts';
import { CpuBackend } from '../../src/backend/cpu/cpu-backend.ts';
import { SimdAttention } from '../../src/backend/cpu/simd/attention-kernel.ts';
import { backward } from '../../src/core/autograd.ts';
import { causalAttentionHeads, mul, ropeInvFreq, ropeTables, sum } from '../../src/core/ops/index.ts';
import { Rng } from '../../src/core/rng.ts';
import { intTensor, tensor } from '../../src/core/tensor.ts';
import { expectSameBits } from '../helpers/bits.ts';

const simd = new CpuBackend(1, { simd: true });
/** Every tensor in the arena (arena.ts): the kernel reads and writes them in place (q and k copied under RoPE). */
const inArena = new CpuBackend(1, { simd: true, memory: { minLength: 1 } });
const reference = new CpuBackend(1, { simd: false });

interface Case {
  B: number;
  T: number;
  H: number;
  D: number;
  scale: number;
  rope: boolean;
  seed: number;
}

/** out, and the gradients of Σ out ⊙ G, on one backend; with the kernel's calls counted. */
function run(backend: Backend, { B, T, H, D, scale, rope, seed }: Case) {
  const rng = new Rng(seed);
  const n = B * T * H * D;
  const leaf = () =>
    tensor(
      Float32Array.from({ length: n }, () => rng.normal()),
      [B, T, H, D],
      { backend, requiresGrad: true },
    );
  const [q, k, v] = [leaf(), leaf(), leaf()];
  const g = tensor(
    Float32Array.from({ length: n }, () => rng.normal()),
    [B, T, H, D],
    { backend },
  );
  const pos = intTensor(
    Array.from({ length: B * T }, () => rng.int(0, 2 * T)),
    [B * T],
    backend,
  );
  const tables = ropeTables(ropeInvFreq(D, 10000), 2 * T, { backend });
  const out = causalAttentionHeads(q, k, v, { scale, ...(rope ? { rope: { pos, tables, style: 'half' } } : {}) });
  backward(sum(mul(out, g)));
  return [out, q.grad!, k.grad!, v.grad!].map((t) => backend.readSync(t.storage));
}

/** Counts the fused kernel's forward and backward calls on a SIMD backend. */
function counted<T>(fn: () => T, simd: CpuBackend): [T, number] {
  const forward = simd.causalAttentionHeads.bind(simd);
  let calls = 0;
  simd.causalAttentionHeads = (...args) => {
    const ran = forward(...args);
    if (ran) calls++;
    return ran;
  };
  try {
    return [fn(), calls];
  } finally {
    simd.causalAttentionHeads = forward;
  }
}

const shapes = fc.record({
  B: fc.integer({ min: 1, max: 3 }),
  T: fc.constantFrom(8, 16, 24, 40),
  H: fc.integer({ min: 1, max: 3 }),
  D: fc.constantFrom(8, 16, 24, 32),
  scale: fc.constantFrom(1, 0.25, 1 / Math.sqrt(7)),
  rope: fc.boolean(),
  seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
});

describe('fused causal attention (SIMD)', () => {
  it('gives the composed ops’ bits, forward and backward, with and without RoPE', () => {
    fc.assert(
      fc.property(shapes, (c) => {
        const want = run(reference, c);
        for (const backend of [simd, inArena]) {
          const [got, calls] = counted(() => run(backend, c), backend);
          expect(calls).toBe(1);
          got.forEach((x, i) => expectSameBits(x, want[i]!));
        }
      }),
      { numRuns: 60 },
    );
  });

  it('falls back to the ops where the kernel does not take the shape, with the same bits', () => {
    for (const c of [
      { B: 2, T: 12, H: 2, D: 8, scale: 0.5, rope: true, seed: 1 }, // T not a multiple of 8
      { B: 1, T: 16, H: 2, D: 12, scale: 0.5, rope: false, seed: 2 }, // D not a multiple of 8
    ]) {
      const [got, calls] = counted(() => run(simd, c), simd);
      expect(calls).toBe(0);
      const want = run(reference, c);
      got.forEach((x, i) => expectSameBits(x, want[i]!));
    }
  });

  it('takes whole tiles only', () => {
    expect(SimdAttention.takes({ B: 1, T: 64, H: 4, D: 32 })).toBe(true);
    expect(SimdAttention.takes({ B: 1, T: 60, H: 4, D: 32 })).toBe(false);
    expect(SimdAttention.takes({ B: 1, T: 64, H: 4, D: 20 })).toBe(false);
  });
});
