// The CPU backend's float32 fast paths (float32.ts) against its generic kernels run in float64: for one
// +, −, ×, ÷ of float32 inputs the float64 result rounded to float32 is the correctly rounded float32 result,
// so the two must agree bit for bit; max/min/comparisons and copies are exact. Views cover broadcasting
// (stride 0), permuted strides and offsets, as the shape ops make them.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { BinaryOp, UnaryOp, View } from '../../src/backend/backend.ts';
import { CpuBackend } from '../../src/backend/cpu/cpu-backend.ts';
import { Rng } from '../../src/core/rng.ts';

const cpu = new CpuBackend(1, { simd: false });

/** A view of `shape` over a buffer: a permutation of row-major strides, some dims broadcast, an offset. Up to
 * six dims, so that copies see both the four-dim loops and the row callbacks beyond them (copyF32). */
const viewOf = fc
  .record({
    shape: fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 0, maxLength: 6 }),
    perm: fc.array(fc.nat(), { minLength: 6, maxLength: 6 }),
    broadcast: fc.array(fc.boolean(), { minLength: 6, maxLength: 6 }),
    offset: fc.integer({ min: 0, max: 3 }),
  })
  .map(({ shape, perm, broadcast, offset }) => {
    // Lay the dims out in a permuted order, then zero the strides of broadcast dims.
    const order = shape.map((_, i) => i).sort((a, b) => (perm[a]! % 7) - (perm[b]! % 7) || a - b);
    const strides = new Array<number>(shape.length).fill(0);
    let acc = 1;
    for (let i = order.length - 1; i >= 0; i--) {
      const d = order[i]!;
      strides[d] = broadcast[d] ? 0 : acc;
      acc *= broadcast[d] ? 1 : shape[d]!;
    }
    return { shape, view: { shape, strides, offset } as View, length: acc + offset };
  });

function data(n: number, seed: number): number[] {
  const rng = new Rng(seed);
  // Some exact repeats so that eq/max/min see ties.
  return Array.from({ length: n }, (_, i) => (i % 5 === 0 ? 1.5 : rng.normal() * 3));
}

const binaryOps: BinaryOp[] = ['add', 'sub', 'mul', 'div', 'max', 'min', 'eq', 'gt'];
const unaryOps: UnaryOp[] = ['mulScalar', 'addScalar', 'exp', 'neg'];

