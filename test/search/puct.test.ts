import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/core/rng.ts';
import {
  cPuct,
  dirichlet,
  noisyPriors,
  PUCT_DEFAULTS,
  puctScore,
  selectChild,
  type ChildStats,
} from '../../src/search/puct.ts';

describe('PUCT', () => {
  it("uses AlphaZero's c(s) schedule", () => {
    expect(cPuct(0)).toBeCloseTo(Math.log(19653 / 19652) + 1.25, 15);
    expect(cPuct(19651)).toBeCloseTo(Math.log(2) + 1.25, 12);
    expect(puctScore({ prior: 0.5, visits: 1, valueSum: 0.5 }, 4)).toBeCloseTo(0.5 + (cPuct(4) * 0.5 * 2) / 2, 12);
  });

  it('with equal priors and no visits explores every child once before revisiting', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 24 }),
        fc.double({ min: 0.01, max: 10, noNaN: true }),
        fc.integer({ min: 0, max: 50 }),
        (k, cInit, parentStart) => {
          const c = { ...PUCT_DEFAULTS, cInit };
          const kids: ChildStats[] = Array.from({ length: k }, () => ({ prior: 1 / k, visits: 0, valueSum: 0 }));
          const seen = new Set<number>();
          let parent = Math.max(1, parentStart);
          for (let i = 0; i < k; i++) {
            const j = selectChild(kids, parent, c);
            expect(seen.has(j)).toBe(false);
            seen.add(j);
            kids[j]!.visits++;
            parent++;
          }
          expect(seen.size).toBe(k);
        },
      ),
    );
  });

  it('root noise is a Dirichlet draw: positive, sums to one, deterministic per stream', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 12 }), fc.integer({ min: 0, max: 1e6 }), (k, seed) => {
        const d = dirichlet(k, 0.3, new Rng(seed));
        expect(d.every((x) => x >= 0)).toBe(true);
        expect(d.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
        expect(dirichlet(k, 0.3, new Rng(seed))).toEqual(d);
        const p = noisyPriors(Array(k).fill(1 / k), new Rng(seed));
        expect(p.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
      }),
    );
  });
});
