import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Rng } from '../../../src/core/rng.ts';
import { countdownPairProblem } from '../../../src/world/countdown/problems.ts';
import { repeatedShare, searchPaths } from '../../../src/world/countdown/repetition.ts';
import { ALL_STRATEGIES, searchTrace } from '../../../src/world/countdown/search-trace.ts';
import { generateProblem } from '../../../src/world/problems/index.ts';
import { rewardBreakdown } from '../../../src/world/rewards.ts';
import type { Problem } from '../../../src/world/problems/types.ts';

const seed = fc.integer({ min: 0, max: 2 ** 31 - 1 });
const problem = (prompt: string, numbers: number[], target: number): Problem => ({
  kind: 'countdown',
  prompt,
  answer: '',
  difficulty: numbers.length,
  numbers,
  target,
});

describe('repeated paths in a Countdown think', () => {
  const again = '8*4=32 32+8=40 40=20? no try 8*4=32 32+8=40 40=20? no try 8+4=12 12+8=20 20=20? yes so 8+4+8';

  it('splits a think into its paths and counts the ones written before', () => {
    expect(searchPaths(again, [8, 4, 8], 20)).toEqual(['8*4=32 32+8=40', '8*4=32 32+8=40', '8+4=12 12+8=20']);
    expect(repeatedShare(again, [8, 4, 8], 20)).toBeCloseTo(1 / 3, 15);
    expect(repeatedShare('8*4=32 32+8=40 40=20? no 8+4=12 12+8=20 20=20? yes', [8, 4, 8], 20)).toBe(0);
    expect(repeatedShare('8+4=12 12+8=20 so 8+4+8', [8, 4, 8], 20)).toBe(0);
    expect(repeatedShare('', [8, 4, 8], 20)).toBe(0);
  });

  it('is 0 for searches that never repeat a dead end, and rises when one is written again', () => {
    const o = { geometricFails: true, comparison: true, restateTarget: true, failCap: 5, distinctFails: true };
    let searches = 0;
    fc.assert(
      fc.property(seed, (s) => {
        const p = countdownPairProblem(new Rng(s).child('p'), 3);
        const st = { ...ALL_STRATEGIES, subgoal: false, backward: false };
        const t = searchTrace(p, st, new Rng(s).child('t'), { ...o, slipFrac: 0 });
        expect(repeatedShare(t.think, p.numbers!, p.target!)).toBe(0);
        const parts = t.think.split(' try ');
        if (parts.length < 2) return;
        searches++;
        // the first dead end written once more, before the path that succeeds
        const twice = [...parts.slice(0, -1), parts[0]!, parts[parts.length - 1]!].join(' try ');
        expect(repeatedShare(twice, p.numbers!, p.target!)).toBeCloseTo(1 / (parts.length + 1), 12);
      }),
      { numRuns: 200, seed: 3 },
    );
    expect(searches).toBeGreaterThan(20);
  });

  it('as a reward term: off by default, subtracted when weighted, truncated or not, Countdown only', () => {
    const p = problem('8 4 8 to 20', [8, 4, 8], 20);
    const text = `${again}</think><answer>8+4+8</answer>`;
    const plain = rewardBreakdown(p, text);
    expect(plain.total).toBeCloseTo(1.1, 12);
    expect(rewardBreakdown(p, text, { repetitionWeight: 0 })).toEqual(plain);
    expect(rewardBreakdown(p, text, { repetitionWeight: 0.6 })).toMatchObject({ accuracy: 1, repetition: 1 / 3 });
    expect(rewardBreakdown(p, text, { repetitionWeight: 0.6 }).total).toBeCloseTo(1.1 - 0.2, 12);
    const cut = rewardBreakdown(p, again, { truncated: true, repetitionWeight: 0.6 });
    expect(cut).toMatchObject({ accuracy: 0, format: 0, reason: 'truncated' });
    expect(cut.total).toBeCloseTo(-0.2, 12);
    const sum = generateProblem('add', new Rng('add'), 2);
    expect(
      rewardBreakdown(sum, `1+1=2 1+1=2</think><answer>${sum.answer}</answer>`, { repetitionWeight: 1 }),
    ).toMatchObject({ total: 1.1, repetition: 0 });
  });
});
