// The WebAssembly strided copy (simd/copy-kernel.ts): every number lands where the index map says, bit for bit
// (raw float32 patterns, NaN payloads included), over random four-dim views whose rows are whole vectors; and
// behind the CPU backend, attention's head permutes and views the kernel declines give the loop's bits.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CpuBackend } from '../../src/backend/cpu/cpu-backend.ts';
import { SIMD_COPY_MIN, SimdCopy } from '../../src/backend/cpu/simd/copy-kernel.ts';
import type { View } from '../../src/backend/backend.ts';
import { contiguousView } from '../../src/backend/view.ts';
import { Rng } from '../../src/core/rng.ts';
import { expectSameBits } from '../helpers/bits.ts';

const kernel = new SimdCopy();

function rawBits(n: number, rng: Rng): Float32Array {
  const out = new Float32Array(n);
  const bits = new Uint32Array(out.buffer);
  for (let i = 0; i < n; i++) bits[i] = Math.floor(rng.next() * 2 ** 32);
  return out;
}

/** Four dims, a source laid out in a permuted order (rows of n3 unit-stride numbers), at an offset. */
const layout = fc
  .record({
    n: fc.tuple(
      fc.integer({ min: 1, max: 9 }),
      fc.integer({ min: 1, max: 9 }),
      fc.integer({ min: 1, max: 40 }),
      fc.integer({ min: 1, max: 12 }).map((x) => 4 * x),
    ),
    swap: fc.boolean(),
    offset: fc.integer({ min: 0, max: 5 }),
    seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
  })
  .filter(({ n }) => n[0] * n[1] * n[2] * n[3] >= SIMD_COPY_MIN);

describe('SIMD strided copy', () => {
  it('puts every number where the index map says, bit for bit', () => {
    fc.assert(
      fc.property(layout, ({ n, swap, offset, seed }) => {
        const [n0, n1, n2, n3] = n;
        // the source holds [n0, n2, n1, n3] (swap) or [n0, n1, n2, n3] row-major; we read it as [n0, n1, n2, n3]
        const s: [number, number, number, number] = swap
          ? [n1 * n2 * n3, n3, n1 * n3, 1]
          : [n1 * n2 * n3, n2 * n3, n3, 1];
        const total = n0 * n1 * n2 * n3;
        const src = rawBits(offset + total + 3, new Rng(seed));
        const got = new Float32Array(total + 2);
        expect(kernel.run(src, { n, s, srcOffset: offset }, got, 1)).toBe(true);
        const want = new Uint32Array(total + 2),
          from = new Uint32Array(src.buffer);
        let o = 1;
        for (let i0 = 0; i0 < n0; i0++)
          for (let i1 = 0; i1 < n1; i1++)
            for (let i2 = 0; i2 < n2; i2++)
              for (let j = 0; j < n3; j++) want[o++] = from[offset + i0 * s[0] + i1 * s[1] + i2 * s[2] + j]!;
        expect(new Uint32Array(got.buffer)).toEqual(want);
      }),
      { numRuns: 100 },
    );
  });

  it('declines rows that are not whole vectors and copies too small to gain', () => {
    const src = new Float32Array(8192);
    expect(kernel.run(src, { n: [1, 2, 64, 6], s: [0, 6, 12, 1], srcOffset: 0 }, new Float32Array(768), 0)).toBe(false);
    expect(kernel.run(src, { n: [1, 1, 4, 16], s: [0, 0, 16, 1], srcOffset: 0 }, new Float32Array(64), 0)).toBe(false);
  });

  it('behind the CPU backend: head permutes and declined views give the loop’s bits', () => {
    const on = new CpuBackend(1, { simd: true }),
      off = new CpuBackend(1, { simd: false });
    const rng = new Rng(3);
    const data = Float32Array.from({ length: 16 * 48 * 4 * 16 + 7 }, () => rng.normal());
    const [B, T, H, D] = [16, 48, 4, 16];
    // [B, T, H, D] read as [B, H, T, D], at an offset; the same with D = 6 (rows not whole vectors); the way
    // back; and a permute into a strided target (every other head block of a larger array)
    const views: [View, View, number][] = [
      [
        { shape: [B, H, T, D], strides: [T * H * D, D, H * D, 1], offset: 7 },
        contiguousView([B, H, T, D]),
        B * H * T * D,
      ],
      [
        { shape: [B, H, T, 6], strides: [T * H * 6, 6, H * 6, 1], offset: 0 },
        contiguousView([B, H, T, 6]),
        B * H * T * 6,
      ],
      // heads back beside each other: [B, H, T, D] read as [B, T, H, D]
      [
        { shape: [B, T, H, D], strides: [H * T * D, D, T * D, 1], offset: 0 },
        contiguousView([B, T, H, D]),
        B * T * H * D,
      ],
      [
        { shape: [B, H, T, D], strides: [T * H * D, D, H * D, 1], offset: 0 },
        { shape: [B, H, T, D], strides: [2 * H * T * D, 2 * T * D, D, 1], offset: 0 },
        2 * B * H * T * D,
      ],
    ];
    for (const [src, dst, size] of views) {
      const [x, y] = [on, off].map((be) => {
        const out = be.alloc('float32', size);
        be.copy(be.fromHost('float32', data), src, out, dst);
        return be.readSync(out) as Float32Array;
      });
      expectSameBits(x!, y!);
    }
  });
});
