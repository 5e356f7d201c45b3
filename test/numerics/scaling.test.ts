import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { InputError } from '../../src/core/errors.ts';
import { Rng } from '../../src/core/rng.ts';
import { fp8Format, FP8_FORMAT_NAMES, type Fp8FormatName } from '../../src/numerics/formats.ts';
import { isNaNCode } from '../../src/numerics/fp8.ts';
import {
  AMAX_FLOOR,
  dequantise,
  fakeQuantise,
  quantise,
  scaleIndex,
  scaleShape,
  type Granularity,
} from '../../src/numerics/scaling.ts';

const GRANS: Granularity[] = ['tensor', 'tile', 'block'];

/** A random matrix whose entries span several orders of magnitude (so groups get very different amax). */
const matrixArb = fc
  .record({
    rows: fc.integer({ min: 1, max: 9 }),
    cols: fc.integer({ min: 1, max: 40 }),
    tileSize: fc.integer({ min: 1, max: 16 }),
    seed: fc.integer({ min: 0, max: 1e6 }),
    format: fc.constantFrom<Fp8FormatName>(...FP8_FORMAT_NAMES),
    granularity: fc.constantFrom<Granularity>(...GRANS),
    ue8m0Scales: fc.boolean(),
  })
  .map((r) => {
    const rng = new Rng(r.seed).child('scaling-test');
    const x = Float32Array.from({ length: r.rows * r.cols }, () => rng.normal() * 10 ** rng.int(-3, 4));
    return { ...r, x };
  });

