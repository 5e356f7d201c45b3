// The seed-mean curve and its band: the mean of the seeds at each step, and mean ± std clipped to the seeds' range.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { meanCurve } from '../../src/rl/curves.ts';
import { emptyMetrics } from '../../src/rl/step-metrics.ts';

const run = (values: number[]) => values.map((v, step) => ({ ...emptyMetrics(step), evalThinkLen: v }));

describe('meanCurve', () => {
  it('keeps every band inside the range its seeds span, around their mean', () => {
    const value = fc.double({ min: -100, max: 100, noNaN: true });
    fc.assert(
      fc.property(
        fc.array(fc.array(value, { minLength: 3, maxLength: 3 }), { minLength: 2, maxLength: 5 }),
        (seeds) => {
          const c = meanCurve(seeds.map(run), 'evalThinkLen');
          expect(c.band).toHaveLength(3);
          c.band.forEach(([step, lo, hi], i) => {
            const vs = seeds.map((s) => s[step]!);
            const mean = c.points[i]![1];
            expect(lo).toBeGreaterThanOrEqual(Math.min(...vs));
            expect(hi).toBeLessThanOrEqual(Math.max(...vs));
            expect(lo).toBeLessThanOrEqual(mean + 1e-9);
            expect(hi).toBeGreaterThanOrEqual(mean - 1e-9);
          });
        },
      ),
    );
  });

  it('clips a band that would fall below the lowest seed: no negative length for a non-negative metric', () => {
    const c = meanCurve([run([0]), run([0]), run([30])], 'evalThinkLen');
    const std = Math.sqrt((2 * 10 ** 2 + 20 ** 2) / 3);
    expect(c.points[0]![1]).toBeCloseTo(10, 12);
    expect(c.band[0]![1]).toBe(0);
    expect(c.band[0]![2]).toBeCloseTo(10 + std, 12);
  });

  it('leaves mean ± std as it is where it stays inside the seeds', () => {
    const c = meanCurve([run([1]), run([2]), run([3]), run([4])], 'evalThinkLen');
    const std = Math.sqrt(1.25);
    expect(c.band[0]![1]).toBeCloseTo(2.5 - std, 12);
    expect(c.band[0]![2]).toBeCloseTo(2.5 + std, 12);
  });
});
