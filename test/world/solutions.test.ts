import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Rng } from '../../src/core/rng.ts';
import { DIFFICULTY_RANGE, generateProblem, PROBLEM_KINDS } from '../../src/world/problems/index.ts';
import type { Problem } from '../../src/world/problems/index.ts';
import { workedSolution } from '../../src/world/solutions/worked.ts';
import { reflectiveSolution } from '../../src/world/solutions/reflective.ts';
import { digitTypo, wrongAnswer } from '../../src/world/solutions/wrong.ts';
import { rewardBreakdown } from '../../src/world/rewards.ts';
import { verify } from '../../src/world/verifier.ts';
import { parseCompletion } from '../../src/world/template.ts';
import { reflectionCount } from '../../src/world/reflection.ts';

const problemArb = fc
  .tuple(fc.integer({ min: 0, max: 1e6 }), fc.constantFrom(...PROBLEM_KINDS))
  .chain(([s, kind]) =>
    fc
      .integer({ min: DIFFICULTY_RANGE[kind][0], max: Math.min(DIFFICULTY_RANGE[kind][1], 4) })
      .map((d) => generateProblem(kind, new Rng(s), d)),
  );
const P = (kind: Problem['kind'], prompt: string, answer: string, extra: Partial<Problem> = {}): Problem => ({
  kind,
  prompt,
  answer,
  difficulty: 1,
  ...extra,
});
const think = (completion: string): string => parseCompletion(completion).think!;

describe('worked solutions', () => {
  it('write column addition from the right, carries as "+1", the answer assembled after "so"', () => {
    expect(workedSolution(P('add', '37+45', '82'))).toBe('7+5=12 3+4+1=8 so 82</think><answer>82</answer><eos>');
    expect(think(workedSolution(P('add', '97+45', '142')))).toBe('7+5=12 9+4+1=14 so 142');
    expect(think(workedSolution(P('add', '5+4', '9')))).toBe('5+4=9 so 9');
  });

  it('write subtraction with borrows ("1" prefix borrows, "-1" pays back) and strip leading zeros', () => {
    expect(think(workedSolution(P('sub', '732-458', '274')))).toBe('12-8=4 13-1-5=7 7-1-4=2 so 274');
    expect(think(workedSolution(P('sub', '500-499', '1')))).toBe('10-9=1 10-1-9=0 5-1-4=0 so 1');
  });

  it('write multiplication by one digit with carries', () => {
    expect(think(workedSolution(P('mul', '347*6', '2082')))).toBe('7*6=42 4*6+4=28 3*6+2=20 so 2082');
    expect(think(workedSolution(P('mul', '0*7', '0')))).toBe('0*7=0 so 0');
  });

  it('write expressions one operation per step, products first', () => {
    expect(think(workedSolution(P('expr', '23+45*7', '338')))).toBe('45*7=315 23+315=338 so 338');
    expect(think(workedSolution(P('expr', '9-2-3', '4')))).toBe('9-2=7 7-3=4 so 4');
    expect(think(workedSolution(P('expr', '2*3+4*5', '26')))).toBe('2*3=6 4*5=20 6+20=26 so 26');
  });

  it('write countdown as an abridged search: two failed chains with "no", then the one that works', () => {
    const p = P('countdown', '3 5 7 to 56', '(3+5)*7', { numbers: [3, 5, 7], target: 56 });
    expect(think(workedSolution(p))).toBe('3+5=8 8+7=15 no 3+5=8 8-7=1 no 3+5=8 8*7=56 so (3+5)*7');
  });

  it('always verify as correct and well-formed, and the think ends with "so <answer>"', () => {
    fc.assert(
      fc.property(problemArb, (p) => {
        const c = workedSolution(p);
        expect(rewardBreakdown(p, c)).toMatchObject({ accuracy: 1, format: 1 });
        const { think: t, answer } = parseCompletion(c);
        expect(t!.endsWith(` so ${answer}`)).toBe(true);
        if (p.kind !== 'countdown') expect(answer).toBe(p.answer);
      }),
      { numRuns: 400 },
    );
  });
});

describe('reflective solutions', () => {
  it('make a mistake, say "wait", re-check, and still end right', () => {
    fc.assert(
      fc.property(problemArb, fc.integer(), (p, s) => {
        const c = reflectiveSolution(p, new Rng(s));
        expect(rewardBreakdown(p, c)).toMatchObject({ accuracy: 1, format: 1 });
        expect(reflectionCount(c)).toBeGreaterThanOrEqual(2);
        expect(c.length).toBeGreaterThan(workedSolution(p).length);
      }),
      { numRuns: 400 },
    );
  });

  it('come in the documented shapes', () => {
    const add = P('add', '37+45', '82');
    const step = think(reflectiveSolution(add, new Rng(1), 'step'));
    expect(step).toMatch(/^(7\+5=\d+ wait check 7\+5=12 3\+4\+1=8|7\+5=12 3\+4\+1=\d wait check 3\+4\+1=8) so 82$/);
    const guess = think(reflectiveSolution(add, new Rng(1), 'guess'));
    expect(guess).toMatch(/^\d+ wait check 7\+5=12 3\+4\+1=8 so 82$/);
    expect(guess.split(' ')[0]).not.toBe('82');
    expect(think(reflectiveSolution(add, new Rng(1), 'confirm'))).toBe('82 wait check 7+5=12 3+4+1=8 so 82');
    const cd = P('countdown', '3 5 7 to 56', '(3+5)*7', { numbers: [3, 5, 7], target: 56 });
    expect(think(reflectiveSolution(cd, new Rng(1), 'claim'))).toBe(
      '3+5=8 8+7=56 so 3+5+7 wait recheck 8+7=15 no 3+5=8 8-7=1 no 3+5=8 8*7=56 so (3+5)*7',
    );
    expect(() => reflectiveSolution(add, new Rng(1), 'claim')).toThrow(/countdown/);
  });

  it('are deterministic per rng stream', () => {
    const p = generateProblem('add', new Rng(3), 3);
    expect(reflectiveSolution(p, new Rng(9))).toBe(reflectiveSolution(p, new Rng(9)));
  });
});

describe('wrong answers for the noisy internet', () => {
  it('are never right, for both kinds of mistake', () => {
    fc.assert(
      fc.property(problemArb, fc.integer(), fc.constantFrom('slip' as const, 'typo' as const), (p, s, mistake) => {
        const w = wrongAnswer(p, new Rng(s), mistake);
        const v = verify(p, `</think><answer>${w}</answer>`);
        expect(v.correct).toBe(false);
        expect(v.reason).not.toMatch(/not a number|not canonical|internal/);
      }),
      { numRuns: 500 },
    );
  });

  it('slip the way people do: no carries, no borrows, no precedence', () => {
    const r = new Rng(1);
    expect(wrongAnswer(P('add', '37+45', '82'), r, 'slip')).toBe('72');
    expect(wrongAnswer(P('sub', '52-38', '14'), r, 'slip')).toBe('26');
    expect(wrongAnswer(P('mul', '47*6', '282'), r, 'slip')).toBe('242');
    expect(wrongAnswer(P('expr', '2+3*4', '14'), r, 'slip')).toBe('20');
  });

  it('digitTypo changes exactly one digit and never adds a leading zero', () => {
    fc.assert(
      fc.property(fc.nat(1e9), fc.integer(), (n, s) => {
        const v = String(n);
        const t = digitTypo(v, new Rng(s));
        expect(t.length).toBe(v.length);
        expect([...t].filter((ch, i) => ch !== v[i]).length).toBe(1);
        if (t.length > 1) expect(t[0]).not.toBe('0');
      }),
    );
  });
});
