// The float32-summing matmul, the default for float32 operands: its definition is the naive loop with every
// product and partial sum rounded to float32, in order p = 0..k−1 (f32x4 mul then add), written once more
// here as the specification. The SIMD kernel and the TypeScript reference give exactly these bits, for any
// shape, transposes, batch sharing and thread count.
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import type { MatmulLayout } from '../../src/backend/backend.ts';
import { CpuBackend } from '../../src/backend/cpu/cpu-backend.ts';
import { matmulBlocked, matmulNaive } from '../../src/backend/cpu/matmul.ts';
import { F32_TILE } from '../../src/backend/cpu/simd/gemm-kernel.ts';
import { relaxedMaddFuses, SIMD_PARALLEL_MIN_MACS, SimdMatmul } from '../../src/backend/cpu/simd/simd-matmul.ts';
import { backward, noGrad } from '../../src/core/autograd.ts';
import { InputError } from '../../src/core/errors.ts';
import { crossEntropy } from '../../src/core/ops/index.ts';
import { AdamW } from '../../src/core/optim.ts';
import { Rng } from '../../src/core/rng.ts';
import { defaultBackend, intTensor, setDefaultBackend } from '../../src/core/tensor.ts';
import { defaultConfig, validateConfig } from '../../src/model/config.ts';
import { Transformer } from '../../src/model/transformer.ts';

/** C = op(A)·op(B), each element acc = step(a, b, acc) from 0 in order p. */
function matmulLoop(
  a: Float32Array,
  b: Float32Array,
  c: Float32Array,
  L: MatmulLayout,
  step: (x: number, y: number, acc: number) => number,
): void {
  const { m, k, n } = L;
  for (let e = 0; e < L.batch; e++)
    for (let i = 0; i < m; i++)
      for (let j = 0; j < n; j++) {
        let acc = 0;
        for (let p = 0; p < k; p++) {
          const x = a[e * L.aBatchStride + (L.transA ? p * m + i : i * k + p)]!,
            y = b[e * L.bBatchStride + (L.transB ? j * k + p : p * n + j)]!;
          acc = step(x, y, acc);
        }
        c[(e * m + i) * n + j] = acc;
      }
}

/** C = op(A)·op(B) with float32 accumulation: acc = f32(acc + f32(a·b)) in order p. */
const matmulF32Acc = (a: Float32Array, b: Float32Array, c: Float32Array, L: MatmulLayout) =>
  matmulLoop(a, b, c, L, (x, y, acc) => Math.fround(acc + Math.fround(x * y)));

/**
 * fl32(x·y + c) with one rounding (a fused multiply-add) for float32 x, y, c, from float64: x·y is exact (24 + 24
 * bits), the sum is rounded once to float64 and TwoSum gives that rounding's error e, which decides the float32
 * rounding where the float64 sum lands exactly on a midpoint between two float32 values (a double rounding).
 */
function fmaF32(x: number, y: number, c: number): number {
  const p = x * y,
    s = p + c;
  const v = s - p,
    e = p - (s - v) + (c - v);
  const r = Math.fround(s);
  if (e === 0 || r === s) return r;
  const mirror = s + (s - r); // the other float32 neighbour, when s is the midpoint of the two
  if (Math.fround(mirror) !== mirror) return r;
  return e > 0 === mirror > s ? mirror : r;
}

/** x·y + c rounded once to float32, ties to even, in exact integer arithmetic (normal float32 results). */
function fmaExact(x: number, y: number, c: number): number {
  const parts = (v: number): [bigint, number] => {
    const d = new DataView(new ArrayBuffer(8));
    d.setFloat64(0, v);
    const bits = d.getBigUint64(0),
      exp = Number((bits >> 52n) & 0x7ffn),
      frac = bits & ((1n << 52n) - 1n);
    const m = exp === 0 ? frac : frac | (1n << 52n);
    return [bits >> 63n ? -m : m, (exp === 0 ? 1 : exp) - 1075];
  };
  const [mx, ex] = parts(x),
    [my, ey] = parts(y),
    [mc, ec] = parts(c);
  const E = Math.min(ex + ey, ec);
  const n = ((mx * my) << BigInt(ex + ey - E)) + (mc << BigInt(ec - E));
  if (n === 0n) return 0;
  const mag = n < 0n ? -n : n;
  const shift = mag.toString(2).length - 24;
  if (shift <= 0) return (n < 0n ? -1 : 1) * Number(mag) * 2 ** E;
  let q = mag >> BigInt(shift);
  const rem = mag - (q << BigInt(shift)),
    half = 1n << BigInt(shift - 1);
  if (rem > half || (rem === half && q & 1n)) q += 1n;
  return (n < 0n ? -1 : 1) * Number(q) * 2 ** (E + shift);
}

