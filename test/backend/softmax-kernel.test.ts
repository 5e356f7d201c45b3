// The WebAssembly SIMD softmax (simd/softmax-kernel.ts) against the CPU backend's loop over Math.exp: the same
// bits (tolerance 0) for any rows × n, scale and causal mask (tq, offset), on ordinary scores and on ±∞, NaN and
// huge ones; and through the backend with SIMD on and off, the log form staying on the loop.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CpuBackend } from '../../src/backend/cpu/cpu-backend.ts';
import { SimdSoftmax } from '../../src/backend/cpu/simd/softmax-kernel.ts';
import { Rng } from '../../src/core/rng.ts';
import { expectSameBits } from '../helpers/bits.ts';

const kernel = new SimdSoftmax();
const reference = new CpuBackend(1, { simd: false });

function scores(count: number, rng: Rng, wild: boolean): Float32Array {
  const SPECIAL = [Infinity, -Infinity, NaN, 3e38, -3e38, 0, -0];
  return Float32Array.from({ length: count }, () =>
    wild && rng.next() < 0.05 ? SPECIAL[Math.floor(rng.next() * SPECIAL.length)]! : rng.normal() * 8,
  );
}

const cases = fc.record({
  rows: fc.integer({ min: 1, max: 40 }),
  n: fc.integer({ min: 1, max: 70 }),
  scale: fc.constantFrom(1, 0.25, 1 / Math.sqrt(3)),
  causal: fc.option(fc.record({ tq: fc.integer({ min: 1, max: 12 }), offset: fc.integer({ min: 0, max: 80 }) })),
  wild: fc.boolean(),
  seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
});

describe('SIMD softmax', () => {
  it('gives the loop’s bits for any shape, scale and causal mask', () => {
    fc.assert(
      fc.property(cases, ({ rows, n, scale, causal, wild, seed }) => {
        const x = scores(rows * n, new Rng(seed), wild);
        const want = reference.fromHost('float32', new Float32Array(rows * n));
        const opts = { log: false, scale, ...(causal ? { causal } : {}) };
        reference.softmax(reference.fromHost('float32', x), want, rows, n, opts);
        const got = new Float32Array(rows * n);
        const ran = kernel.run(x, got, rows, n, scale, causal ?? undefined);
        expect(ran).toBe(rows * n >= 256);
        if (ran) expectSameBits(got, reference.readSync(want));
      }),
      { numRuns: 300 },
    );
  });

  it('runs behind the CPU backend: softmax and log-softmax give the same bits with SIMD on and off', () => {
    const on = new CpuBackend(1, { simd: true });
    const rows = 24,
      n = 48,
      x = scores(rows * n, new Rng(9), true);
    for (const opts of [{ log: false }, { log: false, scale: 0.25, causal: { tq: 12, offset: 3 } }, { log: true }]) {
      const [a, b] = [on, reference].map((be) => {
        const out = be.alloc('float32', rows * n);
        be.softmax(be.fromHost('float32', x), out, rows, n, opts);
        return be.readSync(out);
      });
      expectSameBits(a!, b!);
    }
  });
});
