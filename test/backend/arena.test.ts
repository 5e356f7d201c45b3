// The tensor arena (src/backend/cpu/arena.ts) and the kernels that use tensors in it in place
// (simd/kernel-memory.ts `KernelCall`, simd-matmul.ts): regions never overlap and come back by size; a kernel reads
// a tensor where it lies, writes only a whole tensor's array there, and gives the bits it gives through copies;
// the host pool cuts tensors from the arena and gets their regions back when their storages are freed or dead.
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import type { MatmulLayout } from '../../src/backend/backend.ts';
import { Arena, arena } from '../../src/backend/cpu/arena.ts';
import { CpuBackend } from '../../src/backend/cpu/cpu-backend.ts';
import { HostPool } from '../../src/backend/cpu/host-pool.ts';
import { matmulNaive } from '../../src/backend/cpu/matmul.ts';
import { SimdBinary } from '../../src/backend/cpu/simd/binary-kernel.ts';
import { KernelMemory } from '../../src/backend/cpu/simd/kernel-memory.ts';
import { DEFAULT_TILE, F32_TILE } from '../../src/backend/cpu/simd/gemm-kernel.ts';
import { SimdMatmul } from '../../src/backend/cpu/simd/simd-matmul.ts';
import { SimdSwiglu } from '../../src/backend/cpu/simd/swiglu-kernel.ts';
import { collectGarbage } from '../../src/backend/gc.ts';
import { Rng } from '../../src/core/rng.ts';
import { yieldToEventLoop } from '../../src/core/yield.ts';

/** A float32 tensor of n normal numbers in this thread's arena. */
function inArena(n: number, rng: Rng): Float32Array {
  const a = arena().array('float32', n) as Float32Array;
  for (let i = 0; i < n; i++) a[i] = rng.normal();
  return a;
}

describe('the tensor arena', () => {
  it('never hands out overlapping regions, gives each room past its end, and reuses a freed region of its size first, else one at most a quarter larger', () => {
    const A = new Arena(); // one for all runs: each memory reserves gigabytes of address space
    const size = (bytes: number) => (Math.ceil(bytes / 64) + 2) * 64;
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 1, max: 5000 }), fc.boolean()), { maxLength: 60 }), (ops) => {
        const held = A.heldBytes;
        const live = new Map<number, number>(); // start → bytes asked for
        let lastFreed: number | undefined;
        for (const [bytes, freeOne] of ops) {
          if (freeOne && live.size > 0) {
            const [start] = [...live][0]!;
            live.delete(start);
            A.free(start);
            lastFreed = start;
            continue;
          }
          const at = A.alloc(bytes);
          const got = A.regionBytes(at);
          if (lastFreed !== undefined && A.regionBytes(lastFreed) === size(bytes)) expect(at).toBe(lastFreed);
          lastFreed = undefined;
          expect(at % 64).toBe(0);
          expect(got).toBeGreaterThanOrEqual(bytes + 128);
          expect(got).toBeLessThanOrEqual(size(bytes) * 1.25);
          for (const s of live.keys()) expect(at + got <= s || s + A.regionBytes(s) <= at).toBe(true);
          live.set(at, bytes);
        }
        expect(A.heldBytes - held).toBe([...live.keys()].reduce((s, at) => s + A.regionBytes(at), 0));
        for (const start of live.keys()) A.free(start);
      }),
      { numRuns: 200 },
    );
  });

  it("lets a kernel read any array in its memory, but write in place only a whole tensor's array", () => {
    const A = new Arena();
    const t = A.array('float32', 10, 12) as Float32Array;
    expect(A.holds(t)).toBe(true);
    expect(A.writable(t, 40)).toBe(t.byteOffset);
    expect(A.writable(t, 64)).toBe(t.byteOffset); // a pass of 16 past its 10: within its region
    expect(A.writable(t, 4096)).toBe(-1);
    const part = t.subarray(2, 6);
    expect(A.holds(part)).toBe(false);
    expect(A.readable(part, 16)).toBe(part.byteOffset);
    expect(A.writable(part, 16)).toBe(-1);
    expect(A.readable(new Float32Array(10), 40)).toBe(-1);
    expect(arena().readable(t, 40)).toBe(-1); // another arena's memory
  });
});

