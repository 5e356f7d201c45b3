// The WebAssembly row gather and scatter-add (simd/index-rows-kernel.ts) against float32.ts's loops: the same
// bits (tolerance 0) for rows that are whole vectors, repeated indices included (their adds happen in index
// order), on values mixing magnitudes so that the order of the adds shows; the kernel declines what it does not
// take; and through the CPU backend with SIMD on and off, where an index out of range is refused before any write.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CpuBackend } from '../../src/backend/cpu/cpu-backend.ts';
import { gatherF32, scatterAddF32 } from '../../src/backend/cpu/float32.ts';
import { SimdIndexRows } from '../../src/backend/cpu/simd/index-rows-kernel.ts';
import { Rng } from '../../src/core/rng.ts';
import { expectSameBits } from '../helpers/bits.ts';

const kernel = new SimdIndexRows();

/** Values of very different sizes, so that a + b + c depends on the order of the adds. */
function values(n: number, rng: Rng): Float32Array {
  return Float32Array.from({ length: n }, () => rng.normal() * 10 ** Math.floor(rng.next() * 8 - 4));
}

describe('SIMD row gather and scatter-add', () => {
  it('give the loops’ bits, repeated indices added in order', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 1, max: 300 }),
        fc.integer({ min: 1, max: 24 }),
        fc.integer({ min: 0, max: 2 ** 31 - 1 }),
        (n, count, w4, seed) => {
          const rng = new Rng(seed),
            w = 4 * w4,
            takes = count * w >= 4096 && n <= 2 * count; // otherwise the backend runs the loops
          const idx = Int32Array.from({ length: count }, () => Math.floor(rng.next() * n));
          const table = values(n * w, rng),
            rows = values(count * w, rng);
          const [a, b] = [table.slice(), table.slice()];
          scatterAddF32(a, idx, rows, [1, n, count, w, count]);
          expect(kernel.scatterAdd(b, idx, rows, n, count, w)).toBe(takes);
          expectSameBits(b, takes ? a : table);
          const [picked, fast] = [new Float32Array(count * w), new Float32Array(count * w)];
          gatherF32(table, idx, picked, [1, n, count, w, count]);
          expect(kernel.gather(table, idx, fast, n, count, w)).toBe(takes);
          expectSameBits(fast, takes ? picked : new Float32Array(count * w));
        },
      ),
      { numRuns: 150 },
    );
  });

  it('decline rows that are not whole vectors, writing nothing', () => {
    const dst = new Float32Array(2 * 4099),
      rows = new Float32Array(4 * 4099).fill(1),
      idx = new Int32Array(4).fill(1);
    expect(kernel.scatterAdd(dst, idx, rows, 2, 4, 4099)).toBe(false);
    expect(kernel.gather(dst, idx, rows, 2, 4, 4099)).toBe(false);
    expect(dst.every((v) => v === 0) && rows.every((v) => v === 1)).toBe(true);
    // nor a few rows of a large table
    const large = new Float32Array(4097 * 4);
    expect(kernel.gather(large, new Int32Array(2048), new Float32Array(2048 * 4), 4097, 2048, 4)).toBe(false);
  });

  it('run behind the CPU backend with the same bits on and off, and refuse an index out of range', () => {
    const rng = new Rng(5),
      n = 50,
      count = 200,
      w = 64;
    const idx = Int32Array.from({ length: count }, () => Math.floor(rng.next() * n));
    const table = values(n * w, rng),
      rows = values(count * w, rng);
    const [on, off] = [new CpuBackend(1, { simd: true }), new CpuBackend(1, { simd: false })].map((be) => {
      const sums = be.fromHost('float32', table),
        picked = be.alloc('float32', count * w);
      be.scatterAdd(sums, be.fromHost('int32', idx), be.fromHost('float32', rows), 1, n, count, w, count);
      be.gather(be.fromHost('float32', table), be.fromHost('int32', idx), picked, 1, n, count, w, count);
      return [be.readSync(sums), be.readSync(picked)] as Float32Array[];
    });
    on!.forEach((x, i) => expectSameBits(x, off![i]!));
    const be = new CpuBackend(1, { simd: true }),
      sums = be.fromHost('float32', table),
      picked = be.alloc('float32', count * w);
    const bad = be.fromHost('int32', [...idx.slice(0, -1), n]);
    expect(() => be.scatterAdd(sums, bad, be.fromHost('float32', rows), 1, n, count, w, count)).toThrow(
      `scatterAdd: index ${n} out of range [0, ${n})`,
    );
    expect(() => be.gather(be.fromHost('float32', table), bad, picked, 1, n, count, w, count)).toThrow(
      `gather: index ${n} out of range [0, ${n})`,
    );
    expectSameBits(be.readSync(sums) as Float32Array, table);
    expect((be.readSync(picked) as Float32Array).every((v) => v === 0)).toBe(true);
  });
});
