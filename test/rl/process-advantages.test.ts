// Process supervision's per-token advantages (DeepSeekMath §4.1.3): exact values and the laws tying them to
// outcome supervision.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ADV_EPS, groupAdvantages, processAdvantages } from '../../src/rl/advantages.ts';

describe('process-supervision advantages', () => {
  it('token t gets the normalised rewards of the steps ending at or after it (by hand)', () => {
    // One group of 2: answer 0 has steps ending at tokens 1 and 3 (r = 1, 0); answer 1 one step at token 2 (r = 2).
    // R = {1, 0, 2}: mean 1, population std √(2/3).
    const a = processAdvantages(
      [
        { pos: [1, 3], r: [1, 0] },
        { pos: [2], r: [2] },
      ],
      [4, 3],
      2,
    );
    const z = (r: number) => (r - 1) / (Math.sqrt(2 / 3) + ADV_EPS);
    expect([...a[0]!]).toEqual([z(1) + z(0), z(1) + z(0), z(0), z(0)].map((x) => expect.closeTo(x, 12)));
    expect([...a[1]!]).toEqual([z(2), z(2), z(2)].map((x) => expect.closeTo(x, 12)));
  });

  it('one step per answer on its last token is outcome supervision: every token gets the group-normalised Â', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 6 }),
        fc.array(fc.tuple(fc.double({ min: -2, max: 2, noNaN: true }), fc.integer({ min: 1, max: 5 })), {
          minLength: 6,
          maxLength: 6,
        }),
        (G, rows) => {
          const n = Math.floor(rows.length / G) * G;
          const use = rows.slice(0, n);
          if (n === 0) return;
          const a = processAdvantages(
            use.map(([r, L]) => ({ pos: [L - 1], r: [r] })),
            use.map(([, L]) => L),
            G,
          );
          const o = groupAdvantages(
            use.map(([r]) => r),
            G,
          );
          use.forEach(([, L], i) => {
            expect(a[i]!.length).toBe(L);
            for (const x of a[i]!) expect(x).toBeCloseTo(o[i]!, 9);
          });
        },
      ),
    );
  });

  it('an extra step scored above the group mean raises the advantage of every token before it', () => {
    const base = [
      { pos: [2, 5], r: [0.6, 0.5] },
      { pos: [2, 5], r: [0.4, 0.3] },
    ];
    const padded = [{ pos: [2, 4, 6], r: [0.6, 0.9, 0.5] }, base[1]!];
    const a = processAdvantages(base, [6, 6], 2),
      b = processAdvantages(padded, [7, 6], 2);
    expect(b[0]![0]!).toBeGreaterThan(a[0]![0]!);
    // an all-equal group carries no signal
    expect([
      ...processAdvantages(
        [
          { pos: [0], r: [1] },
          { pos: [0], r: [1] },
        ],
        [1, 1],
        2,
      ).flatMap((x) => [...x]),
    ]).toEqual([0, 0]);
  });
});