/** C = op(A)·op(B) with fused float32 multiply-adds: acc = fl32(acc + a·b) in order p. */
const matmulFmaAcc = (a: Float32Array, b: Float32Array, c: Float32Array, L: MatmulLayout) =>
  matmulLoop(a, b, c, L, fmaF32);

/** Layouts up to m × k × n (k from kMin), any transposes and batch sharing, of at least `minMacs` multiply-adds;
 * with `whole`, m counts blocks of 4 rows and n panels of 8 columns (F32_TILE's), so that m and n are multiples. */
const layouts = (m: number, k: number, n: number, kMin = 0, minMacs = 0, whole = false) =>
  fc
    .record({
      batch: fc.integer({ min: 1, max: 3 }),
      m: fc.integer({ min: 1, max: m }).map((x) => (whole ? 4 * x : x)),
      k: fc.integer({ min: kMin, max: k }),
      n: fc.integer({ min: 1, max: n }).map((x) => (whole ? 8 * x : x)),
      transA: fc.boolean(),
      transB: fc.boolean(),
      shareA: fc.boolean(),
      shareB: fc.boolean(),
    })
    .filter((r) => r.batch * r.m * r.k * r.n >= minMacs)
    .map((r): MatmulLayout => ({
      ...r,
      aBatchStride: r.shareA ? 0 : r.m * r.k,
      bBatchStride: r.shareB ? 0 : r.k * r.n,
    }));
const layout = layouts(13, 17, 19);

function operands(L: MatmulLayout, seed: number) {
  const rng = new Rng(seed);
  const na = (L.aBatchStride ? L.batch : 1) * L.m * L.k,
    nb = (L.bBatchStride ? L.batch : 1) * L.k * L.n;
  return {
    a: Float32Array.from({ length: na }, () => rng.normal()),
    b: Float32Array.from({ length: nb }, () => rng.normal()),
  };
}