describe('kernels over tensors in the arena', () => {
  const rng = new Rng(5);
  const binary = new SimdBinary();

  it('add in place gives the bits of add through copies, and an output over its own input goes through scratch', () => {
    for (const n of [1024, 1031, 4096 + 7]) {
      const [a, b, out] = [inArena(n, rng), inArena(n, rng), arena().array('float32', n) as Float32Array];
      const want = new Float32Array(n);
      expect(binary.run('add', a.slice(), b.slice(), want)).toBe(true); // plain arrays: copied in and out
      expect(binary.run('add', a, b, out)).toBe(true);
      expect(out).toEqual(want);
      const a0 = a.slice();
      expect(binary.run('add', a, b, a)).toBe(true); // a = a + b
      expect(a).toEqual(want);
      expect(b).not.toEqual(a0);
    }
  });

  it('the kernel call reads in place and copies what is not in the arena', () => {
    const mem = new KernelMemory();
    const call = mem.call([64, 64, 64])!;
    const t = inArena(16, rng),
      plain = new Float32Array(16).fill(2);
    expect(call.in(0, t)).toBe(t.byteOffset);
    expect(call.in(1, plain)).toBe(call.at[1]);
    expect(mem.f32(call.at[1]!, 16)).toEqual(plain);
    const out = new Float32Array(16);
    expect(call.out(2, out)).toBe(call.at[2]);
    mem.f32(call.at[2]!, 16).fill(7);
    call.finish();
    expect([...out]).toEqual(new Array(16).fill(7));
  });

  it('SwiGLU forward and backward in place give the bits of the copied form', () => {
    const swiglu = new SimdSwiglu();
    for (const n of [64, 352 * 3, 1000]) {
      const [a, b, g] = [inArena(n, rng), inArena(n, rng), inArena(n, rng)];
      const out = arena().array('float32', n) as Float32Array,
        sig = arena().array('float64', n) as Float64Array,
        da = arena().array('float32', n) as Float32Array,
        db = arena().array('float32', n) as Float32Array;
      const [wOut, wSig, wDa, wDb] = [
        new Float32Array(n),
        new Float64Array(n),
        new Float32Array(n),
        new Float32Array(n),
      ];
      swiglu.keep(a.slice(), b.slice(), wOut, wSig);
      swiglu.backward(a.slice(), b.slice(), wSig, g.slice(), wDa, wDb);
      swiglu.keep(a, b, out, sig);
      swiglu.backward(a, b, sig, g, da, db);
      expect([out, sig, da, db]).toEqual([wOut, wSig, wDa, wDb]);
    }
  });

  // float32 sums (the backend's default) and float64 sums, on one thread and two
  const threads = [F32_TILE, DEFAULT_TILE].flatMap((t) => [new SimdMatmul(1, t), new SimdMatmul(2, t)]);
  afterAll(() => Promise.all(threads.map((t) => t.close())));

  it('the matmul reads A and B and writes C in the arena with the reference bits, on one thread and two, batch strides and transposes included', () => {
    fc.assert(
      fc.property(
        fc.record({
          batch: fc.integer({ min: 1, max: 3 }),
          m: fc.constantFrom(4, 8, 12, 40, 7),
          k: fc.integer({ min: 1, max: 70 }),
          n: fc.constantFrom(8, 16, 64, 9),
          transA: fc.boolean(),
          transB: fc.boolean(),
          shareA: fc.boolean(),
          shareB: fc.boolean(),
          gap: fc.integer({ min: 0, max: 5 }),
        }),
        fc.integer(),
        ({ shareA, shareB, gap, ...d }, seed) => {
          const r = new Rng(seed);
          const L: MatmulLayout = {
            ...d,
            aBatchStride: shareA ? 0 : d.m * d.k + gap,
            bBatchStride: shareB ? 0 : d.k * d.n + gap,
          };
          const a = inArena((shareA ? 0 : (d.batch - 1) * L.aBatchStride) + d.m * d.k, r),
            b = inArena((shareB ? 0 : (d.batch - 1) * L.bBatchStride) + d.k * d.n, r);
          const want = new Float32Array(d.batch * d.m * d.n);
          for (const mm of threads) {
            matmulNaive(a.slice(), b.slice(), want, L, mm.tile.acc ?? 'f64');
            const c = arena().array('float32', d.batch * d.m * d.n) as Float32Array;
            mm.run(a, b, c, L);
            expect(c).toEqual(want);
          }
        },
      ),
      { numRuns: 150 },
    );
    // large enough for two threads to share, every operand in place
    const L: MatmulLayout = {
      batch: 1,
      m: 256,
      k: 128,
      n: 256,
      transA: false,
      transB: false,
      aBatchStride: 0,
      bBatchStride: 0,
    };
    const [a, b] = [inArena(256 * 128, rng), inArena(128 * 256, rng)];
    const want = new Float32Array(256 * 256);
    for (const mm of threads) {
      matmulNaive(a, b, want, L, mm.tile.acc ?? 'f64');
      const c = arena().array('float32', 256 * 256) as Float32Array;
      mm.run(a, b, c, L);
      expect(c).toEqual(want);
    }
    // C over A (the same tensor; k = n): the threads still read A while C is written, so C goes through scratch
    const sq: MatmulLayout = { ...L, m: 64, k: 64, n: 64 };
    for (const mm of threads) {
      const [x, y] = [inArena(64 * 64, rng), inArena(64 * 64, rng)];
      const w = new Float32Array(64 * 64);
      matmulNaive(x.slice(), y, w, sq, mm.tile.acc ?? 'f64');
      mm.run(x, y, x, sq);
      expect(x).toEqual(w);
    }
  });
});

