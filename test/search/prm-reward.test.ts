import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  hackingOnset,
  minForm,
  prmReward,
  stepCredit,
  stepHabits,
  triviallyTrue,
} from '../../src/search/prm-reward.ts';
import { scoreSteps } from '../../src/search/scored-steps.ts';
import { encode, type Problem } from '../../src/world/index.ts';

const scores = fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 1, maxLength: 8 });

describe('PRM rewards for RL', () => {
  it('min-form credit lies between the min and the mean and tends to the min as T → 0', () => {
    fc.assert(
      fc.property(scores, (s) => {
        const lo = Math.min(...s),
          mean = s.reduce((a, b) => a + b, 0) / s.length;
        const m = minForm(s);
        expect(m).toBeGreaterThanOrEqual(lo - 1e-12);
        expect(m).toBeLessThanOrEqual(mean + 1e-12);
        expect(minForm(s, 1e-4)).toBeCloseTo(lo, 3);
      }),
    );
  });

  it('the sum form pays for every extra step the PRM likes; min-form does not', () => {
    fc.assert(
      fc.property(scores, fc.double({ min: 0.01, max: 1, noNaN: true }), (s, extra) => {
        const padded = [extra, ...s];
        expect(prmReward('sum', padded, 0)).toBeGreaterThan(prmReward('sum', s, 0));
        expect(prmReward('min', padded, 0)).toBeLessThanOrEqual(Math.max(prmReward('min', s, 0), extra) + 1e-12);
        expect(prmReward('mix', s, 1)).toBeCloseTo(prmReward('sum', s, 0) + 1, 12);
        expect(prmReward('outcome', s, 1.1)).toBe(1.1);
      }),
    );
  });

  it('counts steps per answer, repeated steps and true steps off the path', () => {
    const p: Problem = { kind: 'add', prompt: '49+70', answer: '119', difficulty: 2, numbers: [49, 70] };
    const t = scoreSteps(p, encode('9+0=9 9+0=9 2+2=4 so 119</think><answer>119</answer><eos>'));
    expect(stepHabits([t])).toEqual({
      stepsPerAnswer: 3,
      repeatedFrac: 1 / 3,
      offPathTrueFrac: 2 / 3,
      trivialFrac: 2 / 3,
    });
    expect(['0+0=0', '0+7+0=7', '9+0=9', '3+4=7', '0+0=1'].map((x, i) => triviallyTrue(x, i < 4))).toEqual([
      true,
      true,
      true,
      false,
      false,
    ]);
  });

  it('per-step credit: the sum form puts each step score on the token that ends the step; mix adds the outcome to the answer', () => {
    const p: Problem = { kind: 'add', prompt: '49+70', answer: '119', difficulty: 2, numbers: [49, 70] };
    const t = scoreSteps(p, encode('9+0=9 4+7=11 so 119</think><answer>119</answer><eos>'));
    const s = [0.9, 0.8, 0.7];
    expect(stepCredit('sum', t, s, 1)).toEqual({ pos: t.steps.map((x) => x.pos), r: s });
    expect(stepCredit('mix', t, s, 1)).toEqual({ pos: t.steps.map((x) => x.pos), r: [0.9, 0.8, 1.7] });
    expect(stepCredit('min', t, s, 1)).toBeNull();
    expect(stepCredit('outcome', t, s, 1)).toBeNull();
  });

  it('finds where PRM reward and held-out accuracy part ways', () => {
    const e = (step: number, accuracy: number, prm: number) => ({ step, accuracy, prm });
    expect(hackingOnset([e(0, 0.1, 1), e(5, 0.3, 1.2), e(10, 0.2, 1.5), e(15, 0.1, 2)])).toBe(10);
    expect(hackingOnset([e(0, 0.1, 1), e(5, 0.3, 1.2), e(10, 0.2, 1.0)])).toBeNull(); // both fell
    expect(hackingOnset([e(0, 0.1, 1), e(5, 0.3, 1.2), e(10, 0.4, 1.5)])).toBeNull();
  });
});
