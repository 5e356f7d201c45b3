// The evaluation module: the unbiased pass@k estimator equals the brute-force average over every k-subset of
// the n samples, is monotone in k, and evaluate() reports it consistently with greedy and pass@1.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/core/rng.ts';
import { transformerPolicy } from '../../src/model/policy.ts';
import { Transformer } from '../../src/model/transformer.ts';
import { evaluate, passAtK } from '../../src/train/eval.ts';
import { heldOutSet } from '../../src/world/index.ts';
import { TINY } from '../rl/setups.ts';

/** Mean over all C(n, k) subsets of the outcomes of "some sample in the subset is right". */
function bruteForce(outcomes: boolean[], k: number): number {
  let hit = 0,
    total = 0;
  const walk = (from: number, left: number, any: boolean) => {
    if (left === 0) {
      total++;
      if (any) hit++;
      return;
    }
    for (let i = from; i <= outcomes.length - left; i++) walk(i + 1, left - 1, any || outcomes[i]!);
  };
  walk(0, k, false);
  return hit / total;
}

describe('pass@k (Chen et al. 2021)', () => {
  const caseArb = fc
    .array(fc.boolean(), { minLength: 1, maxLength: 12 })
    .chain((o) => fc.tuple(fc.constant(o), fc.integer({ min: 1, max: o.length })));

  it('equals the brute-force mean over all k-subsets of the samples', () => {
    fc.assert(
      fc.property(caseArb, ([outcomes, k]) => {
        const c = outcomes.filter(Boolean).length;
        expect(passAtK(outcomes.length, c, k)).toBeCloseTo(bruteForce(outcomes, k), 12);
      }),
    );
  });

  it('never falls as k grows, is c/n at k = 1 and 1 whenever any sample is right at k = n', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 64 }).chain((n) => fc.tuple(fc.constant(n), fc.integer({ min: 0, max: n }))),
        ([n, c]) => {
          for (let k = 1; k < n; k++) expect(passAtK(n, c, k + 1)).toBeGreaterThanOrEqual(passAtK(n, c, k) - 1e-15);
          expect(passAtK(n, c, 1)).toBeCloseTo(c / n, 12);
          expect(passAtK(n, c, n)).toBe(c > 0 ? 1 : 0);
        },
      ),
    );
  });

  it('rejects impossible counts', () => {
    expect(() => passAtK(4, 5, 1)).toThrow(RangeError);
    expect(() => passAtK(4, 1, 5)).toThrow(RangeError);
  });
});

describe('evaluate', () => {
  it('reports pass@1 as the sampled accuracy, pass@k ≥ pass@1, and greedy from the argmax decode', async () => {
    const model = Transformer.init({ ...TINY, initStd: 0.5 }, new Rng(4).child('init'));
    const problems = heldOutSet('add', 1, 6);
    const r = await evaluate(transformerPolicy(model), problems, {
      samples: 8,
      passAtK: [1, 4, 8],
      temperature: 1,
      maxNewTokens: 6,
      rng: new Rng(1),
    });
    expect(r.passAtK[1]).toBeCloseTo(r.pass1, 12);
    expect(r.passAtK[4]!).toBeGreaterThanOrEqual(r.passAtK[1]! - 1e-12);
    expect(r.passAtK[8]!).toBeGreaterThanOrEqual(r.passAtK[4]! - 1e-12);
    expect(r.sampledRollouts).toHaveLength(48);
    expect(r.greedyAccuracy).toBe(r.greedyRollouts.filter((x) => x.reward.accuracy === 1).length / 6);
    await expect(
      evaluate(transformerPolicy(model), problems, {
        samples: 2,
        passAtK: [4],
        temperature: 1,
        maxNewTokens: 6,
        rng: new Rng(1),
      }),
    ).rejects.toThrow(/pass@4/);
  });
});