describe('float32 fast paths give the generic kernels’ bits', () => {
  it('binary zips over broadcast and permuted views', () => {
    fc.assert(
      fc.property(viewOf, fc.constantFrom(...binaryOps), fc.integer(), fc.boolean(), (a, op, seed, bcastB) => {
        // b: the same shape, row-major or broadcast along its first dims.
        const bStrides = a.shape.map((_, i) =>
          bcastB && i === 0 ? 0 : a.shape.slice(i + 1).reduce((x, y) => x * y, 1),
        );
        const bView: View = { shape: a.shape, strides: bStrides, offset: 0 };
        const bLen = a.shape.reduce((x, y) => x * y, 1);
        const n = bLen;
        const ad = data(a.length, seed),
          bd = data(bLen, seed + 1);
        const out32 = cpu.alloc('float32', n),
          out64 = cpu.alloc('float64', n);
        cpu.binary(op, cpu.fromHost('float32', ad), a.view, cpu.fromHost('float32', bd), bView, out32);
        const a64 = Float64Array.from(Float32Array.from(ad)),
          b64 = Float64Array.from(Float32Array.from(bd));
        cpu.binary(op, cpu.fromHost('float64', a64), a.view, cpu.fromHost('float64', b64), bView, out64);
        expect(cpu.readSync(out32)).toEqual(Float32Array.from(cpu.readSync(out64)));
      }),
      { numRuns: 300 },
    );
  });

  it('scalar maps', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 40 }),
        fc.constantFrom(...unaryOps),
        fc.double({ min: -4, max: 4, noNaN: true }),
        fc.integer(),
        (n, op, s, seed) => {
          const x = Float32Array.from(data(n, seed));
          const out32 = cpu.alloc('float32', n),
            out64 = cpu.alloc('float64', n);
          cpu.unary(op, cpu.fromHost('float32', x), out32, s);
          cpu.unary(op, cpu.fromHost('float64', Float64Array.from(x)), out64, s);
          expect(cpu.readSync(out32)).toEqual(Float32Array.from(cpu.readSync(out64)));
        },
      ),
      { numRuns: 200 },
    );
  });

  it('strided copies (permutes) place every element where the index map says', () => {
    fc.assert(
      fc.property(viewOf, fc.integer(), (src, seed) => {
        const n = src.shape.reduce((x, y) => x * y, 1);
        const dstStrides = src.shape.map((_, i) => src.shape.slice(i + 1).reduce((x, y) => x * y, 1));
        const dst: View = { shape: src.shape, strides: dstStrides, offset: 0 };
        const sd = Float32Array.from(data(src.length, seed));
        const out32 = cpu.alloc('float32', n),
          out64 = cpu.alloc('float64', n);
        cpu.copy(cpu.fromHost('float32', sd), src.view, out32, dst);
        cpu.copy(cpu.fromHost('float64', Float64Array.from(sd)), src.view, out64, dst);
        expect(cpu.readSync(out32)).toEqual(Float32Array.from(cpu.readSync(out64)));
      }),
      { numRuns: 200 },
    );
  });

  it('row gathers and scatter-adds (the MoE dispatch): float32 adds in index order, ranges checked', () => {
    fc.assert(
      fc.property(
        fc.record({
          outer: fc.integer({ min: 1, max: 3 }),
          n: fc.integer({ min: 1, max: 6 }),
          inner: fc.integer({ min: 1, max: 70 }),
          idx: fc.array(fc.nat(), { minLength: 0, maxLength: 12 }),
        }),
        fc.integer(),
        ({ outer, n, inner, idx }, seed) => {
          const count = idx.length,
            ix = Int32Array.from({ length: outer * count }, (_, i) => idx[i % count]! % n);
          const table = Float32Array.from(data(outer * n * inner, seed)),
            rows = Float32Array.from(data(outer * count * inner, seed + 1));
          const picked = cpu.alloc('float32', outer * count * inner);
          cpu.gather(cpu.fromHost('float32', table), cpu.fromHost('int32', ix), picked, outer, n, count, inner, count);
          const sums = cpu.fromHost('float32', table);
          cpu.scatterAdd(sums, cpu.fromHost('int32', ix), cpu.fromHost('float32', rows), outer, n, count, inner, count);
          const wantPicked = new Float32Array(picked.length),
            wantSums = table.slice();
          for (let r = 0; r < outer; r++)
            for (let j = 0; j < count; j++)
              for (let i = 0; i < inner; i++) {
                const at = (r * n + ix[r * count + j]!) * inner + i,
                  row = (r * count + j) * inner + i;
                wantPicked[row] = table[at]!;
                wantSums[at] = Math.fround(wantSums[at]! + rows[row]!);
              }
          expect(cpu.readSync(picked)).toEqual(wantPicked);
          expect(cpu.readSync(sums)).toEqual(wantSums);
        },
      ),
      { numRuns: 200 },
    );
    const bad = cpu.fromHost('int32', [0, 3]);
    const out = cpu.alloc('float32', 4);
    expect(() => cpu.gather(cpu.fromHost('float32', [1, 2, 3]), bad, out, 1, 3, 2, 1, 2)).toThrow(
      'gather: index 3 out of range [0, 3)',
    );
    expect(() => cpu.scatterAdd(out, bad, cpu.fromHost('float32', [1, 2]), 1, 3, 2, 1, 2)).toThrow(
      'scatterAdd: index 3 out of range [0, 3)',
    );
  });
});

describe('a storage of another backend', () => {
  it('is refused by the CPU kernels by name, before any element is read as undefined', () => {
    class GpuStorage {
      readonly dtype = 'float32' as const;
      readonly length = 3;
    }
    expect(() => cpu.unary('neg', new GpuStorage(), cpu.alloc('float32', 3))).toThrow(
      /a float32 tensor of another backend \(GpuStorage\) was given to the cpu backend: every tensor of one computation must live on one backend/,
    );
    const out = cpu.alloc('float32', 3);
    cpu.unary('neg', cpu.fromHost('float32', [1, 2, 3]), out);
    expect([...cpu.readSync(out)]).toEqual([-1, -2, -3]);
  });
});
