// PPO's critic machinery (GAE, whitening, value loss) and the step-cost accounting of GRPO vs PPO.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { backward } from '../../src/core/autograd.ts';
import { Rng } from '../../src/core/rng.ts';
import { tensor } from '../../src/core/tensor.ts';
import { defaultConfig, parameterCount } from '../../src/model/config.ts';
import { Transformer } from '../../src/model/transformer.ts';
import { packBatch } from '../../src/rl/batch.ts';
import { gae, valueLoss, ValueModel, whiten } from '../../src/rl/ppo.ts';

const batch = packBatch(
  [
    { prompt: [1, 2, 3], completion: [4, 5, 6] },
    { prompt: [1], completion: [7, 8] },
  ],
  0,
);

describe('generalised advantage estimation', () => {
  it('with γ = λ = 1, zero values and no KL, gives every token the outcome reward (reward-to-go)', () => {
    const z = new Float64Array(4);
    const g = gae(-0.5, z, z, z, { gamma: 1, lambda: 1, klCoef: 0 });
    expect([...g.advantages]).toEqual([-0.5, -0.5, -0.5, -0.5]);
    expect([...g.tokenRewards]).toEqual([0, 0, 0, -0.5]);
  });

  it('with λ = 0 is the one-step TD error r_t + γV(s_{t+1}) − V(s_t), and returns are Â + V', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 500 }), fc.integer({ min: 1, max: 7 }), (seed, L) => {
        const rng = new Rng(seed);
        const values = Float64Array.from({ length: L }, () => rng.normal());
        const lp = Float64Array.from({ length: L }, () => -rng.next()),
          ref = Float64Array.from({ length: L }, () => -rng.next());
        const R = rng.normal();
        const g = gae(R, values, lp, ref, { gamma: 0.9, lambda: 0, klCoef: 0.1 });
        for (let t = 0; t < L; t++) {
          const r = -0.1 * (lp[t]! - ref[t]!) + (t === L - 1 ? R : 0);
          const next = t === L - 1 ? 0 : values[t + 1]!;
          expect(g.advantages[t]).toBeCloseTo(r + 0.9 * next - values[t]!, 12);
          expect(g.returns[t]).toBeCloseTo(g.advantages[t]! + values[t]!, 12);
        }
      }),
    );
  });

  it('with λ = 1 sums the TD errors: Â_t = Σ_{l≥t} γ^(l−t) r_l − V(s_t)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 500 }), fc.integer({ min: 1, max: 7 }), (seed, L) => {
        const rng = new Rng(seed);
        const values = Float64Array.from({ length: L }, () => rng.normal());
        const zero = new Float64Array(L);
        const g = gae(1.5, values, zero, zero, { gamma: 0.8, lambda: 1, klCoef: 0 });
        for (let t = 0; t < L; t++) expect(g.advantages[t]).toBeCloseTo(0.8 ** (L - 1 - t) * 1.5 - values[t]!, 12);
      }),
    );
  });
});

describe('advantage whitening', () => {
  it('gives mean 0 and std 1 over every token of every answer', () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(fc.double({ min: -5, max: 5, noNaN: true }), { minLength: 1, maxLength: 5 }), {
          minLength: 1,
          maxLength: 4,
        }),
        (rows) => {
          const all = rows.flat();
          const mean = all.reduce((a, b) => a + b, 0) / all.length;
          if (Math.sqrt(all.reduce((a, b) => a + (b - mean) ** 2, 0) / all.length) < 1e-2) return;
          const w = whiten(rows).flatMap((r) => [...r]);
          expect(w.reduce((a, b) => a + b, 0) / w.length).toBeCloseTo(0, 9);
          // ε = 1e-8 in the denominator leaves a relative error of at most ε/std ≤ 1e-6 here.
          expect(Math.sqrt(w.reduce((a, b) => a + b * b, 0) / w.length)).toBeCloseTo(1, 5);
        },
      ),
    );
  });
});

describe('the critic', () => {
  it('starts at V = 0 everywhere and its loss ½Σw(V − R)² pulls the head toward the returns', () => {
    const critic = new ValueModel(
      Transformer.init(
        { ...defaultConfig, dModel: 16, nHeads: 2, nKvHeads: 2, dFF: 32, nLayers: 1, maxSeqLen: 16 },
        new Rng(1),
      ),
    );
    const v = critic.valuesOf(batch);
    expect([...v.dataSync()].every((x) => x === 0)).toBe(true);
    const returns = Float64Array.from(batch.mask, (m) => m * 2);
    const w = tensor(
      Float64Array.from(batch.mask, (m) => m / 5),
      [batch.rows, batch.T],
    );
    const loss = valueLoss(v, returns, w);
    expect(loss.dataSync()[0]).toBeCloseTo(0.5 * 4, 6); // mean (0 − 2)² over the 5 tokens, halved
    backward(loss);
    expect(critic.head.grad).not.toBeNull();
    expect(Math.max(...[...critic.head.grad!.dataSync()].map(Math.abs))).toBeGreaterThan(0);
  });
});
