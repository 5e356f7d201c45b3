// The WebAssembly SIMD SwiGLU (simd/swiglu-kernel.ts) against fused.ts's loops over Math.exp: the same bits
// (tolerance 0) for σ, for SiLU(gate)·up and for the backward's dGate and dUp, at every length (the kernel works
// 8 at a time), on random values, on fdlibm's edges (|v| near ln2/2 and 2^−28, results that underflow, ±0, ±∞,
// NaN) and on random float32 bit patterns; and through the CPU backend, with the kernel on and off.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CpuBackend } from '../../src/backend/cpu/cpu-backend.ts';
import * as fused from '../../src/backend/cpu/fused.ts';
import { SimdSwiglu } from '../../src/backend/cpu/simd/swiglu-kernel.ts';
import { Rng } from '../../src/core/rng.ts';
import { expectSameBits } from '../helpers/bits.ts';

const kernel = new SimdSwiglu();

/** fdlibm's branch points and the float32 extremes, each with its neighbours on both sides. */
const EDGES = [0, 2 ** -28, 0.34657359027997264, 1.0397207708399179, 87.3, 88.7, 103.9, 708.4, 745.13, 3.4e38, 1e-45]
  .flatMap((v) => [v, Math.fround(v), Math.fround(v * (1 + 2 ** -23)), Math.fround(v * (1 - 2 ** -23))])
  .flatMap((v) => [v, -v])
  .concat([Infinity, -Infinity, NaN]);

/** `n` gate values: a mix of everyday activations, tiny and huge ones, edges and raw float32 bit patterns. */
function gates(n: number, rng: Rng): Float32Array {
  const out = new Float32Array(n),
    bits = new Uint32Array(out.buffer);
  for (let i = 0; i < n; i++) {
    const u = rng.next();
    if (u < 0.5) out[i] = rng.normal() * 3;
    else if (u < 0.6) out[i] = rng.normal() * 1e-7;
    else if (u < 0.7) out[i] = rng.normal() * 300;
    else if (u < 0.8) out[i] = EDGES[Math.floor(rng.next() * EDGES.length)]!;
    else bits[i] = Math.floor(rng.next() * 2 ** 32);
  }
  return out;
}

/**
 * Rows of gate, up and an upstream gradient with a weight per row; row lengths of any size and multiples of 8
 * (the kernel's scaled forms take only those; others run the loop).
 */
const scaledCase = fc
  .record({
    rows: fc.integer({ min: 0, max: 12 }),
    n: fc.oneof(
      fc.integer({ min: 1, max: 40 }),
      fc.integer({ min: 1, max: 8 }).map((k) => 8 * k),
    ),
    seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
  })
  .map(({ rows, n, seed }) => {
    const rng = new Rng(seed);
    const a = gates(rows * n, rng),
      b = new Float32Array(rows * n).map(() => rng.normal()),
      w = new Float32Array(rows).map(() => rng.next()),
      g = new Float32Array(rows * n).map(() => rng.normal());
    return { rows, n, a, b, w, g };
  });