describe('fine-grained FP8 scaling', () => {
  it('lays scales out as kernel.py does: tensor [1,1], tile [rows, ⌈cols/T⌉], block [⌈rows/T⌉, ⌈cols/T⌉]', () => {
    expect(scaleShape(5, 70, 'tensor', 32)).toEqual([1, 1]);
    expect(scaleShape(5, 70, 'tile', 32)).toEqual([5, 3]);
    expect(scaleShape(5, 70, 'block', 32)).toEqual([1, 3]);
    expect(scaleShape(256, 384, 'block', 128)).toEqual([2, 3]);
    const q = quantise(new Float32Array(5 * 70), 5, 70, { format: 'e4m3', granularity: 'block', tileSize: 32 });
    expect(scaleIndex(q, 4, 69)).toBe(2);
    const t = quantise(new Float32Array(5 * 70), 5, 70, { format: 'e4m3', granularity: 'tile', tileSize: 32 });
    expect(scaleIndex(t, 4, 69)).toBe(4 * 3 + 2);
  });

  it('computes each scale online from its own group: s = max(amax, 1e-4) / fp8max', () => {
    // Row 0: amax 448 in the first tile, 2 in the second; row 1 all zeros.
    const x = Float32Array.from([448, -3, 1, -2, 0, 0, 0, 0]);
    const q = quantise(x, 2, 4, { format: 'e4m3', granularity: 'tile', tileSize: 2 });
    expect(Array.from(q.scales)).toEqual([
      1,
      Math.fround(2 / 448),
      Math.fround(AMAX_FLOOR / 448),
      Math.fround(AMAX_FLOOR / 448),
    ]);
    expect(Array.from(q.codes.subarray(0, 2))).toEqual([0x7e, 0xc4]); // 448 and -3 = -1.5·2^1 with scale 1
    expect(Array.from(dequantise(q))).toEqual([448, -3, 1, -2, 0, 0, 0, 0]);
  });

  it("bounds every element's error by half an FP8 ulp at its group's scale", () => {
    fc.assert(
      fc.property(matrixArb, ({ x, rows, cols, tileSize, format, granularity, ue8m0Scales }) => {
        const fmt = fp8Format(format);
        const q = quantise(x, rows, cols, { format, granularity, tileSize, ue8m0Scales });
        const xh = dequantise(q);
        for (let r = 0; r < rows; r++)
          for (let c = 0; c < cols; c++) {
            const i = r * cols + c;
            const s = q.scales[scaleIndex(q, r, c)]!;
            // Relative half-ulp for normals, half the smallest subnormal step (times s) below them; the two
            // float32 roundings (x/s and decode·s) add a few units of 2^-24.
            const bound =
              Math.max(Math.abs(x[i]!) * 2 ** -(fmt.manBits + 1), s * 2 ** (fmt.emin - fmt.manBits - 1)) +
              Math.abs(x[i]!) * 2 ** -21;
            if (!(Math.abs(xh[i]! - x[i]!) <= bound)) return false;
          }
        return true;
      }),
      { numRuns: 300 },
    );
  });

  it('never gives a finite input a NaN or Inf code, with or without power-of-two scales', () => {
    fc.assert(
      fc.property(matrixArb, ({ x, rows, cols, tileSize, format, granularity, ue8m0Scales }) => {
        const fmt = fp8Format(format);
        const q = quantise(x, rows, cols, { format, granularity, tileSize, ue8m0Scales });
        return q.codes.every((c) => !isNaNCode(c, fmt) && !(fmt.hasInf && (c & 0x7f) === fmt.overflowCode));
      }),
      { numRuns: 200 },
    );
  });

  it('makes UE8M0 scales powers of two that are at least amax/fp8max', () => {
    fc.assert(
      fc.property(matrixArb, ({ x, rows, cols, tileSize, format, granularity }) => {
        const q = quantise(x, rows, cols, { format, granularity, tileSize, ue8m0Scales: true });
        const plain = quantise(x, rows, cols, { format, granularity, tileSize });
        return Array.from(q.scales).every(
          (s, g) => Number.isInteger(Math.log2(s)) && s >= plain.scales[g]! && s < 2 * plain.scales[g]!,
        );
      }),
      { numRuns: 200 },
    );
  });

  it('gives each element an error bound no larger under tiles or blocks than under one tensor scale', () => {
    fc.assert(
      fc.property(matrixArb, ({ x, rows, cols, tileSize, format }) => {
        const qt = quantise(x, rows, cols, { format, granularity: 'tensor' });
        return (['tile', 'block'] as const).every((granularity) => {
          const q = quantise(x, rows, cols, { format, granularity, tileSize });
          return Array.from(q.scales).every((s) => s <= qt.scales[0]!);
        });
      }),
    );
  });

  it("keeps an outlier's damage inside its own tile", () => {
    const rows = 4,
      cols = 64;
    const rng = new Rng(3).child('outlier');
    const x = Float32Array.from({ length: rows * cols }, () => rng.normal());
    x[1 * cols + 5] = 1e5;
    const tile = fakeQuantise(x, rows, cols, { format: 'e4m3', granularity: 'tile', tileSize: 16 });
    const tensor = fakeQuantise(x, rows, cols, { format: 'e4m3', granularity: 'tensor' });
    const relErr = (xh: Float32Array, i: number) => Math.abs(xh[i]! - x[i]!) / Math.abs(x[i]!);
    for (let i = 0; i < x.length; i++) {
      const inOutlierTile = Math.floor(i / cols) === 1 && i % cols < 16;
      if (!inOutlierTile) expect(relErr(tile, i)).toBeLessThanOrEqual(2 ** -4 + 1e-6);
    }
    const flushed = (xh: Float32Array) => Array.from(xh).filter((v, i) => v === 0 && x[i] !== 0).length;
    expect(flushed(tensor)).toBeGreaterThan(flushed(tile));
  });

  it('confines a NaN to its own group, as the reference kernels do', () => {
    const x = Float32Array.from([1, NaN, 2, 4]);
    const xh = fakeQuantise(x, 1, 4, { format: 'e4m3', granularity: 'tile', tileSize: 2 });
    expect(Number.isNaN(xh[0]!) && Number.isNaN(xh[1]!)).toBe(true);
    expect(Array.from(xh.subarray(2))).toEqual([2, 4]);
  });

  it('dequantises in float64 without rounding the product', () => {
    const x = Float32Array.from([0.3, -0.7, 1.1]);
    const q = quantise(x, 1, 3, { format: 'e4m3', granularity: 'tensor' });
    const d64 = dequantise(q, 'f64');
    const d32 = dequantise(q);
    for (let i = 0; i < 3; i++) expect(Math.fround(d64[i]!)).toBe(d32[i]);
  });

  it('rejects shapes and tile sizes that do not fit', () => {
    expect(() => quantise(new Float32Array(5), 2, 3, { format: 'e4m3', granularity: 'tensor' })).toThrow(InputError);
    expect(() => quantise(new Float32Array(6), 2, 3, { format: 'e4m3', granularity: 'tile', tileSize: 0 })).toThrow(
      InputError,
    );
    expect(() => quantise(new Float32Array(0), 0, 3, { format: 'e4m3', granularity: 'tile' })).toThrow(InputError);
  });
});
