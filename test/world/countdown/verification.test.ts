import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Rng } from '../../../src/core/rng.ts';
import type { Problem } from '../../../src/world/problems/index.ts';
import { completionFrom } from '../../../src/world/template.ts';
import { countdownPairProblem } from '../../../src/world/countdown/problems.ts';
import { ALL_STRATEGIES, searchCompletion } from '../../../src/world/countdown/search-trace.ts';
import { parseSearch } from '../../../src/world/countdown/parse.ts';
import {
  addTallies,
  EMPTY_TALLY,
  interventionOutcome,
  interventionPrefix,
  verificationRates,
  verificationTally,
} from '../../../src/world/countdown/verification.ts';

const P: Problem = {
  kind: 'countdown',
  prompt: '3 5 7 to 56',
  answer: '(3+5)*7',
  difficulty: 3,
  numbers: [3, 5, 7],
  target: 56,
};
const C = (think: string, answer = think.split(' so ')[1]!) => completionFrom(think, answer);

describe('verification measures', () => {
  it('a genuine check: right recomputation, rejects the wrong claim, the search goes on and ends right', () => {
    const t = verificationTally(P, C('3+5=8 8+7=56 check 8+7=15 no try 3+5=8 8*7=56 check 8*7=56 yes so (3+5)*7'));
    expect(t).toEqual({
      steps: 4,
      stepsRight: 3,
      checks: 2,
      checksRight: 2,
      noVerdicts: 1,
      continuedAfterNo: 1,
      yesVerdicts: 1,
      stoppedAfterYes: 1,
      wrongCandidatesChecked: 1,
      saved: 1,
      rightCandidatesChecked: 1,
      spoiled: 0,
    });
    expect(verificationRates(t)).toEqual({
      stepAccuracy: 0.75,
      checkAccuracy: 1,
      pContinueGivenNo: 1,
      pStopGivenYes: 1,
      saveRate: 1,
      spoilRate: 0,
    });
  });

  it("a subgoal's yes lets its path go on: it is no claim that the search is done", () => {
    const t = verificationTally(P, C('56/7=8 need 8 from 3 5 3+5=8 yes 8*7=56 check 8*7=56 yes so (3+5)*7'));
    expect(t).toMatchObject({ yesVerdicts: 1, stoppedAfterYes: 1, noVerdicts: 0 });
    // a missed subgoal's no counts as a no, and the search going on after it as consistent
    const u = verificationTally(
      P,
      C('56-7=49 need 49 from 3 5 3*5=15 no try 56/7=8 need 8 from 3 5 3+5=8 8*7=56 check 8*7=56 yes so (3+5)*7'),
    );
    expect(u).toMatchObject({ noVerdicts: 1, continuedAfterNo: 1, yesVerdicts: 1, stoppedAfterYes: 1 });
  });

  it('a ritual check copies the claim: accuracy 0, nothing saved', () => {
    const t = verificationTally(P, C('3+5=8 8+7=56 check 8+7=56 yes so 3+5+7'));
    expect(verificationRates(t)).toEqual({
      stepAccuracy: 0.5,
      checkAccuracy: 0,
      pContinueGivenNo: null,
      pStopGivenYes: 1,
      saveRate: 0,
      spoilRate: null,
    });
  });

  it('a check that rejects a right candidate and ends wrong spoils it', () => {
    const t = verificationTally(P, C('3+5=8 8*7=56 check 8*7=54 no try 3+5=8 8+7=15 no so 3+5+7'));
    expect(t).toMatchObject({
      checks: 1,
      checksRight: 0,
      rightCandidatesChecked: 1,
      spoiled: 1,
      noVerdicts: 2,
      continuedAfterNo: 1,
    });
  });

  it('inconsistent verdicts: "no" and then stop, "yes" and then search on', () => {
    const t = verificationTally(P, C('3+5=8 8+7=15 no so 3+5+7'));
    expect(verificationRates(t).pContinueGivenNo).toBe(0);
    const u = verificationTally(P, C('3+5=8 8*7=56 yes 3+5=8 so (3+5)*7'));
    expect(verificationRates(u).pStopGivenYes).toBe(0);
  });

  it('tallies add field by field; empty rates are null', () => {
    const a = verificationTally(P, C('3+5=8 8+7=56 check 8+7=15 no try 3+5=8 8*7=56 check 8*7=56 yes so (3+5)*7'));
    expect(addTallies(a, a).checks).toBe(4);
    expect(addTallies(EMPTY_TALLY, a)).toEqual(a);
    expect(verificationRates(EMPTY_TALLY)).toEqual({
      stepAccuracy: null,
      checkAccuracy: null,
      pContinueGivenNo: null,
      pStopGivenYes: null,
      saveRate: null,
      spoilRate: null,
    });
  });

  it('generated all-strategies traces are perfectly consistent and their checks accurate', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1e6 }), fc.integer({ min: 3, max: 4 }), (s, n) => {
        const p = countdownPairProblem(new Rng(s).child('p'), n);
        const r = verificationRates(
          verificationTally(p, searchCompletion(p, ALL_STRATEGIES, new Rng(s).child('t'), { slipFrac: 0.5 })),
        );
        expect(r.checkAccuracy).toBe(1);
        // Every written step is true but a caught slip's (one wrong step at most).
        expect(r.stepAccuracy!).toBeGreaterThan(0.5);
        expect(r.pStopGivenYes).toBe(1);
        if (r.pContinueGivenNo !== null) expect(r.pContinueGivenNo).toBe(1);
        if (r.saveRate !== null) expect(r.saveRate).toBe(1);
        expect(r.spoilRate).toBe(0);
      }),
      { numRuns: 200 },
    );
  });
});