describe('SIMD SwiGLU', () => {
  it('gives fused.swigluKeep’s σ and output, bit for bit, at any length', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 300 }), fc.integer({ min: 0, max: 2 ** 31 - 1 }), (n, seed) => {
        const rng = new Rng(seed);
        const a = gates(n, rng),
          b = new Float32Array(n).map(() => rng.normal());
        const [o1, o2, o3] = [0, 1, 2].map(() => new Float32Array(n));
        const [s1, s2] = [0, 1].map(() => new Float64Array(n));
        fused.swigluKeep(a, b, o1!, s1!);
        kernel.keep(a, b, o2!, s2!);
        kernel.keep(a, b, o3!); // no σ kept: fused.swiglu's output
        expectSameBits(s2!, s1!);
        expectSameBits(o2!, o1!);
        expectSameBits(o3!, o1!);
      }),
      { numRuns: 200 },
    );
  });

  it('has Math.exp’s bits on a million arguments (a 1 in 10⁶ difference would show)', () => {
    const n = 1 << 20,
      rng = new Rng(7);
    const a = gates(n, rng),
      b = new Float32Array(n).fill(1);
    const o1 = new Float32Array(n),
      o2 = new Float32Array(n),
      s1 = new Float64Array(n),
      s2 = new Float64Array(n);
    fused.swigluKeep(a, b, o1, s1);
    kernel.keep(a, b, o2, s2);
    let differ = 0;
    for (let i = 0; i < n; i++) if (!Object.is(s1[i], s2[i]) || !Object.is(o1[i], o2[i])) differ++;
    expect(differ).toBe(0);
  });

  it('gives fused.swigluBackwardKept’s gradients from the kept σ, bit for bit, at any length', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 300 }), fc.integer({ min: 0, max: 2 ** 31 - 1 }), (n, seed) => {
        const rng = new Rng(seed);
        const a = gates(n, rng),
          b = gates(n, rng),
          g = gates(n, rng),
          sig = new Float64Array(n);
        fused.swigluKeep(a, b, new Float32Array(n), sig);
        const [da1, db1, da2, db2] = [0, 1, 2, 3].map(() => new Float32Array(n));
        fused.swigluBackwardKept(a, b, sig, g, da1!, db1!);
        kernel.backward(a, b, sig, g, da2!, db2!);
        expectSameBits(da2!, da1!);
        expectSameBits(db2!, db1!);
      }),
      { numRuns: 200 },
    );
  });

  it('scales rows by their weight as fused.swigluScaledKeep does', () => {
    fc.assert(
      fc.property(scaledCase, ({ rows, n, a, b, w }) => {
        const o1 = new Float32Array(rows * n),
          o2 = new Float32Array(rows * n),
          s1 = new Float64Array(rows * n),
          s2 = new Float64Array(rows * n);
        fused.swigluScaledKeep(a, b, w, o1, s1, n);
        kernel.scaledKeep(a, b, w, o2, s2, n);
        expectSameBits(s2, s1);
        expectSameBits(o2, o1);
      }),
      { numRuns: 100 },
    );
  });

  it('gives fused.swigluScaledBackwardKept’s gradients (gate, up and the row weight), bit for bit', () => {
    fc.assert(
      fc.property(scaledCase, ({ rows, n, a, b, w, g }) => {
        const sig = new Float64Array(rows * n);
        fused.swigluScaledKeep(a, b, w, new Float32Array(rows * n), sig, n);
        const grads = () =>
          [rows * n, rows * n, rows].map((len) => new Float32Array(len)) as [Float32Array, Float32Array, Float32Array];
        const [one, two] = [grads(), grads()];
        fused.swigluScaledBackwardKept(a, b, w, sig, g, ...one, n);
        kernel.scaledBackward(a, b, w, sig, g, two, n);
        one.forEach((x, i) => expectSameBits(two[i]!, x));
      }),
      { numRuns: 100 },
    );
  });

  it('runs behind the CPU backend: its SwiGLU ops (forward and backward) give the same bits with the SIMD kernels on and off', () => {
    const on = new CpuBackend(1, { simd: true }),
      off = new CpuBackend(1, { simd: false });
    const rng = new Rng(3),
      rows = 5,
      n = 72; // a multiple of 8: the scaled kernels run too
    const a = gates(rows * n, rng),
      b = Float32Array.from({ length: rows * n }, () => rng.normal()),
      w = Float32Array.from({ length: rows }, () => rng.next());
    const run = (be: CpuBackend) => {
      const [ga, up, ws] = [a, b, w].map((x) => be.fromHost('float32', x));
      const out = [0, 1, 2].map(() => be.alloc('float32', rows * n)),
        sig = [0, 1].map(() => be.alloc('float64', rows * n));
      be.swiglu(ga!, up!, out[0]!);
      be.swigluKeep(ga!, up!, out[1]!, sig[0]!);
      be.swigluScaledKeep(ga!, up!, ws!, out[2]!, sig[1]!, n);
      const grads = [0, 1].map(() => be.alloc('float32', rows * n));
      be.swigluBackwardKept(ga!, up!, sig[0]!, up!, grads[0]!, grads[1]!);
      grads.push(be.alloc('float32', rows * n), be.alloc('float32', rows * n), be.alloc('float32', rows));
      be.swigluScaledBackwardKept(ga!, up!, ws!, sig[1]!, ga!, grads[2]!, grads[3]!, grads[4]!, n);
      return [...out, ...sig, ...grads].map((s) => Array.from(be.readSync(s) as ArrayLike<number>));
    };
    const [x, y] = [run(on), run(off)];
    x.forEach((v, i) => expectSameBits(v, y[i]!));
  });
});