describe('the host pool over the arena', () => {
  it('cuts tensors from the arena, and a freed one comes back zero-filled to the next take of its size', () => {
    const A = new Arena();
    const pool = new HostPool({ minLength: 4 }, A);
    const a = pool.take('float32', 100, false);
    expect(A.holds(a)).toBe(true);
    a.fill(3);
    const owner = {};
    pool.track(owner, a);
    pool.free(owner, a);
    const b = pool.take('float32', 100, true);
    expect(b.byteOffset).toBe(a.byteOffset);
    expect([...b]).toEqual(new Array(100).fill(0));
    expect(pool.take('float32', 2, false).buffer).not.toBe(A.memory.buffer); // under minLength: an ordinary array
    expect([pool.reused, pool.created]).toEqual([1, 1]);
  });

  it('gets back the regions of storages the collector found dead, at the next turn of the event loop', async () => {
    const cpu = new CpuBackend(1, { memory: { minLength: 1 } });
    const A = cpu.memory.arena!;
    for (let i = 0; i < 10; i++) cpu.alloc('float32', 64);
    const held = A.heldBytes;
    for (let tries = 0; tries < 20 && A.heldBytes === held; tries++) {
      collectGarbage();
      await yieldToEventLoop();
    }
    expect(A.heldBytes).toBeLessThan(held);
    const before = cpu.memory.reused;
    cpu.alloc('float32', 64);
    expect(cpu.memory.reused).toBe(before + 1);
  });

  it('past maxWatchedBytes, makes ordinary arrays (left to the collector) instead of holding regions', () => {
    const A = new Arena();
    const pool = new HostPool({ minLength: 1, maxWatchedBytes: 4 * 256 }, A);
    const arrays = Array.from({ length: 10 }, () => {
      const a = pool.take('float32', 64, true);
      pool.track({}, a);
      return a;
    });
    expect(arrays.map((a) => A.holds(a))).toEqual([...new Array(4).fill(true), ...new Array(6).fill(false)]);
    expect(pool.watchedBytes).toBe(4 * 256);
  });
});
