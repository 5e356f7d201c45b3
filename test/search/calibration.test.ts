import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { calibration } from '../../src/search/calibration.ts';

const unit = fc.double({ min: 0, max: 1, noNaN: true });

describe('calibration against a bounded truth', () => {
  it('computes Brier and bins by hand', () => {
    const c = calibration(
      [0.1, 0.9, 0.5],
      [
        { lower: 0, upper: 0.2 },
        { lower: 0.5, upper: 0.7 },
        { lower: 0.5, upper: 0.5 },
      ],
    );
    // midpoints 0.1, 0.6, 0.5 → squared errors 0, 0.09, 0
    expect(c.brier).toBeCloseTo(0.03, 12);
    expect(c.brierLo).toBeCloseTo(0.04 / 3, 12); // only 0.9 lies outside its interval, by 0.2
    expect(c.brierHi).toBeCloseTo((0.01 + 0.16 + 0) / 3, 12);
    expect(c.bins.map((b) => b.n)).toEqual([1, 0, 1, 0, 1]);
    expect(c.bins[4]!.exact).toBeCloseTo(0.6, 12);
  });

  it('the Brier score against any truth inside the bounds lies in [brierLo, brierHi]', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(unit, unit, unit, unit), { minLength: 1, maxLength: 20 }), (rows) => {
        const values = rows.map((r) => r[0]);
        const truth = rows.map(([, a, b]) => ({ lower: Math.min(a, b), upper: Math.max(a, b) }));
        const c = calibration(values, truth);
        const inside = rows.map(([, , , t], i) => truth[i]!.lower + t * (truth[i]!.upper - truth[i]!.lower));
        const b = values.reduce((s, v, i) => s + (v - inside[i]!) ** 2, 0) / values.length;
        expect(b).toBeGreaterThanOrEqual(c.brierLo - 1e-12);
        expect(b).toBeLessThanOrEqual(c.brierHi + 1e-12);
        expect(c.bins.reduce((s, x) => s + x.n, 0)).toBe(values.length);
      }),
    );
  });
});
