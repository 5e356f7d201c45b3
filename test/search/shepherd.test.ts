import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/core/rng.ts';
import { ComputeLedger } from '../../src/cost/ledger.ts';
import { loadCheckpoint } from '../../src/model/checkpoint.ts';
import { transformerPolicy } from '../../src/model/policy.ts';
import { scoreSteps } from '../../src/search/scored-steps.ts';
import { hardLabel, labelQuality, shepherdLabels, softLabel } from '../../src/search/shepherd.ts';
import { encode, type Problem } from '../../src/world/index.ts';

const hits = fc.array(fc.constantFrom(0, 1), { minLength: 8, maxLength: 8 });

describe('Math-Shepherd labels', () => {
  it('hard = (soft > 0); the hard label never falls as N grows; soft is a fraction', () => {
    fc.assert(
      fc.property(hits, (h) => {
        let prev = 0;
        for (const n of [1, 2, 4, 8]) {
          expect(hardLabel(h, n)).toBe(softLabel(h, n) > 0 ? 1 : 0);
          expect(hardLabel(h, n)).toBeGreaterThanOrEqual(prev);
          prev = hardLabel(h, n);
          expect(softLabel(h, n) * n).toBe(h.slice(0, n).reduce((a: number, b) => a + b, 0));
        }
      }),
    );
  });

  it('roll out every step prefix N times, nested in N, charged token for token', async () => {
    const policy = transformerPolicy(loadCheckpoint('fixtures/aha-base').model);
    const p: Problem = { kind: 'add', prompt: '37+85', answer: '122', difficulty: 2, numbers: [37, 85] };
    const traces = [
      scoreSteps(p, encode('7+5=12 3+8+1=12 so 122</think><answer>122</answer><eos>')),
      scoreSteps(p, encode('7+5=13 3+8+1=13 so 132</think><answer>132</answer><eos>')),
    ];
    const book = new ComputeLedger();
    const opts = { n: 4, temperature: 1, maxNewTokens: 40, rng: new Rng(3) };
    const lab = await shepherdLabels(policy, traces, {
      ...opts,
      ledger: { book, phase: 'label', config: policy.model.config },
    });
    expect(lab.map((l) => l.hits.map((h) => h.length))).toEqual([
      [4, 4, 4],
      [4, 4, 4],
    ]);
    expect(lab[0]!.hits[2]).toEqual([1, 1, 1, 1]); // the answer step is the outcome check
    expect(lab[1]!.hits[2]).toEqual([0, 0, 0, 0]);
    expect(book.get('label').tokens).toBeGreaterThan(0);
    // Same streams, same labels; the first two of four rollouts are the N = 2 labels.
    const two = await shepherdLabels(policy, traces, { ...opts, n: 2 });
    expect(two.map((l) => l.hits.slice(0, 2))).toEqual(lab.map((l) => l.hits.slice(0, 2).map((h) => h.slice(0, 2))));
    for (const n of [1, 2, 4]) {
      const q = labelQuality(lab, n);
      expect(q.steps).toBe(4);
      expect(q.hard.tp + q.hard.fp + q.hard.fn + q.hard.tn).toBe(4);
      expect(q.hardAccuracy).toBe((q.hard.tp + q.hard.tn) / 4);
    }
  }, 30_000);
});
