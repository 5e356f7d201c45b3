import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Rng } from '../../src/core/rng.ts';
import { generateProblem } from '../../src/world/problems/index.ts';
import type { Problem } from '../../src/world/problems/index.ts';
import { workedSolution } from '../../src/world/solutions/worked.ts';
import { splitSteps } from '../../src/world/steps.ts';
import { countdownPairProblem } from '../../src/world/countdown/problems.ts';
import { applyMove, solvable } from '../../src/world/countdown/pairs.ts';
import { parseStepText } from '../../src/world/countdown/parse.ts';
import { searchCompletion, type Strategies } from '../../src/world/countdown/search-trace.ts';

const seed = fc.integer({ min: 0, max: 1_000_000 });
const strategiesArb: fc.Arbitrary<Strategies> = fc.record({
  backtrack: fc.boolean(),
  verify: fc.boolean(),
  subgoal: fc.boolean(),
  backward: fc.boolean(),
});
const arithKind = fc.constantFrom('add', 'sub', 'mul', 'expr') as fc.Arbitrary<Problem['kind']>;

/** The completion with the step at `i` given a different value (the value + 1). */
function corrupt(text: string, step: { start: number; end: number; text: string }): string {
  const [lhs, value] = step.text.split('=');
  return text.slice(0, step.start) + `${lhs}=${Number(value) + 1}` + text.slice(step.end);
}

describe('steps of a trace', () => {
  it('split column arithmetic into its worked steps, all right and on track', () => {
    const p: Problem = { kind: 'add', prompt: '37+45', answer: '82', difficulty: 2 };
    expect(splitSteps(p, workedSolution(p)).map((s) => [s.text, s.right, s.onTrack])).toEqual([
      ['7+5=12', true, true],
      ['3+4+1=8', true, true],
    ]);
    fc.assert(
      fc.property(seed, arithKind, fc.integer({ min: 1, max: 3 }), (s, kind, d) => {
        const p = generateProblem(kind, new Rng(s), kind === 'expr' ? Math.min(d, 2) : d);
        const steps = splitSteps(p, workedSolution(p));
        expect(steps.length).toBeGreaterThan(0);
        for (const st of steps) expect([st.right, st.onTrack]).toEqual([true, true]);
      }),
      { numRuns: 200 },
    );
  });

  it('catch a corrupted arithmetic step: wrong, and off track from there on', () => {
    fc.assert(
      fc.property(seed, arithKind, fc.nat(), (s, kind, pick) => {
        const p = generateProblem(kind, new Rng(s), 2);
        const c = workedSolution(p);
        const steps = splitSteps(p, c);
        const i = pick % steps.length;
        const bad = splitSteps(p, corrupt(c, steps[i]!));
        expect(bad[i]!.right).toBe(false);
        bad.forEach((st, j) => expect(st.onTrack).toBe(j < i));
      }),
      { numRuns: 200 },
    );
  });

  it('label every step of a generated Countdown search right, with on-track equal to exhaustive search', () => {
    fc.assert(
      fc.property(seed, fc.integer({ min: 2, max: 4 }), strategiesArb, fc.boolean(), (s, n, st, pathCheck) => {
        const p = countdownPairProblem(new Rng(s).child('p'), n);
        const c = searchCompletion(p, st, new Rng(s).child('t'), { slipFrac: 0, pathCheck });
        const steps = splitSteps(p, c);
        for (const x of steps) expect(x.right).toBe(true);
        // every step's offsets point at its text; a path check is a step per recomputed step
        for (const x of steps) expect(c.slice(x.start, x.end)).toBe(x.text);
        if (pathCheck && st.verify)
          expect(steps.filter((x) => x.role === 'check').length).toBe(
            steps.filter((x) => x.role === 'step' && x.start > c.lastIndexOf('try')).length,
          );
        // replay the forward steps: on track iff the target is made or still reachable from the state
        let state = p.numbers!.slice();
        let prevEnd = 0;
        for (const x of steps.filter((y) => y.role === 'step')) {
          const between = c.slice(prevEnd, x.start).split(' ');
          if (between.includes('try') || between.includes('no')) state = p.numbers!.slice();
          prevEnd = x.end;
          const m = parseStepText(x.text)!;
          state = applyMove(state, m);
          expect(x.onTrack).toBe(m.value === p.target || solvable(state, p.target!));
        }
      }),
      { numRuns: 200 },
    );
  });

  it('catch a corrupted Countdown step', () => {
    fc.assert(
      fc.property(seed, fc.integer({ min: 3, max: 4 }), strategiesArb, fc.nat(), fc.boolean(), (s, n, st, pick, pc) => {
        const p = countdownPairProblem(new Rng(s).child('p'), n);
        const c = searchCompletion(p, st, new Rng(s).child('t'), { slipFrac: 0, pathCheck: pc });
        const steps = splitSteps(p, c);
        const i = pick % steps.length;
        const bad = splitSteps(p, corrupt(c, steps[i]!));
        expect(bad[i]!.text).not.toBe(steps[i]!.text);
        expect(bad[i]!.right).toBe(false);
        if (bad[i]!.role === 'step') expect(bad[i]!.onTrack).toBe(false);
      }),
      { numRuns: 300 },
    );
  });

  it('read the old chain traces of the worked Countdown solutions too', () => {
    const p: Problem = {
      kind: 'countdown',
      prompt: '3 5 7 to 56',
      answer: '(3+5)*7',
      difficulty: 3,
      numbers: [3, 5, 7],
      target: 56,
    };
    expect(splitSteps(p, workedSolution(p)).map((s) => [s.text, s.right, s.onTrack])).toEqual([
      ['3+5=8', true, true],
      ['8+7=15', true, false],
      ['3+5=8', true, true],
      ['8-7=1', true, false],
      ['3+5=8', true, true],
      ['8*7=56', true, true],
    ]);
  });
});