describe('float32-summing matmul (the default)', () => {
  const one = new SimdMatmul(1, F32_TILE),
    two = new SimdMatmul(2, F32_TILE);
  afterAll(() => Promise.all([one.close(), two.close()]));

  it('SIMD, TypeScript-blocked and naive kernels are the float32-summing loop, bit for bit, for any shape, transposes and batch sharing', () => {
    fc.assert(
      fc.property(layout, fc.integer(), (L, seed) => {
        const { a, b } = operands(L, seed);
        const size = L.batch * L.m * L.n;
        const ref = new Float32Array(size);
        matmulF32Acc(a, b, ref, L);
        const simd = new Float32Array(size).fill(NaN),
          blocked = new Float32Array(size).fill(NaN),
          naive = new Float32Array(size).fill(NaN);
        one.run(a, b, simd, L);
        matmulBlocked(a, b, blocked, L);
        matmulNaive(a, b, naive, L);
        expect(simd).toEqual(ref);
        expect(blocked).toEqual(ref);
        expect(naive).toEqual(ref);
      }),
      { numRuns: 200 },
    );
  });

  it('two threads give the one-thread bits; it differs from float64 sums', () => {
    const L: MatmulLayout = {
      batch: 2,
      m: 131,
      k: 257,
      n: 70,
      transA: true,
      transB: false,
      aBatchStride: 131 * 257,
      bBatchStride: 0,
    };
    const { a, b } = operands(L, 5);
    const c1 = new Float32Array(2 * 131 * 70),
      c2 = new Float32Array(2 * 131 * 70),
      ref = new Float32Array(2 * 131 * 70),
      f64acc = new Float32Array(2 * 131 * 70);
    one.run(a, b, c1, L);
    two.run(a, b, c2, L);
    matmulF32Acc(a, b, ref, L);
    matmulNaive(a, b, f64acc, L, 'f64');
    expect(c2).toEqual(c1);
    expect(c1).toEqual(ref);
    expect(c1).not.toEqual(f64acc);
  });

  it('threads that claim panels and row blocks as they go give the one-thread bits, for any shape large enough to share', () => {
    const three = new SimdMatmul(3, F32_TILE);
    const big = layouts(256, 256, 160, 1, SIMD_PARALLEL_MIN_MACS);
    fc.assert(
      fc.property(big, fc.integer(), (L, seed) => {
        const { a, b } = operands(L, seed);
        const size = L.batch * L.m * L.n;
        const c1 = new Float32Array(size),
          c2 = new Float32Array(size).fill(NaN),
          c3 = new Float32Array(size).fill(NaN);
        one.run(a, b, c1, L);
        two.run(a, b, c2, L);
        three.run(a, b, c3, L);
        expect(c2).toEqual(c1);
        expect(c3).toEqual(c1);
      }),
      { numRuns: 25 },
    );
    return three.close();
  });

  it('operands read where they lie (whole row blocks and panels, k ≤ 256) give the loop bits, on 1 to 3 threads', () => {
    // m a multiple of 4 and n of 8 (F32_TILE), so A, B (stored [k, n]) and C go unpacked; k past 256 packs them.
    fc.assert(
      fc.property(layouts(6, 300, 4, 1, 0, true), fc.integer(), (L, seed) => {
        const { a, b } = operands(L, seed);
        const ref = new Float32Array(L.batch * L.m * L.n),
          simd = new Float32Array(L.batch * L.m * L.n).fill(NaN);
        matmulF32Acc(a, b, ref, L);
        one.run(a, b, simd, L);
        expect(simd).toEqual(ref);
      }),
      { numRuns: 150 },
    );
    const three = new SimdMatmul(3, F32_TILE);
    fc.assert(
      fc.property(layouts(64, 256, 20, 1, SIMD_PARALLEL_MIN_MACS, true), fc.integer(), (L, seed) => {
        const { a, b } = operands(L, seed);
        const size = L.batch * L.m * L.n;
        const ref = new Float32Array(size),
          c1 = new Float32Array(size).fill(NaN),
          c2 = new Float32Array(size).fill(NaN),
          c3 = new Float32Array(size).fill(NaN);
        matmulBlocked(a, b, ref, L);
        one.run(a, b, c1, L);
        two.run(a, b, c2, L);
        three.run(a, b, c3, L);
        expect(c1).toEqual(ref);
        expect(c2).toEqual(ref);
        expect(c3).toEqual(ref);
      }),
      { numRuns: 12 },
    );
    return three.close();
  });

  it('no row block starts before the calling thread has copied A in, however slow that copy', async () => {
    // The calling thread copies A while the workers pack B; a worker done with B must still wait for A. A copy
    // slowed down (as a descheduled thread's is) makes a worker that does not wait read the previous call's A.
    class SlowA extends Float32Array {
      override subarray(begin?: number, end?: number): Float32Array<ArrayBuffer> {
        const until = performance.now() + 30;
        while (performance.now() < until);
        return super.subarray(begin, end);
      }
    }
    const L: MatmulLayout = {
      batch: 1,
      m: 256,
      k: 256,
      n: 256,
      transA: false,
      transB: false,
      aBatchStride: 0,
      bBatchStride: 0,
    };
    const two2 = new SimdMatmul(2, F32_TILE);
    for (const seed of [1, 2, 3]) {
      const { a, b } = operands(L, seed);
      const slow = new SlowA(a.length);
      slow.set(a);
      const c1 = new Float32Array(256 * 256),
        c2 = new Float32Array(256 * 256).fill(NaN);
      one.run(a, b, c1, L);
      two2.run(slow, b, c2, L);
      // the first entry that differs (-1: none), cheaper to report than two 65,536-entry arrays
      expect(c2.findIndex((v, i) => !Object.is(v, c1[i]))).toBe(-1);
    }
    await two2.close();
  });

  it('no task packs the second half of B before the calling thread has copied it in, however slow that copy', async () => {
    // B goes in two halves (split along p, between panels of a transposed B, or between copies of a batched one)
    // and the workers pack the first while the second is copied; a worker that packs past the first half without
    // waiting reads the previous call's B. Every copy but a first half's (begin > 0) is slowed down here.
    class SlowB extends Float32Array {
      override subarray(begin?: number, end?: number): Float32Array<ArrayBuffer> {
        const until = performance.now() + (begin ? 30 : 0);
        while (performance.now() < until);
        return super.subarray(begin, end);
      }
    }
    const base = { m: 256, k: 300, n: 256, transA: false, aBatchStride: 0 };
    const layouts: MatmulLayout[] = [
      { ...base, batch: 1, transB: false, bBatchStride: 0 },
      { ...base, batch: 1, transB: true, bBatchStride: 0 },
      { ...base, batch: 2, transB: false, bBatchStride: 300 * 256 },
    ];
    const two2 = new SimdMatmul(2, F32_TILE);
    for (const [seed, L] of layouts.entries()) {
      const { a, b } = operands(L, seed);
      const slow = new SlowB(b.length);
      slow.set(b);
      const size = L.batch * L.m * L.n;
      const c1 = new Float32Array(size),
        c2 = new Float32Array(size).fill(NaN);
      one.run(a, b, c1, L);
      two2.run(a, slow, c2, L);
      expect(c2.findIndex((v, i) => !Object.is(v, c1[i]))).toBe(-1);
    }
    await two2.close();
  });

  it('the CPU backend uses it for float32 operands unless asked for float64 sums', async () => {
    const f32 = new CpuBackend(1),
      f64 = new CpuBackend(1, { gemm: 'f64' });
    expect([f32.matmulKernel, f64.matmulKernel]).toEqual(['simd-f32', 'simd']);
    const L: MatmulLayout = {
      batch: 1,
      m: 9,
      k: 100,
      n: 7,
      transA: false,
      transB: true,
      aBatchStride: 0,
      bBatchStride: 0,
    };
    const { a, b } = operands(L, 2);
    const ref = new Float32Array(63);
    matmulF32Acc(a, b, ref, L);
    const out = f32.alloc('float32', 63);
    f32.matmul(f32.fromHost('float32', a), f32.fromHost('float32', b), out, L);
    expect(await f32.read(out)).toEqual(ref);
    // float64 operands keep float64 sums
    const a64 = Float64Array.from(a),
      b64 = Float64Array.from(b),
      ref64 = new Float64Array(63),
      out64 = f32.alloc('float64', 63);
    matmulNaive(a64, b64, ref64, L);
    f32.matmul(f32.fromHost('float64', a64), f32.fromHost('float64', b64), out64, L);
    expect(await f32.read(out64)).toEqual(ref64);
    await Promise.all([f32.close(), f64.close()]);
  });

  it('refuses an unknown TINYSEEK_GEMM, TINYSEEK_SIMD or TINYSEEK_THREADS with a one-line input error, and TINYSEEK_SIMD=fma fuses', async () => {
    for (const [name, value, message] of [
      ['TINYSEEK_GEMM', 'f16', "TINYSEEK_GEMM must be f32 or f64, got 'f16'"],
      ['TINYSEEK_SIMD', 'fused', "TINYSEEK_SIMD must be 0, 1 or fma, got 'fused'"],
      ['TINYSEEK_SIMD', 'fma', ''],
      ['TINYSEEK_THREADS', 'two', "TINYSEEK_THREADS must be a whole number ≥ 1, got 'two'"],
    ] as const) {
      const saved = process.env[name];
      process.env[name] = value;
      try {
        if (message) {
          expect(() => new CpuBackend()).toThrow(InputError);
          expect(() => new CpuBackend()).toThrow(message);
        } else {
          const be = new CpuBackend(1);
          expect(be.matmulKernel).toBe('simd-f32-fma');
          await be.close();
        }
      } finally {
        if (saved === undefined) delete process.env[name];
        else process.env[name] = saved;
      }
    }
  });

  it('trains to the same bits on one thread and on two (matmuls large enough to split), fused (opt-in) or not', async () => {
    const config = validateConfig({
      ...defaultConfig,
      dModel: 64,
      nLayers: 1,
      nHeads: 4,
      nKvHeads: 4,
      dFF: 176,
      maxSeqLen: 32,
    });
    const before = defaultBackend();
    const runs = [];
    for (const [threads, fma] of [
      [1, false],
      [2, false],
      [1, true],
      [2, true],
    ] as const) {
      const be = new CpuBackend(threads, { fma });
      expect(be.matmulKernel).toBe(fma ? 'simd-f32-fma' : 'simd-f32');
      setDefaultBackend(be);
      const m = Transformer.init(config, new Rng(5));
      const opt = new AdamW(m.parameters());
      const rng = new Rng(6);
      const ids = intTensor(
        Array.from({ length: 512 }, () => rng.int(0, config.vocabSize)),
        [16, 32],
      );
      const losses: number[] = [];
      for (let s = 0; s < 2; s++) {
        const loss = crossEntropy(m.forward(ids), ids);
        opt.zeroGrad();
        backward(loss);
        noGrad(() => opt.step(1e-2));
        losses.push(await loss.item());
      }
      runs.push({ losses, params: m.parameters().map((p) => [...p.dataSync()]) });
      await be.close();
    }
    setDefaultBackend(before);
    expect(runs[1]).toEqual(runs[0]);
    expect(runs[3]).toEqual(runs[2]);
    // fused sums are other bits (a test that can fail), a rounding away
    expect(runs[2]!.params).not.toEqual(runs[0]!.params);
    expect(Math.abs(runs[2]!.losses[1]! - runs[0]!.losses[1]!)).toBeLessThan(1e-4);
  });

  it('the relaxed float32 kernel (opt-in) is the fused loop where the engine fuses, for any shape and on 1 to 3 threads', () => {
    const fused = relaxedMaddFuses();
    // Every x64 machine V8 still runs on since 2013 has FMA3, and ARM64 always fuses.
    if (process.arch === 'x64' || process.arch === 'arm64') expect(fused).toBe(true);
    const loop = fused ? matmulFmaAcc : matmulF32Acc;
    const tile = { ...F32_TILE, relaxed: true };
    const r1 = new SimdMatmul(1, tile),
      r2 = new SimdMatmul(2, tile),
      r3 = new SimdMatmul(3, tile);
    // packed operands (any shape), and unpacked ones (whole blocks, k ≤ 256), which run another function
    for (const [shapes, runs] of [
      [layout, 150],
      [layouts(6, 300, 4, 1, 0, true), 100],
    ] as const)
      fc.assert(
        fc.property(shapes, fc.integer(), (L, seed) => {
          const { a, b } = operands(L, seed);
          const ref = new Float32Array(L.batch * L.m * L.n),
            got = new Float32Array(L.batch * L.m * L.n).fill(NaN);
          loop(a, b, ref, L);
          r1.run(a, b, got, L);
          expect(got).toEqual(ref);
        }),
        { numRuns: runs },
      );
    for (const shapes of [
      layouts(256, 256, 160, 1, SIMD_PARALLEL_MIN_MACS),
      layouts(64, 256, 20, 1, SIMD_PARALLEL_MIN_MACS, true),
    ])
      fc.assert(
        fc.property(shapes, fc.integer(), (L, seed) => {
          const { a, b } = operands(L, seed);
          const size = L.batch * L.m * L.n;
          const ref = new Float32Array(size),
            c2 = new Float32Array(size).fill(NaN),
            c3 = new Float32Array(size).fill(NaN);
          loop(a, b, ref, L);
          r2.run(a, b, c2, L);
          r3.run(a, b, c3, L);
          expect(c2).toEqual(ref);
          expect(c3).toEqual(ref);
        }),
        { numRuns: 8 },
      );
    return Promise.all([r1.close(), r2.close(), r3.close()]);
  });

  it('the fused loop of the test is exact: one rounding of x·y + c, ties to even, double roundings undone', () => {
    const u = 2 ** -12;
    expect(fmaF32(1 + u, 1 + u, -(1 + 2 * u))).toBe(2 ** -24); // the probe's sum: 0 with the product rounded
    expect(Math.fround(Math.fround((1 + u) * (1 + u)) - (1 + 2 * u))).toBe(0);
    // (1 + 2^-12)² = 1 + 2^-11 + 2^-24, a float32 midpoint: plus 2^-80 its float64 sum is still the midpoint,
    // which rounds to even (down); rounded once, the exact sum rounds up
    expect(fmaF32(1 + u, 1 + u, 2 ** -80)).toBe(1 + 2 ** -11 + 2 ** -23);
    expect(fmaF32(1 + u, 1 + u, -(2 ** -80))).toBe(1 + 2 ** -11);
    expect(fmaExact(1 + u, 1 + u, 2 ** -80)).toBe(1 + 2 ** -11 + 2 ** -23);
    expect(fmaExact(1 + u, 1 + u, -(2 ** -80))).toBe(1 + 2 ** -11);
    const f32 = fc
      .float({ noNaN: true, noDefaultInfinity: true, min: -1e4, max: 1e4 })
      .filter((v) => Math.abs(v) > 1e-3);
    fc.assert(
      fc.property(f32, f32, f32, (x, y, c) => {
        const want = fmaExact(x, y, c);
        if (want !== 0 && Math.abs(want) < 2 ** -126) return; // float32 subnormals: not this test's
        expect(fmaF32(x, y, c)).toBe(want);
      }),
      { numRuns: 3000 },
    );
    // near-cancellations, where the double rounding lives
    const near = fc.tuple(f32, f32, fc.integer({ min: -40, max: 40 }));
    fc.assert(
      fc.property(near, ([x, y, d]) => {
        const c = Math.fround(-Math.fround(x * y) + d * 2 ** -20);
        expect(fmaF32(x, y, c)).toBe(fmaExact(x, y, c));
      }),
      { numRuns: 3000 },
    );
  });
});