describe('path checks: the whole path re-derived from the given numbers', () => {
  // 7 3 8 to 17: the subgoal 9 (17−8) cannot be made from 7 and 3; "7+3=9" copies it
  const Q: Problem = {
    kind: 'countdown',
    prompt: '7 3 8 to 17',
    answer: '8*3-7',
    difficulty: 3,
    numbers: [7, 3, 8],
    target: 17,
  };
  const slip = '17-8=9 need 9 from 7 3 7+3=9 9+8=17';
  const end = 'try 8*3=24 24-7=17 check 8*3=24 24-7=17 yes so 8*3-7';

  it('catches a slip before the last step that a last-step check passes', () => {
    const t = verificationTally(Q, C(`${slip} check 7+3=10 10+8=18 no ${end}`));
    expect(t).toMatchObject({
      steps: 5,
      stepsRight: 4,
      checks: 2,
      checksRight: 2,
      wrongCandidatesChecked: 1,
      saved: 1,
    });
    expect(t).toMatchObject({ rightCandidatesChecked: 1, spoiled: 0, noVerdicts: 1, continuedAfterNo: 1 });
    // the last-step check recomputes 9+8=17 right, says yes, and counts the copied path as a right candidate
    const u = verificationTally(Q, C(`${slip} check 9+8=17 yes so (7+3)+8`));
    expect(u).toMatchObject({ checks: 1, checksRight: 1, rightCandidatesChecked: 1, wrongCandidatesChecked: 0 });
  });

  it('a ritual path check copies the path: wrong; one that does not carry its own values is no recomputation', () => {
    const parse = (think: string) => parseSearch(think, [7, 3, 8], 17).items.find((it) => it.kind === 'check')!;
    expect(parse(`${slip} check 7+3=9 9+8=17 yes`)).toMatchObject({ right: false, sameStep: true, value: 17 });
    expect(parse(`${slip} check 7+3=10 9+8=17 yes`)).toMatchObject({ right: true, sameStep: false });
    expect(parse(`${slip} check 7+3=10 8+10=18 no`)).toMatchObject({ right: true, sameStep: true, value: 18 });
    // a check takes at most as many steps as its path has: the rest is the search going on
    const items = parseSearch('7+3=10 check 7+3=10 10+8=18 no', [7, 3, 8], 17).items.map((it) => it.kind);
    expect(items).toEqual(['step', 'check', 'step', 'verdict']);
    expect(verificationTally(Q, C(`${slip} check 7+3=9 9+8=17 yes so (7+3)+8`))).toMatchObject({
      checksRight: 0,
      wrongCandidatesChecked: 1,
      saved: 0,
    });
  });

  it('generated path-check traces: every check recomputed right and acted on, nothing spoiled', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1e6 }), fc.integer({ min: 3, max: 4 }), (s, n) => {
        const p = countdownPairProblem(new Rng(s).child('p'), n);
        const c = searchCompletion(p, ALL_STRATEGIES, new Rng(s).child('t'), { slipFrac: 0.5, pathCheck: true });
        const t = verificationTally(p, c);
        const r = verificationRates(t);
        expect(r.checkAccuracy).toBe(1);
        expect(t.wrongCandidatesChecked + t.rightCandidatesChecked).toBe(t.checks);
        expect(r.pStopGivenYes).toBe(1);
        if (r.pContinueGivenNo !== null) expect(r.pContinueGivenNo).toBe(1);
        if (r.saveRate !== null) expect(r.saveRate).toBe(1);
        expect(r.spoilRate).toBe(0);
      }),
      { numRuns: 200 },
    );
  });

  it('an injected wrong claim is caught by a path check that recomputes it to its true value', () => {
    const iv = { prefix: '3+5=8 8+7=56 ', step: { a: 8, op: '+' as const, b: 7, value: 56 }, trueValue: 15 };
    const right = 'try 3+5=8 8*7=56 check 3+5=8 8*7=56 yes so (3+5)*7';
    expect(interventionOutcome(P, iv, C(`check 3+5=8 8+7=15 no ${right}`))).toEqual({
      caught: true,
      fooled: false,
      recovered: true,
    });
    expect(interventionOutcome(P, iv, C('check 3+5=8 8+7=56 yes so 3+5+7'))).toMatchObject({
      caught: false,
      fooled: true,
    });
    // a wrong first value carried on is a faithful recomputation, but not of the claimed step's true value
    expect(interventionOutcome(P, iv, C(`check 5+3=9 9+7=16 no ${right}`)).caught).toBe(false);
  });
});

