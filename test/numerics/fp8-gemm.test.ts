import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { InputError } from '../../src/core/errors.ts';
import { Rng } from '../../src/core/rng.ts';
import {
  chunkBounds,
  fp8Gemm,
  fp8GemmQuantised,
  gemmF64,
  transpose,
  type Fp8GemmOptions,
} from '../../src/numerics/fp8-gemm.ts';
import { dequantise, quantise, type QuantisedMatrix } from '../../src/numerics/scaling.ts';
import { encodeE4M3 } from '../../src/numerics/fp8.ts';

function randomMatrix(seed: number, name: string, length: number, dist: 'normal' | 'uniform'): Float32Array {
  const rng = new Rng(seed).child(name);
  return Float32Array.from({ length }, () => (dist === 'normal' ? rng.normal() : rng.next()));
}

/** An FP8 matrix with scale 1 built from values that are exact E4M3 codes. */
function exactFp8(values: number[], rows: number, cols: number): QuantisedMatrix {
  return {
    format: 'e4m3',
    granularity: 'tensor',
    tileSize: 128,
    ue8m0Scales: false,
    rows,
    cols,
    codes: Uint8Array.from(values, (v) => encodeE4M3(v)),
    scales: Float32Array.from([1]),
    scaleRows: 1,
    scaleCols: 1,
  };
}

function normwise(c: ArrayLike<number>, ref: ArrayLike<number>): number {
  let num = 0,
    den = 0;
  for (let i = 0; i < ref.length; i++) {
    num += (c[i]! - ref[i]!) ** 2;
    den += ref[i]! ** 2;
  }
  return Math.sqrt(num / den);
}

/** FP64 product of the FP8 operands fp8Gemm itself quantises: isolates the accumulation error. */
function quantisedReference(
  a: Float32Array,
  b: Float32Array,
  m: number,
  k: number,
  n: number,
  o: Fp8GemmOptions,
): Float64Array {
  const qa = quantise(a, m, k, { format: 'e4m3', granularity: o.aScaling ?? 'tile' });
  const qb = quantise(transpose(b, k, n), n, k, { format: 'e4m3', granularity: o.bScaling ?? 'block' });
  return gemmF64(dequantise(qa, 'f64'), dequantise(qb, 'f64'), m, k, n, true);
}

