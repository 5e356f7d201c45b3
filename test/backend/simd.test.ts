// The float64-summing WebAssembly SIMD matmul (float64 operands, TINYSEEK_GEMM=f64) against the TypeScript
// reference: the same bits for any shape, transposes, batch sharing, tile shape and thread count (tolerance
// 0: both are one sequential float64 sum per element). The float32-summing default: simd-f32.test.ts.
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import type { MatmulLayout } from '../../src/backend/backend.ts';
import { CpuBackend } from '../../src/backend/cpu/cpu-backend.ts';
import { matmulNaive } from '../../src/backend/cpu/matmul.ts';
import { emitModule, FunctionBody, sleb, uleb } from '../../src/backend/cpu/simd/wasm-emitter.ts';
import { enableRelaxedSimd, SimdMatmul, simdSupported } from '../../src/backend/cpu/simd/simd-matmul.ts';
import { Rng } from '../../src/core/rng.ts';

function operands(L: MatmulLayout, seed: number, F: typeof Float32Array | typeof Float64Array) {
  const rng = new Rng(seed);
  const na = (L.aBatchStride ? L.batch : 1) * L.m * L.k,
    nb = (L.bBatchStride ? L.batch : 1) * L.k * L.n;
  return { a: new F(na).map(() => rng.normal()), b: new F(nb).map(() => rng.normal()) };
}

const layout = fc
  .record({
    batch: fc.integer({ min: 1, max: 3 }),
    m: fc.integer({ min: 1, max: 13 }),
    k: fc.integer({ min: 0, max: 17 }),
    n: fc.integer({ min: 1, max: 13 }),
    transA: fc.boolean(),
    transB: fc.boolean(),
    shareA: fc.boolean(),
    shareB: fc.boolean(),
  })
  .map((r): MatmulLayout => ({ ...r, aBatchStride: r.shareA ? 0 : r.m * r.k, bBatchStride: r.shareB ? 0 : r.k * r.n }));

function decodeUleb(bytes: number[]): number {
  let n = 0;
  bytes.forEach((b, i) => (n += (b & 0x7f) * 2 ** (7 * i)));
  return n;
}
function decodeSleb(bytes: number[]): number {
  const n = decodeUleb(bytes),
    bits = 7 * bytes.length;
  return bytes.at(-1)! & 0x40 ? n - 2 ** bits : n;
}

describe('WebAssembly emitter', () => {
  it('LEB128 encodes every u32 and i32 so that decoding gives it back, continuation bit on all but the last byte', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2 ** 32 - 1 }),
        fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }),
        (u, s) => {
          for (const [enc, dec, x] of [
            [uleb(u), decodeUleb, u],
            [sleb(s), decodeSleb, s],
          ] as const) {
            expect(dec(enc)).toBe(x);
            expect(enc.slice(0, -1).every((b) => b & 0x80)).toBe(true);
            expect(enc.at(-1)! & 0x80).toBe(0);
          }
        },
      ),
    );
  });

  it('emits a valid module whose function runs: f64 sums of a memory range', () => {
    // sum(at, count) stores Σ mem[at..at+count) at address 0, summing in order.
    const f = new FunctionBody(['i32', 'i32']);
    const acc = f.local('f64'),
      end = f.local('i32');
    f.get(0).get(1).i32(8).i32Mul().i32Add().set(end);
    f.loop().get(acc).get(0).f64Load().f64Add().set(acc).get(0).i32(8).i32Add().tee(0).get(end).i32LtU().brIf(0).end();
    f.i32(0).get(acc).f64Store();
    const bytes = emitModule([{ name: 'sum', body: f }], { initialPages: 1, maxPages: 1, shared: true });
    expect(WebAssembly.validate(bytes)).toBe(true);
    const memory = new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true });
    const sum = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory } }).exports.sum as (
      a: number,
      b: number,
    ) => void;
    const mem = new Float64Array(memory.buffer);
    mem.set([0, 0.1, 0.2, 0.3, 1e16, 1], 0);
    sum(8, 5);
    expect(mem[0]).toBe(0.1 + 0.2 + 0.3 + 1e16 + 1);
  });
});

