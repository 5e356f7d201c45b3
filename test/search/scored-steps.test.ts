import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/core/rng.ts';
import { scoreSteps } from '../../src/search/scored-steps.ts';
import { decode, encode, generateProblem, workedSolution, type Problem } from '../../src/world/index.ts';

const p: Problem = { kind: 'add', prompt: '37+85', answer: '122', difficulty: 2, numbers: [37, 85] };

describe('reward-model read positions', () => {
  it('close each step on its last token, then the answer step on the last token', () => {
    const ids = encode('7+5=12 3+8+1=13 so 132</think><answer>132</answer><eos>');
    const t = scoreSteps(p, ids);
    expect(t.steps.slice(0, 2).map((s) => decode(ids.slice(0, s.pos + 1)))).toEqual(['7+5=12', '7+5=12 3+8+1=13']);
    expect(t.steps.map((s) => s.text)).toEqual(['7+5=12', '3+8+1=13', '132']);
    expect(t.steps.map((s) => [s.right, s.oracle, s.answer])).toEqual([
      [true, true, false],
      [false, false, false],
      [false, false, true],
    ]);
    expect(t.steps.at(-1)!.pos).toBe(ids.length - 1);
    expect(t.wrongStep).toBe(true);
    expect(t.correct).toBe(false);
    expect(t.answer).toBe('132');
  });

  it('label every step of a worked solution right and on track, and its answer correct', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1e6 }), fc.integer({ min: 1, max: 3 }), (seed, d) => {
        const q = generateProblem('add', new Rng(seed), d);
        const ids = encode(workedSolution(q));
        const t = scoreSteps(q, ids);
        expect(t.correct).toBe(true);
        expect(t.steps.every((s) => s.right && s.oracle)).toBe(true);
        // positions strictly increase and each intermediate one ends its step's text
        for (let i = 1; i < t.steps.length; i++) expect(t.steps[i]!.pos).toBeGreaterThan(t.steps[i - 1]!.pos);
        for (const s of t.steps.filter((x) => !x.answer))
          expect(decode(ids.slice(0, s.pos + 1)).endsWith(s.text)).toBe(true);
      }),
      { numRuns: 50 },
    );
  });

  it('give a direct answer only the answer step', () => {
    const t = scoreSteps(p, encode('</think><answer>122</answer><eos>'));
    expect(t.steps).toHaveLength(1);
    expect(t.steps[0]).toMatchObject({ answer: true, oracle: true, right: true });
  });
});