describe('FP8 GEMM emulation', () => {
  it('cuts K at every promotion interval and at every scale-group boundary', () => {
    expect(chunkBounds(256, 128, [256, 128])).toEqual([0, 128, 256]);
    expect(chunkBounds(100, 128, [32, 100])).toEqual([0, 32, 64, 96, 100]);
    expect(chunkBounds(300, null, [300, 300])).toEqual([0, 300]);
    expect(chunkBounds(300, 128, [300, 300])).toEqual([0, 128, 256, 300]);
  });

  it('loses small addends behind a large one in a 13-bit register (swamping), and promotion every N_C recovers them', () => {
    // A = [1, 2^-7 × (K-1)], B = same: products 1 then K-1 copies of 2^-14, half a unit in the last place of 1.
    const k = 1024;
    const vals = [1, ...Array(k - 1).fill(2 ** -7)];
    const qa = exactFp8(vals, 1, k),
      qb = exactFp8(vals, 1, k);
    const noPromotion = { promoteInterval: null, mmaK: 1 } as const;
    expect(fp8GemmQuantised(qa, qb, { ...noPromotion })[0]).toBe(1); // every 2^-14 truncated away
    expect(fp8GemmQuantised(qa, qb, { ...noPromotion, accumulatorRounding: 'nearest' })[0]).toBe(1); // ties to even, also lost
    // Exact: 1 + 1023·2^-14. FP32 accumulation keeps every term.
    expect(
      fp8GemmQuantised(qa, qb, { ...noPromotion, accumulatorMantissaBits: 23, accumulatorRounding: 'nearest' })[0],
    ).toBe(1 + 1023 * 2 ** -14);
    // Promotion: only the first chunk's 127 small terms are swamped; each later chunk sums 128·2^-14 = 2^-7 exactly.
    expect(fp8GemmQuantised(qa, qb, { promoteInterval: 128, mmaK: 1 })[0]).toBe(1 + 7 * 2 ** -7);
    // A 32-product MMA step adds exactly, then truncates: the first step's 1 + 31·2^-14 keeps 1 + 15·2^-13, and
    // each later step adds 32·2^-14 = 16·2^-13, which the register holds: only half an ulp is lost in all.
    expect(fp8GemmQuantised(qa, qb, { promoteInterval: null, mmaK: 32 })[0]).toBe(1 + 511 * 2 ** -13);
  });

  it('with an FP32 register and one product per step equals a float32 running sum', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 300 }), fc.integer({ min: 0, max: 1e6 }), (k, seed) => {
        const a = randomMatrix(seed, 'a', k, 'normal'),
          b = randomMatrix(seed, 'b', k, 'normal');
        const o: Fp8GemmOptions = {
          aScaling: 'tensor',
          bScaling: 'tensor',
          promoteInterval: null,
          mmaK: 1,
          accumulatorMantissaBits: 23,
          accumulatorRounding: 'nearest',
        };
        const qa = quantise(a, 1, k, { format: 'e4m3', granularity: 'tensor' });
        const qb = quantise(b, 1, k, { format: 'e4m3', granularity: 'tensor' });
        const av = dequantise({ ...qa, scales: Float32Array.from([1]) }, 'f64');
        const bv = dequantise({ ...qb, scales: Float32Array.from([1]) }, 'f64');
        let s = 0;
        for (let p = 0; p < k; p++) s = Math.fround(s + av[p]! * bv[p]!);
        const want = Math.fround(Math.fround(s * qa.scales[0]!) * qb.scales[0]!);
        return fp8Gemm(a, b, 1, k, 1, o)[0] === want;
      }),
      { numRuns: 100 },
    );
  });

  it('gives the same bits for B as [k, n] and for B^T as [n, k] with transB', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 1, max: 300 }),
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 0, max: 1e6 }),
        (m, k, n, seed) => {
          const a = randomMatrix(seed, 'a', m * k, 'normal'),
            b = randomMatrix(seed, 'b', k * n, 'normal');
          const o: Fp8GemmOptions = { tileSize: 32 };
          const viaKn = fp8Gemm(a, b, m, k, n, o);
          const viaNk = fp8Gemm(a, transpose(b, k, n), m, k, n, { ...o, transB: true });
          return viaKn.every((v, i) => Object.is(v, viaNk[i]));
        },
      ),
      { numRuns: 50 },
    );
  });

  it('is closer to FP64 with promotion than without, for any shape with K ≥ 4·N_C', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 6 }),
        fc.integer({ min: 4, max: 16 }),
        fc.integer({ min: 2, max: 6 }),
        fc.integer({ min: 0, max: 1e6 }),
        fc.constantFrom<'normal' | 'uniform'>('normal', 'uniform'),
        (m, kChunks, n, seed, dist) => {
          const k = 128 * kChunks + (seed % 128); // not always a multiple of N_C
          const a = randomMatrix(seed, 'a', m * k, dist),
            b = randomMatrix(seed, 'b', k * n, dist);
          const base: Fp8GemmOptions = { aScaling: 'tensor', bScaling: 'tensor' };
          const ref = quantisedReference(a, b, m, k, n, base);
          const without = normwise(fp8Gemm(a, b, m, k, n, { ...base, promoteInterval: null }), ref);
          const withP = normwise(fp8Gemm(a, b, m, k, n, { ...base, promoteInterval: 128 }), ref);
          return withP < without;
        },
      ),
      { numRuns: 40 },
    );
  });

  it('with the V3 recipe (tiles, blocks, N_C = 128) stays near FP64 at K = 4096 where the plain register drifts', () => {
    const m = 8,
      n = 8,
      k = 4096;
    const a = randomMatrix(7, 'a', m * k, 'uniform'),
      b = randomMatrix(7, 'b', k * n, 'uniform');
    const v3 = fp8Gemm(a, b, m, k, n);
    const plain: Fp8GemmOptions = { aScaling: 'tensor', bScaling: 'tensor', promoteInterval: null };
    const errV3 = normwise(v3, quantisedReference(a, b, m, k, n, {}));
    const errPlain = normwise(fp8Gemm(a, b, m, k, n, plain), quantisedReference(a, b, m, k, n, plain));
    expect(errV3).toBeLessThan(3e-4);
    expect(errPlain).toBeGreaterThan(1e-3);
  });

  it('is deterministic: the same inputs give the same bits', () => {
    const a = randomMatrix(1, 'a', 4 * 200, 'normal'),
      b = randomMatrix(1, 'b', 200 * 3, 'normal');
    const c1 = fp8Gemm(a, b, 4, 200, 3, { tileSize: 64, ue8m0Scales: true });
    const c2 = fp8Gemm(a.slice(), b.slice(), 4, 200, 3, { tileSize: 64, ue8m0Scales: true });
    expect(Array.from(c1)).toEqual(Array.from(c2));
  });

  it('rejects bad shapes and configurations with a clear error', () => {
    const a = new Float32Array(6),
      b = new Float32Array(6);
    expect(() => fp8Gemm(a, b, 2, 3, 3)).toThrow(InputError);
    expect(() => fp8Gemm(a, b, 2, 3, 2, { promoteInterval: null })).toThrow(/per-tensor scaling/);
    expect(() => fp8Gemm(a, b, 2, 3, 2, { mmaK: 0 })).toThrow(InputError);
    expect(() => fp8Gemm(a, b, 2, 3, 2, { promoteInterval: 0 })).toThrow(InputError);
    expect(() => fp8Gemm(a, b, 2, 3, 2, { accumulatorMantissaBits: 0 })).toThrow(InputError);
    const qa = quantise(a, 2, 3, { format: 'e4m3', granularity: 'tensor' });
    const qb = quantise(new Float32Array(8), 2, 4, { format: 'e4m3', granularity: 'tensor' });
    expect(() => fp8GemmQuantised(qa, qb)).toThrow(/k = 3 but B has k = 4/);
  });
});