describe('SIMD matmul', () => {
  it('this engine has WebAssembly SIMD128', () => {
    expect(simdSupported()).toBe(true);
  });

  const tiles = [
    { mr: 4, nr: 4, relaxed: false },
    { mr: 3, nr: 6, relaxed: false },
    { mr: 1, nr: 2, relaxed: false },
  ];
  const kernels = tiles.map((t) => new SimdMatmul(1, t));
  const two = new SimdMatmul(2);
  afterAll(() => Promise.all([two.close(), ...kernels.map((k) => k.close())]));

  it('is bit-identical to the naive loop for any shape, transposes, batch sharing and tile (float32 and float64)', () => {
    fc.assert(
      fc.property(layout, fc.integer(), fc.integer({ min: 0, max: tiles.length - 1 }), (L, seed, t) => {
        for (const F of [Float32Array, Float64Array]) {
          const { a, b } = operands(L, seed, F);
          const ref = new F(L.batch * L.m * L.n),
            got = new F(L.batch * L.m * L.n).fill(NaN);
          matmulNaive(a, b, ref, L, 'f64');
          kernels[t]!.run(a, b, got, L);
          expect(got).toEqual(ref);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('two threads give exactly the one-thread and reference result, also after the memory grows', () => {
    // Both run over this thread's arena (shared, so that the workers see it); a product too small to share (the
    // first two) runs on the calling thread alone.
    expect(kernels[0]!.memory).toBe(two.memory);
    expect(two.memory.buffer).toBeInstanceOf(SharedArrayBuffer);
    for (const [batch, m, k, n, tA, tB] of [
      [1, 30, 20, 10, true, false],
      [4, 33, 17, 9, false, true],
      [1, 256, 128, 128, false, true],
      [3, 67, 160, 140, true, false],
      [2, 5, 300, 1500, false, false],
      [1, 301, 257, 263, true, true],
    ] as const) {
      const L: MatmulLayout = { batch, m, k, n, transA: tA, transB: tB, aBatchStride: m * k, bBatchStride: 0 };
      const { a, b } = operands(L, 7, Float32Array);
      const ref = new Float32Array(batch * m * n),
        c1 = new Float32Array(batch * m * n),
        c2 = new Float32Array(batch * m * n);
      matmulNaive(a, b, ref, L, 'f64');
      kernels[0]!.run(a, b, c1, L);
      two.run(a, b, c2, L);
      expect(c1).toEqual(ref);
      expect(c2).toEqual(ref);
    }
  });

  it('the relaxed multiply-add kernel gives the same bits on float32 operands (each product is exact in f64), and float64 ones take mul then add', () => {
    expect(enableRelaxedSimd()).toBe(true); // Node 20 behind a V8 flag, Node ≥ 22 by default
    const fused = new SimdMatmul(1, { mr: 4, nr: 4, relaxed: true });
    fc.assert(
      fc.property(layout, fc.integer(), (L, seed) => {
        for (const F of [Float32Array, Float64Array]) {
          const { a, b } = operands(L, seed, F);
          const ref = new F(L.batch * L.m * L.n),
            got = new F(L.batch * L.m * L.n);
          matmulNaive(a, b, ref, L, 'f64');
          fused.run(a, b, got, L);
          expect(got).toEqual(ref);
        }
      }),
      { numRuns: 100 },
    );
    const L: MatmulLayout = {
      batch: 1,
      m: 67,
      k: 300,
      n: 45,
      transA: false,
      transB: false,
      aBatchStride: 0,
      bBatchStride: 0,
    };
    const { a, b } = operands(L, 1, Float32Array);
    const ref = new Float32Array(67 * 45),
      got = new Float32Array(67 * 45);
    matmulNaive(a, b, ref, L, 'f64');
    fused.run(a, b, got, L);
    expect(got).toEqual(ref);
  });

  it('the CPU backend gives the same matmul with its SIMD paths and with the TypeScript path, for either sum (fused float32 sums within rounding)', async () => {
    const L: MatmulLayout = {
      batch: 4,
      m: 48,
      k: 16,
      n: 48,
      transA: false,
      transB: true,
      aBatchStride: 48 * 16,
      bBatchStride: 48 * 16,
    };
    const { a, b } = operands(L, 3, Float32Array);
    const results: Record<string, number[]> = {};
    for (const gemm of ['f64', 'f32'] as const) {
      const fast = new CpuBackend(2, { simd: true, gemm }),
        fma = new CpuBackend(2, { simd: true, fma: true, gemm }),
        plain = new CpuBackend(2, { simd: false, gemm });
      expect([fast.matmulKernel, fma.matmulKernel, plain.matmulKernel]).toEqual(
        gemm === 'f64' ? ['simd', 'simd-fma', 'ts'] : ['simd-f32', 'simd-f32-fma', 'ts'],
      );
      const outs: number[][] = [];
      for (const be of [fast, fma, plain]) {
        const out = be.alloc('float32', 4 * 48 * 48);
        be.matmul(be.fromHost('float32', a), be.fromHost('float32', b), out, L);
        outs.push(Array.from(await be.read(out)));
      }
      expect(outs[0]).toEqual(outs[2]);
      // fused float32 sums round once per product-sum: other bits (simd-f32.test.ts pins them), within rounding
      if (gemm === 'f64') expect(outs[1]).toEqual(outs[2]);
      else outs[1]!.forEach((v, i) => expect(Math.abs(v - outs[2]![i]!)).toBeLessThan(1e-5));
      results[gemm] = outs[0]!;
      await Promise.all([fast.close(), fma.close(), plain.close()]);
    }
    expect(results.f32).not.toEqual(results.f64); // a test that can fail: the two sums do differ here
  });
});
