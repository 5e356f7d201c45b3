// Laws of the ops, stated as properties over generated inputs.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as o from '../../src/core/ops/index.ts';
import { intTensor, tensor } from '../../src/core/tensor.ts';

const f64 = (data: number[], shape: number[]) => tensor(data, shape, { dtype: 'float64' });
const arr = (n: number) => fc.array(fc.double({ min: -10, max: 10, noNaN: true }), { minLength: n, maxLength: n });
const dims = fc.integer({ min: 1, max: 4 });

describe('broadcasting', () => {
  it('a + b equals the elementwise sum with repeated dims, for any broadcastable pair', () => {
    fc.assert(
      fc.property(dims, dims, dims, fc.boolean(), fc.boolean(), (x, y, z, dropB, oneA) => {
        const sa = [x, oneA ? 1 : y, z],
          sb = dropB ? [z] : [y, 1];
        const na = sa.reduce((p, q) => p * q),
          nb = sb.reduce((p, q) => p * q);
        const A = Array.from({ length: na }, (_, i) => i * 0.5 - 3),
          B = Array.from({ length: nb }, (_, i) => i * 0.25 + 1);
        const out = o.add(f64(A, sa), f64(B, sb));
        const shape = o.broadcastShapes(sa, sb);
        expect(out.shape).toEqual(shape);
        const got = out.dataSync();
        let k = 0;
        for (let i = 0; i < shape[0]!; i++)
          for (let j = 0; j < shape[1]!; j++)
            for (let l = 0; l < shape[2]!; l++) {
              const a = A[i * sa[1]! * sa[2]! + (sa[1] === 1 ? 0 : j) * sa[2]! + l]!;
              const b = dropB ? B[l]! : B[j * sb[1]! + 0]!;
              expect(got[k++]).toBe(a + b);
            }
      }),
    );
  });
  it('refuses shapes that do not broadcast', () => {
    expect(() => o.broadcastShapes([2, 3], [4])).toThrow(/do not broadcast/);
  });
});

describe('softmax', () => {
  it('is invariant to adding a constant to a row', () => {
    fc.assert(
      fc.property(arr(6), fc.double({ min: -50, max: 50, noNaN: true }), (xs, c) => {
        const a = o.softmax(f64(xs, [2, 3])).dataSync();
        const b = o
          .softmax(
            f64(
              xs.map((x) => x + c),
              [2, 3],
            ),
          )
          .dataSync();
        a.forEach((v, i) => expect(Math.abs(v - b[i]!)).toBeLessThan(1e-12));
      }),
    );
  });
  it('rows are probability distributions, even for huge logits', () => {
    const p = o.softmax(f64([1000, 1001, 999, -1e6, 0, 1e6], [2, 3])).dataSync();
    expect(p[0]! + p[1]! + p[2]!).toBeCloseTo(1, 12);
    expect([...p.slice(3)]).toEqual([0, 0, 1]);
  });
  it('log-softmax equals log of softmax', () => {
    fc.assert(
      fc.property(arr(8), (xs) => {
        const a = o.logSoftmax(f64(xs, [2, 4])).dataSync(),
          b = o.softmax(f64(xs, [2, 4])).dataSync();
        a.forEach((v, i) => expect(Math.abs(v - Math.log(b[i]!))).toBeLessThan(1e-9));
      }),
    );
  });
  it('causal softmax gives 0 to future keys and a distribution over the past', () => {
    const p = o.causalSoftmax(f64(Array(9).fill(0), [3, 3]), 0).dataSync();
    expect([...p]).toEqual([1, 0, 0, 0.5, 0.5, 0, 1 / 3, 1 / 3, 1 / 3]);
  });
});

describe('RMSNorm', () => {
  it('is invariant to scaling the input by c > 0', () => {
    fc.assert(
      fc.property(arr(8), fc.double({ min: 0.01, max: 100, noNaN: true }), (xs, c) => {
        fc.pre(xs.slice(0, 4).some((x) => Math.abs(x) > 1e-3) && xs.slice(4).some((x) => Math.abs(x) > 1e-3));
        const w = f64([1, 2, 3, 4], [4]);
        const a = o.rmsNorm(f64(xs, [2, 4]), w, 0).dataSync();
        const b = o
          .rmsNorm(
            f64(
              xs.map((x) => x * c),
              [2, 4],
            ),
            w,
            0,
          )
          .dataSync();
        a.forEach((v, i) => expect(Math.abs(v - b[i]!)).toBeLessThan(1e-9 * (1 + Math.abs(v))));
      }),
    );
  });
});