describe('intervention: an injected wrong claim', () => {
  it('is a dead-end path whose last step claims the target with a wrong value', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1e6 }), fc.integer({ min: 3, max: 4 }), (s, n) => {
        const p = countdownPairProblem(new Rng(s).child('p'), n);
        const iv = interventionPrefix(p, new Rng(s).child('iv'));
        if (iv === null) return;
        expect(iv.prefix.endsWith(`=${p.target} `)).toBe(true);
        expect(iv.step.value).toBe(p.target);
        expect(iv.trueValue).not.toBe(p.target);
      }),
      { numRuns: 200 },
    );
  });

  it('opens as the paths of the base’s corpus do (naming the target, the number kept), and is judged the same', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1e6 }), (s) => {
        const p = countdownPairProblem(new Rng(s).child('p'), 3);
        const plain = interventionPrefix(p, new Rng(s).child('iv'));
        const restated = interventionPrefix(p, new Rng(s).child('iv'), { restateTarget: true, namesKept: false });
        const kept = interventionPrefix(p, new Rng(s).child('iv'), { restateTarget: true, namesKept: true });
        if (plain === null) return expect([restated, kept]).toEqual([null, null]);
        expect(restated).toEqual({ ...plain, prefix: `to ${p.target}: ${plain.prefix}` });
        // the number the injected path's first step leaves, named before it
        const [, a, b] = /^(\d+)[-+*/](\d+)=/.exec(plain.prefix)!;
        const rest = p.numbers!.slice();
        for (const x of [Number(a), Number(b)]) rest.splice(rest.indexOf(x), 1);
        expect(kept).toEqual({ ...plain, prefix: `to ${p.target}: keep ${rest[0]}: ${plain.prefix}` });
      }),
      { numRuns: 100 },
    );
    const iv = { prefix: 'to 56: 3+5=8 8+7=56 ', step: { a: 8, op: '+' as const, b: 7, value: 56 }, trueValue: 15 };
    expect(interventionOutcome(P, iv, C('check 8+7=15 15=56? no try to 56: 3+5=8 8*7=56 so (3+5)*7'))).toEqual({
      caught: true,
      fooled: false,
      recovered: true,
    });
    expect(interventionOutcome(P, iv, C('check 8+7=56 56=56? yes so 3+5+7')).fooled).toBe(true);
  });

  it('is caught by a genuine check, fools a ritual one, and is neither when ignored', () => {
    const iv = { prefix: '3+5=8 8+7=56 ', step: { a: 8, op: '+' as const, b: 7, value: 56 }, trueValue: 15 };
    expect(interventionOutcome(P, iv, C('check 8+7=15 no try 3+5=8 8*7=56 check 8*7=56 yes so (3+5)*7'))).toEqual({
      caught: true,
      fooled: false,
      recovered: true,
    });
    expect(interventionOutcome(P, iv, C('check 8+7=56 yes so 3+5+7'))).toEqual({
      caught: false,
      fooled: true,
      recovered: false,
    });
    expect(interventionOutcome(P, iv, C('yes so 3+5+7'))).toEqual({ caught: false, fooled: true, recovered: false });
    expect(interventionOutcome(P, iv, C('try 3+5=8 8*7=56 so (3+5)*7'))).toEqual({
      caught: false,
      fooled: false,
      recovered: true,
    });
    // a check with the wrong recomputed value that still says no is not a catch
    expect(interventionOutcome(P, iv, C('check 8+7=14 no so 3+5+7')).caught).toBe(false);
    // a written comparison between the check and its verdict: the same judgement
    expect(interventionOutcome(P, iv, C('check 8+7=15 15=56? no try 3+5=8 8*7=56 so (3+5)*7'))).toEqual({
      caught: true,
      fooled: false,
      recovered: true,
    });
    expect(interventionOutcome(P, iv, C('check 8+7=56 56=56? yes so 3+5+7'))).toMatchObject({
      caught: false,
      fooled: true,
    });
  });

  it('reads a verdict after a written comparison as after the check itself', () => {
    const plain = '3+5=8 8+7=56 check 8+7=15 no try 3+5=8 8+7=15 no try 3+5=8 8*7=56 check 8*7=56 yes so (3+5)*7';
    const compared =
      '3+5=8 8+7=56 check 8+7=15 15=56? no try 3+5=8 8+7=15 15=56? no try 3+5=8 8*7=56 check 8*7=56 56=56? yes so (3+5)*7';
    expect(verificationTally(P, C(compared))).toEqual(verificationTally(P, C(plain)));
  });
});
