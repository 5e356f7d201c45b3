// The WebAssembly SIMD add/sub/mul/div (simd/binary-kernel.ts) against the float32 loop it replaces: the same bits
// (tolerance 0) at every length, on ordinary values, on ±0, ±∞, NaN, subnormals and raw float32 bit patterns;
// and through the CPU backend (contiguous views with offsets take the kernel, broadcasts the loop), on and off.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CpuBackend } from '../../src/backend/cpu/cpu-backend.ts';
import { SIMD_BINARY_MIN, SIMD_BINARY_OPS, SimdBinary } from '../../src/backend/cpu/simd/binary-kernel.ts';
import { contiguousView } from '../../src/backend/view.ts';
import { Rng } from '../../src/core/rng.ts';
import { expectSameBits } from '../helpers/bits.ts';

const kernel = new SimdBinary();
const SPECIAL = [0, -0, Infinity, -Infinity, NaN, 1e-45, -1e-45, 3.4e38, -3.4e38, 1, -1];

function values(n: number, rng: Rng): Float32Array {
  const out = new Float32Array(n),
    bits = new Uint32Array(out.buffer);
  for (let i = 0; i < n; i++) {
    const u = rng.next();
    if (u < 0.6) out[i] = rng.normal();
    else if (u < 0.7) out[i] = SPECIAL[Math.floor(rng.next() * SPECIAL.length)]!;
    else bits[i] = Math.floor(rng.next() * 2 ** 32);
  }
  return out;
}

const loop = {
  add: (x: number, y: number) => x + y,
  sub: (x: number, y: number) => x - y,
  mul: (x: number, y: number) => x * y,
  div: (x: number, y: number) => x / y,
};

describe('SIMD float32 add, sub, mul, div', () => {
  it('gives the float32 loop’s bits at any length', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...SIMD_BINARY_OPS),
        fc.integer({ min: 0, max: 200 }),
        fc.integer({ min: 0, max: 2 ** 31 - 1 }),
        (op, n, seed) => {
          const rng = new Rng(seed);
          const a = values(n, rng),
            b = values(n, rng);
          const want = Float32Array.from(a, (x, i) => loop[op](x, b[i]!)),
            got = new Float32Array(n);
          expect(kernel.run(op, a, b, got)).toBe(true);
          expectSameBits(got, want);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('runs behind the CPU backend for contiguous views (offsets too), not for broadcasts; the same bits on and off', () => {
    const on = new CpuBackend(1, { simd: true }),
      off = new CpuBackend(1, { simd: false });
    const rng = new Rng(5),
      rows = 40,
      cols = 37;
    expect(rows * cols).toBeGreaterThan(SIMD_BINARY_MIN);
    const a = values(2 * rows * cols, rng),
      b = values(rows * cols, rng),
      row = values(cols, rng);
    const run = (be: CpuBackend) =>
      SIMD_BINARY_OPS.flatMap((op) => {
        const [sa, sb, sr] = [a, b, row].map((x) => be.fromHost('float32', x));
        const out1 = be.alloc('float32', rows * cols),
          out2 = be.alloc('float32', rows * cols);
        // the second half of a, contiguous at an offset, ∘ b; then b ∘ a row broadcast down the rows
        be.binary(op, sa!, contiguousView([rows, cols], rows * cols), sb!, contiguousView([rows, cols]), out1);
        be.binary(
          op,
          sb!,
          contiguousView([rows, cols]),
          sr!,
          { shape: [rows, cols], strides: [0, 1], offset: 0 },
          out2,
        );
        return [out1, out2].map((s) => Array.from(be.readSync(s) as ArrayLike<number>));
      });
    const [x, y] = [run(on), run(off)];
    x.forEach((v, i) => expectSameBits(v, y[i]!));
    const second = a.subarray(rows * cols);
    expectSameBits(
      x[0]!,
      Float32Array.from(second, (v, i) => v + b[i]!),
    );
  });
});
