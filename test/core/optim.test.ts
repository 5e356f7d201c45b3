import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { backward } from '../../src/core/autograd.ts';
import { AdamW, clipGradNorm, warmupCosine } from '../../src/core/optim.ts';
import * as o from '../../src/core/ops/index.ts';
import { tensor } from '../../src/core/tensor.ts';

describe('AdamW', () => {
  it('matches a hand transcription of torch.optim.AdamW for two steps', () => {
    const p = tensor([1, -2], [2], { dtype: 'float64', requiresGrad: true });
    const cfg = { lr: 0.1, beta1: 0.9, beta2: 0.99, eps: 1e-8, weightDecay: 0.5 };
    const opt = new AdamW([p], cfg);
    const ref = [1, -2],
      m = [0, 0],
      v = [0, 0];
    for (let t = 1; t <= 2; t++) {
      opt.zeroGrad();
      backward(o.sum(o.square(p))); // g = 2p
      opt.step(cfg.lr);
      for (let i = 0; i < 2; i++) {
        const g = 2 * ref[i]!;
        m[i] = 0.9 * m[i]! + 0.1 * g;
        v[i] = 0.99 * v[i]! + 0.01 * g * g;
        ref[i] =
          ref[i]! * (1 - 0.1 * 0.5) - (0.1 * (m[i]! / (1 - 0.9 ** t))) / (Math.sqrt(v[i]! / (1 - 0.99 ** t)) + 1e-8);
      }
    }
    const got = p.dataSync();
    expect(got[0]).toBeCloseTo(ref[0]!, 12);
    expect(got[1]).toBeCloseTo(ref[1]!, 12);
  });
  it('minimises a quadratic', () => {
    const p = tensor([3, -4], [2], { requiresGrad: true });
    const opt = new AdamW([p], { lr: 0.1, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0 });
    for (let i = 0; i < 300; i++) {
      opt.zeroGrad();
      backward(o.sum(o.square(o.addScalar(p, -1))));
      opt.step(0.1);
    }
    expect([...p.dataSync()].map((x) => Math.round(x * 100) / 100)).toEqual([1, 1]);
  });
});

describe('gradient clipping', () => {
  it('scales the global norm down to the limit and reports the norm before', async () => {
    const a = tensor([3], [1], { requiresGrad: true }),
      b = tensor([4], [1], { requiresGrad: true });
    a.grad = tensor([3], [1]);
    b.grad = tensor([4], [1]);
    expect(await clipGradNorm([a, b], 1)).toBeCloseTo(5, 6);
    expect(a.grad.dataSync()[0]).toBeCloseTo(0.6, 5);
    expect(b.grad!.dataSync()[0]).toBeCloseTo(0.8, 5);
  });
  it('leaves small gradients alone', async () => {
    const a = tensor([0], [1], { requiresGrad: true });
    a.grad = tensor([0.5], [1]);
    await clipGradNorm([a], 1);
    expect(a.grad.dataSync()[0]).toBe(0.5);
  });
});

describe('warmup + cosine schedule', () => {
  const s = { lr: 1, warmup: 10, total: 110, minRatio: 0.1 };
  it('rises linearly, peaks after warmup, ends at minRatio·lr', () => {
    expect(warmupCosine(s, 0)).toBeCloseTo(0.1);
    expect(warmupCosine(s, 9)).toBeCloseTo(1);
    expect(warmupCosine(s, 10)).toBeCloseTo(1);
    expect(warmupCosine(s, 60)).toBeCloseTo(0.55);
    expect(warmupCosine(s, 110)).toBeCloseTo(0.1);
    expect(warmupCosine(s, 500)).toBeCloseTo(0.1);
  });

  it('warmup-stable-decay holds the peak until decayFrom, then is the cosine of the rest of the run', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 100 }), fc.integer({ min: 0, max: 200 }), (decayFrom, step) => {
        const wsd = warmupCosine({ ...s, decayFrom }, step);
        const from = Math.max(s.warmup, decayFrom);
        if (step < s.warmup) expect(wsd).toBe(warmupCosine(s, step));
        else if (step <= from) expect(wsd).toBe(1);
        else {
          // The same cosine, squeezed into [from, total].
          const shrunk = warmupCosine({ lr: 1, warmup: 0, total: s.total - from, minRatio: 0.1 }, step - from);
          expect(wsd).toBeCloseTo(shrunk, 12);
          expect(wsd).toBeLessThanOrEqual(warmupCosine({ ...s, decayFrom }, step - 1));
        }
      }),
    );
    expect(warmupCosine({ ...s, decayFrom: 10 }, 60)).toBe(warmupCosine(s, 60));
  });
});
