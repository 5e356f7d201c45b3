// The k3 KL estimator of GRPO (DeepSeekMath eq. 4): non-negative, zero at equality, unbiased.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { backward } from '../../src/core/autograd.ts';
import { sum } from '../../src/core/ops/index.ts';
import { Rng } from '../../src/core/rng.ts';
import { tensor } from '../../src/core/tensor.ts';
import { k1Value, k3, k3Value } from '../../src/rl/kl.ts';

const logp = fc.double({ min: -20, max: 0, noNaN: true });

describe('k3 = π_ref/π − log(π_ref/π) − 1', () => {
  it('is ≥ 0 for any pair of log-probabilities', () => {
    fc.assert(
      fc.property(logp, logp, (a, b) => {
        expect(k3Value(a, b)).toBeGreaterThanOrEqual(0);
      }),
    );
  });

  it('is exactly 0 when the policy equals the reference', () => {
    fc.assert(
      fc.property(logp, (a) => {
        expect(k3Value(a, a)).toBe(0);
      }),
    );
    const t = tensor([-0.1, -2, -7.5], [1, 3]);
    expect([...k3(t, t).dataSync()]).toEqual([0, 0, 0]);
  });

  it('as a tensor op matches the host formula, and its gradient is 1 − π_ref/π', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(logp, logp), { minLength: 1, maxLength: 12 }), (pairs) => {
        const lp = tensor(
          pairs.map((p) => p[0]),
          [pairs.length],
          { dtype: 'float64', requiresGrad: true },
        );
        const ref = tensor(
          pairs.map((p) => p[1]),
          [pairs.length],
          { dtype: 'float64' },
        );
        const out = k3(lp, ref);
        const got = out.dataSync();
        pairs.forEach(([a, b], i) => expect(got[i]).toBeCloseTo(Math.exp(b - a) - (b - a) - 1, 6));
        backward(sum(out));
        const g = lp.grad!.dataSync();
        pairs.forEach(([a, b], i) =>
          expect(g[i]! / Math.max(1, Math.exp(b - a))).toBeCloseTo(
            (1 - Math.exp(b - a)) / Math.max(1, Math.exp(b - a)),
            9,
          ),
        );
      }),
    );
  });

  it('averaged over tokens sampled from π, estimates KL(π‖π_ref) without bias (k1 too; k3 with less variance)', () => {
    const pi = [0.5, 0.3, 0.15, 0.05],
      ref = [0.25, 0.25, 0.25, 0.25];
    const kl = pi.reduce((s, p, i) => s + p * Math.log(p / ref[i]!), 0);
    const rng = new Rng(3).child('kl');
    const n = 40000;
    let s3 = 0,
      s1 = 0,
      q3 = 0,
      q1 = 0;
    for (let k = 0; k < n; k++) {
      const i = rng.weighted(pi);
      const v3 = k3Value(Math.log(pi[i]!), Math.log(ref[i]!)),
        v1 = k1Value(Math.log(pi[i]!), Math.log(ref[i]!));
      s3 += v3;
      s1 += v1;
      q3 += v3 * v3;
      q1 += v1 * v1;
    }
    expect(Math.abs(s3 / n - kl)).toBeLessThan(0.01);
    expect(Math.abs(s1 / n - kl)).toBeLessThan(0.01);
    expect(q3 / n - (s3 / n) ** 2).toBeLessThan(q1 / n - (s1 / n) ** 2);
  });
});
