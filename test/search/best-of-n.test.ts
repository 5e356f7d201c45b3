import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/core/rng.ts';
import { bestOfN, candidatesOf, select, SELECTORS, type Candidate } from '../../src/search/best-of-n.ts';
import type { ScoredTrace } from '../../src/search/scored-steps.ts';

const candidate: fc.Arbitrary<Candidate> = fc.record({
  answer: fc.option(fc.constantFrom('12', '13', '14', '15'), { nil: null }),
  correct: fc.boolean(),
  wrongStep: fc.boolean(),
  orm: fc.double({ min: 0, max: 1, noNaN: true }),
  prm: fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 1, maxLength: 5 }),
});
const problems = fc.array(fc.array(candidate, { minLength: 16, maxLength: 16 }), { minLength: 1, maxLength: 6 });
const NS = [1, 2, 4, 8, 16];

describe('best-of-N selection', () => {
  it('the oracle pass@N bounds every selector', () => {
    fc.assert(
      fc.property(problems, fc.integer({ min: 0, max: 1000 }), (ps, seed) => {
        const rows = bestOfN(ps, NS, new Rng(seed));
        for (const n of NS) {
          const oracle = rows.find((r) => r.selector === 'oracle' && r.n === n)!.accuracy;
          for (const r of rows.filter((x) => x.n === n)) expect(r.accuracy).toBeLessThanOrEqual(oracle);
        }
      }),
    );
  });

  it('all selectors agree at N = 1', () => {
    fc.assert(
      fc.property(problems, fc.integer({ min: 0, max: 1000 }), (ps, seed) => {
        const accs = bestOfN(ps, [1], new Rng(seed)).map((r) => r.accuracy);
        expect(new Set(accs).size).toBe(1);
        for (const sel of SELECTORS) expect(select(sel, ps[0]!.slice(0, 1), new Rng(seed))).toBe(0);
      }),
    );
  });

  it('pass@N never falls as N grows', () => {
    fc.assert(
      fc.property(problems, (ps) => {
        const oracle = bestOfN(ps, NS, new Rng(0))
          .filter((r) => r.selector === 'oracle')
          .map((r) => r.accuracy);
        for (let i = 1; i < oracle.length; i++) expect(oracle[i]).toBeGreaterThanOrEqual(oracle[i - 1]!);
      }),
    );
  });

  it('each selector picks by its own rule', () => {
    const c = (answer: string, orm: number, prm: number[], correct = false): Candidate => ({
      answer,
      correct,
      wrongStep: false,
      orm,
      prm,
    });
    const cands = [
      c('5', 0.1, [0.9, 0.2]),
      c('7', 0.9, [0.5, 0.5]),
      c('5', 0.2, [0.6, 0.95]),
      c('8', 0.3, [0.99, 0.3, 0.4]),
    ];
    const rng = new Rng(0);
    expect(select('majority', cands, rng)).toBe(0); // '5' twice: its first occurrence
    expect(select('orm', cands, rng)).toBe(1);
    expect(select('prm-min', cands, rng)).toBe(2); // mins 0.2, 0.5, 0.6, 0.3
    expect(select('prm-product', cands, rng)).toBe(2); // 0.18, 0.25, 0.57, 0.119
    expect(select('prm-last', cands, rng)).toBe(2);
  });

  it('counts the right picks that came from a trace with a wrong step', () => {
    const ps: Candidate[][] = [
      [{ answer: '3', correct: true, wrongStep: true, orm: 1, prm: [1] }],
      [{ answer: '4', correct: true, wrongStep: false, orm: 1, prm: [1] }],
    ];
    const orm = bestOfN(ps, [1], new Rng(0)).find((r) => r.selector === 'orm')!;
    expect(orm).toEqual({ selector: 'orm', n: 1, accuracy: 1, wrongStepOfRight: 0.5 });
  });
});

describe('candidatesOf', () => {
  it('groups N traces per problem in order, with the PRM scores and the ORM score at the last position', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 5 }), (problems, n) => {
        const traces = Array.from({ length: problems * n }, (_, k) => ({
          answer: String(k),
          correct: k % 2 === 0,
          wrongStep: k % 3 === 0,
        })) as unknown as ScoredTrace[];
        const prm = traces.map((_, k) => [k, k + 0.5]);
        const orm = traces.map((_, k) => [0, -k]);
        const cands = candidatesOf(traces, prm, orm, n);
        expect(cands).toHaveLength(problems);
        cands.forEach((group, j) =>
          group.forEach((c, i) => {
            const k = j * n + i;
            expect(c).toEqual({
              answer: String(k),
              correct: k % 2 === 0,
              wrongStep: k % 3 === 0,
              orm: -k,
              prm: [k, k + 0.5],
            });
          }),
        );
      }),
    );
  });
});
