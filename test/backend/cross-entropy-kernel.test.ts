// Cross-entropy's log-softmax-and-take as WebAssembly (simd/cross-entropy-kernel.ts) against fused.ts's float32
// loops: the same bits (tolerance 0) for the taken values, the kept log-sum-exp and the gradient, over random
// shapes (odd row lengths), logits far apart (exp's underflow), ±∞ and NaN among them, targets anywhere in a row;
// and an lse below its row's maximum, which the kernel reports so that the loop runs instead.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as fused from '../../src/backend/cpu/fused.ts';
import { SimdCrossEntropy } from '../../src/backend/cpu/simd/cross-entropy-kernel.ts';
import { Rng } from '../../src/core/rng.ts';
import { expectSameBits } from '../helpers/bits.ts';

const kernel = new SimdCrossEntropy();
const SPECIAL = [Infinity, -Infinity, NaN, -0, 0, 1e-45, 88, -104];

function logits(n: number, rng: Rng, wild: boolean): Float32Array {
  const scale = rng.next() < 0.3 ? 60 : 4; // 60: rows whose exps underflow to 0 and subnormals
  return Float32Array.from({ length: n }, () =>
    wild && rng.next() < 0.05 ? SPECIAL[rng.int(0, SPECIAL.length)]! : rng.normal() * scale,
  );
}

describe('SIMD cross-entropy (log-softmax-and-take)', () => {
  it('forward and backward give the loops’ bits', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 1, max: 70 }),
        fc.boolean(),
        fc.integer({ min: 0, max: 2 ** 31 - 1 }),
        (rows, n, wild, seed) => {
          const rng = new Rng(seed);
          const x = logits(rows * n, rng, wild);
          const t = Int32Array.from({ length: rows }, () => rng.int(0, n));
          const g = Float32Array.from({ length: rows }, () => (rng.next() < 0.1 ? -0 : rng.normal()));
          const [out, wantOut] = [new Float32Array(rows), new Float32Array(rows)];
          const [lse, wantLse] = [new Float64Array(rows), new Float64Array(rows)];
          expect(kernel.forward(x, t, out, lse, rows, n)).toBe(rows * n >= 256);
          fused.logSoftmaxTake(x, t, wantOut, wantLse, rows, n);
          expectSameBits(out, wantOut);
          expectSameBits(lse, wantLse);
          const [gx, wantGx] = [new Float32Array(rows * n), new Float32Array(rows * n)];
          // the kernel's result is used whenever it runs: the forward's lse is never below a row's maximum
          expect(kernel.backward(x, t, lse, g, gx, rows, n)).toBe(rows * n >= 256);
          fused.logSoftmaxTakeBackward(x, t, wantLse, g, wantGx, rows, n);
          expectSameBits(gx, wantGx);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('rows of only −∞, only NaN, or with +∞ give the loops’ bits', () => {
    const n = 20,
      fills = [-Infinity, NaN, Infinity, 0];
    const x = new Float32Array(fills.length * 4 * n).map((_, i) => Math.sin(i) * 3);
    fills.forEach((v, r) => x.fill(v, r * n, (r + 1) * n)); // rows 0–3 each one value; row 2 all +∞
    x[5 * n + 7] = Infinity;
    x[6 * n + 3] = NaN;
    const rows = x.length / n,
      t = Int32Array.from({ length: rows }, (_, r) => (3 * r) % n),
      g = Float32Array.from({ length: rows }, (_, r) => r - 4);
    const [out, wantOut, lse, wantLse] = [
      new Float32Array(rows),
      new Float32Array(rows),
      new Float64Array(rows),
      new Float64Array(rows),
    ];
    expect(kernel.forward(x, t, out, lse, rows, n)).toBe(true);
    fused.logSoftmaxTake(x, t, wantOut, wantLse, rows, n);
    expectSameBits(out, wantOut);
    expectSameBits(lse, wantLse);
    const [gx, wantGx] = [new Float32Array(rows * n), new Float32Array(rows * n)];
    expect(kernel.backward(x, t, lse, g, gx, rows, n)).toBe(true);
    fused.logSoftmaxTakeBackward(x, t, lse, g, wantGx, rows, n);
    expectSameBits(gx, wantGx);
  });

  it('a row whose lse is below its maximum (exp of a positive number) runs the loop', () => {
    const rng = new Rng(4),
      rows = 16,
      n = 33; // 528 logits: the kernel runs
    const x = logits(rows * n, rng, false);
    const t = Int32Array.from({ length: rows }, () => rng.int(0, n));
    const g = Float32Array.from({ length: rows }, () => rng.normal());
    const lse = new Float64Array(rows);
    fused.logSoftmaxTake(x, t, new Float32Array(rows), lse, rows, n);
    lse[5] = lse[5]! - 3; // some x_j − lse > 0 in row 5 only
    const [gx, want] = [new Float32Array(rows * n), new Float32Array(rows * n)];
    expect(kernel.backward(x, t, lse, g, gx, rows, n)).toBe(false);
    fused.logSoftmaxTakeBackward(x, t, lse, g, want, rows, n);
    expectSameBits(gx, want);
    expect(gx.subarray(5 * n, 6 * n).some((v) => v < -Math.abs(g[5]!) * 1.5)).toBe(true); // exp(v) > 1 there
  });
});
