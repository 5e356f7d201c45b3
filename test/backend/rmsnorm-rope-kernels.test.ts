// RMSNorm's forward (simd/rmsnorm-kernel.ts) and RoPE in the 'half' layout (simd/rope-kernel.ts) as WebAssembly,
// against the CPU backend's loops (SIMD off): the same bits (tolerance 0) over random shapes, odd row lengths
// included, on ordinary values, ±0, ±∞, NaN, subnormals and raw float32 bit patterns; the rotation forward and
// inverse; and what each declines (an odd half, positions outside the tables) left to the loop.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CpuBackend } from '../../src/backend/cpu/cpu-backend.ts';
import { SimdRmsnorm } from '../../src/backend/cpu/simd/rmsnorm-kernel.ts';
import { SimdRope } from '../../src/backend/cpu/simd/rope-kernel.ts';
import { Rng } from '../../src/core/rng.ts';
import { expectSameBits } from '../helpers/bits.ts';

const loops = new CpuBackend(1, { simd: false }),
  fast = new CpuBackend(1, { simd: true });
const SPECIAL = [0, -0, Infinity, -Infinity, NaN, 1e-45, -1e-45, 3.4e38, 1, -1];

function values(n: number, rng: Rng, wild: boolean): Float32Array {
  const out = new Float32Array(n),
    bits = new Uint32Array(out.buffer);
  for (let i = 0; i < n; i++) {
    const u = rng.next();
    if (!wild || u < 0.8) out[i] = rng.normal() * (u < 0.1 ? 1e-20 : 1);
    else if (u < 0.9) out[i] = SPECIAL[Math.floor(rng.next() * SPECIAL.length)]!;
    else bits[i] = Math.floor(rng.next() * 2 ** 32);
  }
  return out;
}

describe('SIMD RMSNorm forward', () => {
  const kernel = new SimdRmsnorm();
  it('gives the loop’s bits (output and kept 1/rms) at any row length', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 1, max: 70 }),
        fc.boolean(),
        fc.integer({ min: 0, max: 2 ** 31 - 1 }),
        (rows, n, wild, seed) => {
          const rng = new Rng(seed);
          const x = values(rows * n, rng, wild),
            w = values(n, rng, wild);
          const eps = rng.next() < 0.5 ? 1e-6 : 1e-5;
          const out = new Float32Array(rows * n),
            rs = new Float32Array(rows);
          const ran = kernel.run(x, w, out, rs, rows, n, eps);
          expect(ran).toBe(rows * n >= 256);
          const o = loops.alloc('float32', rows * n),
            r = loops.alloc('float32', rows);
          loops.rmsnorm(loops.fromHost('float32', x), loops.fromHost('float32', w), o, r, rows, n, eps);
          if (ran) {
            expectSameBits(out, loops.readSync(o) as Float32Array);
            expectSameBits(rs, loops.readSync(r) as Float32Array);
          }
        },
      ),
      { numRuns: 150 },
    );
  });
});

describe('SIMD RoPE (half layout)', () => {
  const kernel = new SimdRope();
  const run = (
    be: CpuBackend,
    x: Float32Array,
    pos: Int32Array,
    cos: Float32Array,
    sin: Float32Array,
    L: { rows: number; heads: number; dim: number; inverse: boolean },
  ) => {
    const out = be.alloc('float32', x.length);
    const [xs, ps, cs, ss] = [
      be.fromHost('float32', x),
      be.fromHost('int32', pos),
      be.fromHost('float32', cos),
      be.fromHost('float32', sin),
    ];
    be.rope(xs, ps, cs, ss, out, { ...L, style: 'half' });
    return be.readSync(out) as Float32Array;
  };

  it('gives the loop’s bits, forward and inverse, at any positions in the tables', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 30 }),
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 8 }).map((q) => 4 * q),
        fc.boolean(),
        fc.boolean(),
        fc.integer({ min: 0, max: 2 ** 31 - 1 }),
        (rows, heads, dim, inverse, wild, seed) => {
          const rng = new Rng(seed),
            maxPos = 50,
            half = dim / 2;
          const x = values(rows * heads * dim, rng, wild);
          const pos = Int32Array.from({ length: rows }, () => rng.int(0, maxPos));
          const cos = values(maxPos * half, rng, wild),
            sin = values(maxPos * half, rng, wild);
          const got = new Float32Array(x.length);
          const ran = kernel.run(x, pos, cos, sin, got, rows, heads, dim, inverse);
          expect(ran).toBe(x.length >= 256);
          if (ran) expectSameBits(got, run(loops, x, pos, cos, sin, { rows, heads, dim, inverse }));
        },
      ),
      { numRuns: 150 },
    );
  });

  it('declines an odd half and positions outside the tables; the backend then runs the loop', () => {
    const rng = new Rng(9),
      rows = 40,
      heads = 2;
    for (const [dim, maxPos, bad] of [
      [12, 50, 0], // half 6 is even: runs
      [10, 50, 0], // half 5 is odd
      [12, 50, 50], // a position one past the tables
      [12, 50, -1],
    ] as const) {
      const half = dim / 2;
      const x = values(rows * heads * dim, rng, false);
      const pos = Int32Array.from({ length: rows }, (_, r) => (r === 7 && bad !== 0 ? bad : r % maxPos));
      const cos = values(maxPos * half, rng, false),
        sin = values(maxPos * half, rng, false);
      const ok = kernel.run(x, pos, cos, sin, new Float32Array(x.length), rows, heads, dim, false);
      expect(ok).toBe(half % 2 === 0 && bad === 0);
      const L = { rows, heads, dim, inverse: false };
      expectSameBits(run(fast, x, pos, cos, sin, L), run(loops, x, pos, cos, sin, L));
    }
  });
});
