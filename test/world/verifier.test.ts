import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Rng } from '../../src/core/rng.ts';
import { verify } from '../../src/world/verifier.ts';
import { completionFrom } from '../../src/world/template.ts';
import { evaluateArithmetic } from '../../src/world/arith.ts';
import { DIFFICULTY_RANGE, generateProblem, PROBLEM_KINDS } from '../../src/world/problems/index.ts';
import type { Problem } from '../../src/world/problems/index.ts';
import { digitTypo } from '../../src/world/solutions/wrong.ts';
import { SPECIAL_TOKENS, VOCAB } from '../../src/world/tokenizer.ts';

const problemArb = fc
  .tuple(fc.integer({ min: 0, max: 1e6 }), fc.constantFrom(...PROBLEM_KINDS))
  .chain(([s, kind]) =>
    fc
      .integer({ min: DIFFICULTY_RANGE[kind][0], max: Math.min(DIFFICULTY_RANGE[kind][1], 4) })
      .map((d) => generateProblem(kind, new Rng(s), d)),
  );
const answered = (answer: string): string => completionFrom('', answer);
const add: Problem = { kind: 'add', prompt: '37+45', answer: '82', difficulty: 2, numbers: [37, 45] };
const cd: Problem = {
  kind: 'countdown',
  prompt: '3 4 7 6 to 24',
  answer: '(7-3)*6',
  difficulty: 4,
  numbers: [3, 4, 7, 6],
  target: 24,
};

describe('verify: accepts what is right', () => {
  it('accepts the canonical answer of every generated problem', () => {
    fc.assert(
      fc.property(problemArb, (p) => {
        expect(verify(p, answered(p.answer))).toEqual({ correct: true, reason: 'correct', extracted: p.answer });
      }),
      { numRuns: 300 },
    );
  });

  it('accepts any countdown expression with the right value and allowed numbers', () => {
    for (const e of ['(7-3)*6', '6*(7-3)', '4*6', ' 6 * 4 ', '-(3-7)*6', '(((7-3)))*6']) {
      expect(verify(cd, answered(e)), e).toMatchObject({ correct: true, reason: 'correct' });
    }
    // Fractional intermediates are fine when the value is exact: the classic 8/(3-8/3) = 24.
    const classic: Problem = { ...cd, prompt: '3 3 8 8 to 24', numbers: [3, 3, 8, 8] };
    expect(verify(classic, answered('8/(3-8/3)'))).toMatchObject({ correct: true });
  });
});

describe('verify: rejects what is wrong, always with a reason', () => {
  it('rejects a canonical answer with one digit changed', () => {
    fc.assert(
      fc.property(
        problemArb.filter((p) => p.kind !== 'countdown'),
        fc.integer(),
        (p, s) => {
          const wrong = digitTypo(p.answer, new Rng(s));
          const v = verify(p, answered(wrong));
          expect(v.correct).toBe(false);
          expect(v.reason).toBe(`${wrong} ≠ ${p.answer}`);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('requires the exact integer literal', () => {
    const cases: [string, RegExp][] = [
      ['082', /not canonical: 082/],
      ['8 2', /not a number: 8 2/],
      ['37+45', /not a number/],
      ['eighty two', /not a number/],
      ['82.0', /not a number/],
      ['-82', /-82 ≠ 82/],
    ];
    for (const [a, why] of cases) {
      const v = verify(add, answered(a));
      expect(v.correct).toBe(false);
      expect(v.reason).toMatch(why);
    }
  });

  it('reports missing, doubled and unclosed answers', () => {
    expect(verify(add, '7+5=12 so 82')).toMatchObject({ correct: false, reason: 'no answer tag' });
    expect(verify(add, '</think><answer>82</answer><answer>82</answer>')).toMatchObject({
      correct: false,
      reason: 'two answer tags',
    });
    expect(verify(add, '</think><answer>82')).toMatchObject({
      correct: false,
      reason: expect.stringMatching(/truncated/),
    });
    expect(verify(add, '</think><answer></answer>')).toMatchObject({ correct: false, reason: 'empty answer' });
  });

  it('countdown: rejects reused or foreign numbers, wrong values and anything but + - * / ( )', () => {
    const cases: [string, RegExp][] = [
      ['4*6*1', /uses 1, which is not given/],
      ['(7-3)*(7-1)', /uses 7 twice/],
      ['3+3+3+3+4+4', /uses 3 4 times \(given 1\)/],
      ['4*7-6', /value 22 ≠ 24/],
      ['7/3*4', /value 28\/3 ≠ 24/],
      ['4*6=24', /character "=" not allowed/],
      ['4x6', /character "x" not allowed/],
      ['6(7-3)', /implicit multiplication/],
      ['4*6/(7-7)', /division by zero|uses 7 twice/],
      ['04*6', /leading zero in 04/],
      ['4**6', /not an expression/],
      ['(4*6', /not an expression/],
      ['', /empty answer/],
    ];
    for (const [a, why] of cases) {
      const v = verify(cd, answered(a));
      expect(v.correct, a).toBe(false);
      expect(v.reason, a).toMatch(why);
    }
  });

  it('never throws and always gives a reason, whatever the text', () => {
    const piece = fc.constantFrom(...VOCAB, ...SPECIAL_TOKENS, '<answer>', '</answer>', '.', '^', 'é');
    fc.assert(
      fc.property(problemArb, fc.array(piece, { maxLength: 30 }), (p, parts) => {
        const v = verify(p, parts.join(''));
        expect(v.reason.length).toBeGreaterThan(0);
        expect(v.reason).not.toMatch(/internal/);
        if (!v.correct) expect(v.reason).not.toBe('correct');
      }),
      { numRuns: 2000 },
    );
  });
});

describe('evaluateArithmetic', () => {
  it('is exact: fractions never round', () => {
    const r = evaluateArithmetic('7/3*3');
    expect(r.ok && r.value.equals(7)).toBe(true);
    const s = evaluateArithmetic('1/3+1/3+1/3');
    expect(s.ok && s.value.equals(1)).toBe(true);
  });

  it('agrees with integer arithmetic on random + - * expressions', () => {
    const expr = fc.array(fc.tuple(fc.constantFrom('+', '-', '*'), fc.integer({ min: 0, max: 99 })), { maxLength: 5 });
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 99 }), expr, (first, rest) => {
        const text = `${first}${rest.map(([o, n]) => o + n).join('')}`;
        // Reference: precedence by splitting on + and - outside products.
        const expected = text
          .split(/(?=[+-])/)
          .map((term) => {
            const sign = term.startsWith('-') ? -1 : 1;
            return (
              sign *
              term
                .replace(/^[+-]/, '')
                .split('*')
                .reduce((a, b) => a * Number(b), 1)
            );
          })
          .reduce((a, b) => a + b, 0);
        const r = evaluateArithmetic(text);
        expect(r.ok && r.value.equals(expected)).toBe(true);
      }),
    );
  });
});