describe('RoPE', () => {
  const tables = o.ropeTables(o.ropeInvFreq(8, 10000), 64, { dtype: 'float64' });
  for (const style of ['interleaved', 'half'] as const) {
    it(`(${style}) preserves the norm of every head vector`, () => {
      fc.assert(
        fc.property(arr(16), fc.integer({ min: 0, max: 63 }), fc.integer({ min: 0, max: 63 }), (xs, p0, p1) => {
          const y = o.rope(f64(xs, [2, 1, 8]), intTensor([p0, p1]), tables, style).dataSync();
          for (let r = 0; r < 2; r++) {
            const n0 = xs.slice(r * 8, r * 8 + 8).reduce((s, v) => s + v * v, 0);
            const n1 = [...y.slice(r * 8, r * 8 + 8)].reduce((s, v) => s + v * v, 0);
            expect(Math.abs(n0 - n1)).toBeLessThan(1e-9 * (1 + n0));
          }
        }),
      );
    });
    it(`(${style}) makes q·k depend only on the relative position`, () => {
      fc.assert(
        fc.property(
          arr(8),
          arr(8),
          fc.integer({ min: 0, max: 20 }),
          fc.integer({ min: 0, max: 20 }),
          fc.integer({ min: 0, max: 20 }),
          (q, k, m, n, shift) => {
            const dot = (pm: number, pn: number) => {
              const rq = o.rope(f64(q, [1, 1, 8]), intTensor([pm]), tables, style).dataSync();
              const rk = o.rope(f64(k, [1, 1, 8]), intTensor([pn]), tables, style).dataSync();
              return Array.from(rq).reduce((s, v, i) => s + v * rk[i]!, 0);
            };
            // Angles are computed in float32 (as the reference implementations do), so agreement is to ~1e-6.
            const scale = Math.sqrt(q.reduce((s, v) => s + v * v, 0) * k.reduce((s, v) => s + v * v, 0));
            expect(Math.abs(dot(m, n) - dot(m + shift, n + shift))).toBeLessThan(1e-6 * (1 + scale));
          },
        ),
      );
    });
  }
});

describe('top-k', () => {
  it('returns the k largest in descending order, ties to the lower index', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 5 }), { minLength: 6, maxLength: 6 }),
        fc.integer({ min: 1, max: 6 }),
        (xs, k) => {
          const { values, indices } = o.topk(f64(xs, [1, 6]), k);
          const expected = xs
            .map((v, i) => [v, i] as const)
            .sort((a, b) => b[0] - a[0] || a[1] - b[1])
            .slice(0, k);
          expect([...indices.dataSync()]).toEqual(expected.map((e) => e[1]));
          expect([...values.dataSync()]).toEqual(expected.map((e) => e[0]));
        },
      ),
    );
  });
});

describe('sigmoid', () => {
  it('SiLU is x·σ(x) to the bit in float64 (the two kernels share one expression for σ)', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: -40, max: 40, noNaN: true }), { minLength: 1, maxLength: 16 }), (xs) => {
        const x = f64(xs, [xs.length]);
        expect([...o.silu(x).dataSync()]).toEqual([...o.mul(x, o.sigmoid(x)).dataSync()]);
      }),
    );
  });
});

describe('scatterAddRows', () => {
  it('sums the source rows sent to each row in order, and leaves the rows nothing is sent to at 0', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 5 }),
        dims,
        fc.array(fc.nat(), { maxLength: 8 }),
        fc.array(fc.double({ min: -10, max: 10, noNaN: true }), { minLength: 32, maxLength: 32 }),
        (rows, width, picks, values) => {
          const idx = picks.map((p) => p % rows);
          const src = values.slice(0, idx.length * width);
          const out = o.scatterAddRows(rows, intTensor(idx, [idx.length]), f64(src, [idx.length, width]));
          const expected = new Array<number>(rows * width).fill(0);
          idx.forEach((r, j) => {
            for (let i = 0; i < width; i++) expected[r * width + i] += src[j * width + i]!;
          });
          expect(out.shape).toEqual([rows, width]);
          expect([...out.dataSync()]).toEqual(expected);
        },
      ),
    );
  });
});

describe('cross-entropy', () => {
  it('equals log V for uniform logits and ignores masked positions', () => {
    const ce = o.crossEntropy(f64(Array(12).fill(0), [3, 4]), intTensor([1, -1, 3]));
    expect(ce.dataSync()[0]).toBeCloseTo(Math.log(4), 12);
  });
});
