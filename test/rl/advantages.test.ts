// Group-relative advantages: the laws GRPO's baseline must obey, and exact values.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/core/rng.ts';
import {
  ADV_EPS,
  batchBaselineAdvantages,
  groupAdvantages,
  groupStats,
  shuffleWithinGroups,
  zeroVarianceGroups,
} from '../../src/rl/advantages.ts';

/** Rewards of `groups` groups of G, from the small set a rule-based reward gives (and some noise). */
const rewardsArb = fc.integer({ min: 1, max: 8 }).chain((G) =>
  fc.tuple(fc.constant(G), fc.integer({ min: 1, max: 5 })).chain(([g, n]) =>
    fc.tuple(
      fc.constant(g),
      fc.array(
        fc.oneof(
          fc.constantFrom(0, 0.1, 1.1),
          fc.double({ min: -3, max: 3, noNaN: true }).map((x) => x + 0),
        ),
        { minLength: g * n, maxLength: g * n },
      ),
    ),
  ),
);

const groupSums = (a: ArrayLike<number>, G: number) => {
  const out: number[] = [];
  for (let g = 0; g < a.length; g += G) {
    let s = 0;
    for (let i = 0; i < G; i++) s += a[g + i]!;
    out.push(s);
  }
  return out;
};

describe('group-relative advantages (GRPO, DeepSeekMath §4.1.2)', () => {
  it('sum to zero within every group, scaled or not', () => {
    fc.assert(
      fc.property(rewardsArb, fc.constantFrom('group', 'none'), ([G, r], scaling) => {
        for (const s of groupSums(groupAdvantages(r, G, scaling as 'group' | 'none'), G))
          expect(Math.abs(s)).toBeLessThan(1e-9 * G);
      }),
    );
  });

  it('are invariant to adding a constant to every reward', () => {
    fc.assert(
      fc.property(
        rewardsArb,
        fc.double({ min: -100, max: 100, noNaN: true }),
        fc.constantFrom('group', 'none'),
        ([G, r], c, scaling) => {
          const a = groupAdvantages(r, G, scaling as 'group' | 'none');
          const b = groupAdvantages(
            r.map((x) => x + c),
            G,
            scaling as 'group' | 'none',
          );
          // (x + c) − mean(x + c) differs from x − mean(x) only by rounding; the 1/(std + eps) can amplify it.
          a.forEach((v, i) => expect(Math.abs(v - b[i]!)).toBeLessThan(1e-6 * (1 + Math.abs(c))));
        },
      ),
    );
  });

  it('have unit (population) std in every group whose rewards differ, up to eps', () => {
    fc.assert(
      fc.property(rewardsArb, ([G, r]) => {
        const a = groupAdvantages(r, G, 'group');
        for (let g = 0; g < r.length; g += G) {
          const { std } = groupStats(r, g, G);
          if (std < 1e-3) continue;
          const { std: s } = groupStats(a, g, G);
          expect(s).toBeCloseTo(std / (std + ADV_EPS), 9);
        }
      }),
    );
  });

  it('are exactly zero for a group whose rewards are all equal', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 16 }), fc.double({ min: -5, max: 5, noNaN: true }), (G, v) => {
        expect([...groupAdvantages(new Array(G).fill(v), G)]).toEqual(new Array(G).fill(0));
        expect(zeroVarianceGroups(new Array(G).fill(v), G)).toEqual([true]);
      }),
    );
  });

  it('give the textbook values for one right answer in four', () => {
    // mean 0.25, population std √(3/16) = 0.4330127…
    const a = groupAdvantages([1, 0, 0, 0], 4, 'group', 0);
    expect(a[0]).toBeCloseTo(0.75 / Math.sqrt(3 / 16), 12);
    expect(a[1]).toBeCloseTo(-0.25 / Math.sqrt(3 / 16), 12);
    expect([...groupAdvantages([1, 0, 0, 0], 4, 'none')]).toEqual([0.75, -0.25, -0.25, -0.25]);
  });

  it('scale with the rewards without std (Dr. GRPO) and not with it (GRPO)', () => {
    const r = [1.1, 0, 0.1, 1.1, 0, 0, 0, 0.1];
    const none = groupAdvantages(r, 4, 'none'),
      none3 = groupAdvantages(
        r.map((x) => 3 * x),
        4,
        'none',
      );
    none.forEach((v, i) => expect(none3[i]).toBeCloseTo(3 * v, 12));
    const grp = groupAdvantages(r, 4, 'group', 0),
      grp3 = groupAdvantages(
        r.map((x) => 3 * x),
        4,
        'group',
        0,
      );
    grp.forEach((v, i) => expect(grp3[i]).toBeCloseTo(v, 12));
  });

  it('refuses rewards that do not split into whole groups', () => {
    expect(() => groupAdvantages([1, 0, 1], 2)).toThrow(/groups of 2/);
    expect(() => groupAdvantages([1, 0], 0)).toThrow(/positive integer/);
  });
});

describe('REINFORCE batch baseline', () => {
  it('centres the whole batch: Â_i = r_i − mean(r), summing to zero', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: -3, max: 3, noNaN: true }), { minLength: 1, maxLength: 40 }), (r) => {
        const a = batchBaselineAdvantages(r);
        expect(Math.abs(a.reduce((s, x) => s + x, 0))).toBeLessThan(1e-9 * r.length);
        const mean = r.reduce((s, x) => s + x, 0) / r.length;
        a.forEach((v, i) => expect(v).toBeCloseTo(r[i]! - mean, 12));
      }),
    );
  });
});

describe('reward shuffling within groups (ablation c)', () => {
  it("keeps each group's multiset of rewards and is reproducible from the stream", () => {
    fc.assert(
      fc.property(rewardsArb, fc.integer({ min: 0, max: 1000 }), ([G, r], seed) => {
        const s = shuffleWithinGroups(r, G, new Rng(seed).child('shuffle'));
        for (let g = 0; g < r.length; g += G) {
          expect(s.slice(g, g + G).sort((x, y) => x - y)).toEqual(r.slice(g, g + G).sort((x, y) => x - y));
        }
        expect(shuffleWithinGroups(r, G, new Rng(seed).child('shuffle'))).toEqual(s);
      }),
    );
  });

  it('breaks the link between an answer and its reward', () => {
    // Over many groups with one right answer in eight, the right answer keeps its reward only ~1/8 of the time.
    const rng = new Rng(7).child('shuffle');
    let kept = 0;
    const n = 400;
    for (let g = 0; g < n; g++) if (shuffleWithinGroups([1, 0, 0, 0, 0, 0, 0, 0], 8, rng)[0] === 1) kept++;
    expect(kept / n).toBeGreaterThan(0.06);
    expect(kept / n).toBeLessThan(0.2);
  });
});
