// The compute ledger (cost/ledger.ts): phases add up to the total, generation is prefill plus decoding, and an
// RL step's rollout is the same generation count.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ComputeLedger,
  forwardFlopsPerToken,
  generationFlops,
  trainingFlops,
  forwardFlops,
} from '../../src/cost/ledger.ts';
import { rlStepCost } from '../../src/cost/rl-step.ts';
import { defaultConfig } from '../../src/model/config.ts';

describe('compute ledger', () => {
  it('phases add up to the total, whatever the order of charges', () => {
    const charge = fc.record({
      phase: fc.constantFrom('sample', 'train', 'score'),
      flops: fc.nat(1e9),
      tokens: fc.nat(1000),
    });
    fc.assert(
      fc.property(fc.array(charge, { maxLength: 20 }), (charges) => {
        const ledger = new ComputeLedger();
        for (const c of charges) ledger.charge(c.phase, c.flops, c.tokens);
        const parts = Object.values(ledger.toJSON());
        const total = ledger.total();
        expect(parts.reduce((a, s) => a + s.flops, 0)).toBe(total.flops);
        expect(parts.reduce((a, s) => a + s.tokens, 0)).toBe(total.tokens);
        expect(total.flops).toBe(charges.reduce((a, c) => a + c.flops, 0));
      }),
    );
  });

  it('absorbs another ledger under a prefix and keeps the sum', () => {
    const teacher = new ComputeLedger().charge('pretrain', 10).charge('rl', 5, 7);
    const student = new ComputeLedger().charge('sft', 3).absorb(teacher, 'teacher/');
    expect(student.toJSON()).toEqual({
      sft: { flops: 3, tokens: 0 },
      'teacher/pretrain': { flops: 10, tokens: 0 },
      'teacher/rl': { flops: 5, tokens: 7 },
    });
    expect(student.total()).toEqual({ flops: 18, tokens: 7 });
  });

  it('refuses a negative or NaN charge', () => {
    expect(() => new ComputeLedger().charge('x', -1)).toThrow(/x charged/);
    expect(() => new ComputeLedger().charge('x', NaN)).toThrow(RangeError);
  });

  it('generation is prefill plus one token at a time; training is three forwards', () => {
    const c = defaultConfig;
    expect(generationFlops(c, 10, 0)).toBe(10 * forwardFlopsPerToken(c, 10));
    expect(generationFlops(c, 10, 6)).toBe(10 * forwardFlopsPerToken(c, 10) + 6 * forwardFlopsPerToken(c, 13));
    expect(trainingFlops(c, 50, 20)).toBe(3 * forwardFlops(c, 50, 20));
    const ledger = new ComputeLedger().chargeGeneration('sample', c, [10, 12], [6, 0]);
    expect(ledger.get('sample')).toEqual({ flops: generationFlops(c, 10, 6) + generationFlops(c, 12, 0), tokens: 6 });
  });

  it("an RL step's rollout is the same generation count", () => {
    const s = { sequences: 8, promptLen: 16, completionLen: 40, mu: 1, reference: false };
    expect(rlStepCost(defaultConfig, 'grpo', s).rolloutFlops).toBe(8 * generationFlops(defaultConfig, 16, 40));
  });
});
