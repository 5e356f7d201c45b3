import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { evaluate } from 'mathjs';
import { Rng } from '../../src/core/rng.ts';
import {
  DIFFICULTY_RANGE,
  generateProblem,
  heldOutKeys,
  heldOutSet,
  makeProblemSet,
  PROBLEM_KINDS,
  problemKey,
} from '../../src/world/problems/index.ts';
import type { ProblemKind } from '../../src/world/problems/index.ts';
import {
  COUNTDOWN_MAX_NUMBER,
  COUNTDOWN_MAX_TARGET,
  COUNTDOWN_MIN_TARGET,
} from '../../src/world/problems/countdown.ts';
import { evaluateArithmetic } from '../../src/world/arith.ts';

const kindAndDifficulty = fc
  .constantFrom(...PROBLEM_KINDS)
  .chain((kind) =>
    fc.tuple(
      fc.constant(kind),
      fc.integer({ min: DIFFICULTY_RANGE[kind][0], max: Math.min(DIFFICULTY_RANGE[kind][1], 4) }),
    ),
  );
const seed = fc.integer({ min: 0, max: 1_000_000 });
const digits = (n: number): number => String(n).length;

describe('problem generators', () => {
  it('are deterministic per seed and difficulty', () => {
    fc.assert(
      fc.property(seed, kindAndDifficulty, (s, [kind, d]) => {
        const a = makeProblemSet(kind, 5, new Rng(s), d);
        const b = makeProblemSet(kind, 5, new Rng(s), d);
        expect(a).toEqual(b);
      }),
      { numRuns: 50 },
    );
  });

  it('give different problems for different seeds', () => {
    const a = makeProblemSet('add', 20, new Rng(1), 3).map((p) => p.prompt);
    const b = makeProblemSet('add', 20, new Rng(2), 3).map((p) => p.prompt);
    expect(a).not.toEqual(b);
  });

  it('record their kind and difficulty', () => {
    fc.assert(
      fc.property(seed, kindAndDifficulty, (s, [kind, d]) => {
        const p = generateProblem(kind, new Rng(s), d);
        expect(p.kind).toBe(kind);
        expect(p.difficulty).toBe(d);
      }),
    );
  });

  it('add, sub and mul use operands of exactly `difficulty` digits, and the answer is the value', () => {
    fc.assert(
      fc.property(
        seed,
        fc.constantFrom<ProblemKind>('add', 'sub', 'mul'),
        fc.integer({ min: 1, max: 6 }),
        (s, kind, d) => {
          const p = generateProblem(kind, new Rng(s), d);
          const [a, b] = p.numbers!;
          expect(digits(a!)).toBe(d);
          if (kind === 'mul') expect(b).toBeGreaterThanOrEqual(2);
          if (kind === 'mul') expect(b).toBeLessThanOrEqual(9);
          else expect(digits(b!)).toBe(d);
          expect(p.answer).toBe(String(evaluate(p.prompt)));
        },
      ),
    );
  });

  it('never make a negative subtraction', () => {
    fc.assert(
      fc.property(seed, fc.integer({ min: 1, max: 6 }), (s, d) => {
        expect(Number(generateProblem('sub', new Rng(s), d).answer)).toBeGreaterThanOrEqual(0);
      }),
    );
  });

  it('expr has three terms, one-digit factors, precedence-respecting answers and no negative intermediate', () => {
    fc.assert(
      fc.property(seed, fc.integer({ min: 1, max: 3 }), (s, d) => {
        const p = generateProblem('expr', new Rng(s), d);
        const parts = p.prompt.split(/([+\-*])/);
        expect(parts.length).toBe(5);
        for (let i = 1; i < parts.length; i += 2) {
          if (parts[i] === '*') {
            expect(digits(Number(parts[i - 1]))).toBe(1);
            expect(digits(Number(parts[i + 1]))).toBe(1);
          }
        }
        expect(p.answer).toBe(String(evaluate(p.prompt)));
        expect(Number(p.answer)).toBeGreaterThanOrEqual(0);
      }),
    );
  });

  it('countdown gives `difficulty` numbers and a reachable target, with the canonical answer reaching it', () => {
    fc.assert(
      fc.property(seed, fc.integer({ min: 2, max: 5 }), (s, d) => {
        const p = generateProblem('countdown', new Rng(s), d);
        expect(p.numbers!.length).toBe(d);
        for (const n of p.numbers!) expect(n >= 1 && n <= COUNTDOWN_MAX_NUMBER).toBe(true);
        expect(p.target! >= COUNTDOWN_MIN_TARGET && p.target! <= COUNTDOWN_MAX_TARGET).toBe(true);
        expect(p.numbers).not.toContain(p.target);
        expect(p.prompt).toBe(`${p.numbers!.join(' ')} to ${p.target}`);
        const r = evaluateArithmetic(p.answer);
        expect(r.ok && r.value.equals(p.target!)).toBe(true);
        expect(r.ok && r.numbers.slice().sort((x, y) => x - y)).toEqual(p.numbers!.slice().sort((x, y) => x - y));
      }),
    );
  });

  it('reject an unsupported difficulty with a clear error', () => {
    expect(() => generateProblem('add', new Rng(1), 0)).toThrow(
      /add: difficulty must be an integer in \[1, 6\], got 0/,
    );
    expect(() => generateProblem('countdown', new Rng(1), 1)).toThrow(/countdown/);
    expect(() => generateProblem('expr', new Rng(1), 1.5)).toThrow(RangeError);
  });
});

describe('problem sets and the held-out split', () => {
  it('makeProblemSet returns `count` problems, distinct when asked', () => {
    expect(makeProblemSet('add', 30, new Rng(3), 2)).toHaveLength(30);
    const u = makeProblemSet('add', 90, new Rng(3), 1, { unique: true });
    expect(new Set(u.map(problemKey)).size).toBe(90);
  });

  it('says so when the space is too small', () => {
    expect(() => makeProblemSet('add', 101, new Rng(3), 1, { unique: true })).toThrow(/only 100 of 101 add problems/);
  });

  it('the held-out split is fixed by its seed and distinct', () => {
    const a = heldOutSet('add', 2, 50, 9);
    expect(a).toEqual(heldOutSet('add', 2, 50, 9));
    expect(new Set(a.map(problemKey)).size).toBe(50);
    expect(heldOutSet('add', 2, 50, 10)).not.toEqual(a);
    expect(heldOutSet('add', 2, 10, 9)).toEqual(a.slice(0, 10));
  });

  it('training draws with `exclude` never meet the held-out split (and without it they do)', () => {
    fc.assert(
      fc.property(seed, kindAndDifficulty, (s, [kind, d]) => {
        const held = heldOutKeys(kind, d, 20, 1234);
        const train = makeProblemSet(kind, 200, new Rng(s).child('train'), d, { exclude: held });
        for (const p of train) expect(held.has(problemKey(p))).toBe(false);
      }),
      { numRuns: 30 },
    );
    // In a small space, unfiltered draws do hit the split: the exclusion is doing the work.
    const held = heldOutKeys('add', 1, 30, 1234);
    const raw = makeProblemSet('add', 300, new Rng(5), 1);
    expect(raw.some((p) => held.has(problemKey(p)))).toBe(true);
  });

  it('problemKey ignores the order of countdown numbers but not of arithmetic operands', () => {
    const base = { kind: 'countdown' as const, target: 56 };
    expect(problemKey({ ...base, prompt: '3 5 7 to 56', numbers: [3, 5, 7] })).toBe(
      problemKey({ ...base, prompt: '7 3 5 to 56', numbers: [7, 3, 5] }),
    );
    expect(problemKey({ kind: 'add', prompt: '1+2' })).not.toBe(problemKey({ kind: 'add', prompt: '2+1' }));
    expect(problemKey({ kind: 'add', prompt: '1+2' })).not.toBe(problemKey({ kind: 'mul', prompt: '1+2' }));
  });
});
