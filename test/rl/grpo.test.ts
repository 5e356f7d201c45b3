// The GRPO loss (DeepSeekMath eq. 3) and its variants against a direct transcription of the formula.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { backward, detach } from '../../src/core/autograd.ts';
import { tokenLogProbs } from '../../src/core/ops/index.ts';
import { Rng } from '../../src/core/rng.ts';
import { intTensor, tensor, type Tensor } from '../../src/core/tensor.ts';
import { clipStats, grpoLoss, tokenWeights, type LossAggregation } from '../../src/rl/grpo.ts';
import { reinforceLoss } from '../../src/rl/reinforce.ts';
import { gradcheck, randT } from '../helpers/gradcheck.ts';

interface Seq {
  logp: number[];
  old: number[];
  ref: number[];
  A: number;
  included: boolean;
  offset: number;
}

/**
 * J = (1/G) Σ_i (1/|o_i|) Σ_t { min(ρ Â_i, clip(ρ, 1−ε, 1+ε_h) Â_i) − β·(π_ref/π − log(π_ref/π) − 1) }, and the
 * token-level (÷ Σ|o_i|) and constant (÷ G·L) normalisers in place of the two means; loss = −J.
 * Written on ragged per-answer arrays, independent of the mask/weight machinery under test.
 */
function transcription(
  seqs: Seq[],
  agg: LossAggregation,
  eps: number,
  epsH: number,
  beta: number,
  maxLen: number,
): number {
  const used = seqs.filter((s) => s.included);
  const G = used.length;
  const tokens = used.reduce((n, s) => n + s.logp.length, 0);
  let J = 0;
  for (const s of used) {
    let inner = 0;
    for (let t = 0; t < s.logp.length; t++) {
      const rho = Math.exp(s.logp[t]! - s.old[t]!);
      const clipped = Math.min(Math.max(rho, 1 - eps), 1 + epsH);
      const piRefOverPi = Math.exp(s.ref[t]! - s.logp[t]!);
      inner += Math.min(rho * s.A, clipped * s.A) - beta * (piRefOverPi - Math.log(piRefOverPi) - 1);
    }
    J += agg === 'sequence' ? inner / s.logp.length : inner;
  }
  return -(agg === 'sequence' ? J / G : agg === 'token' ? J / tokens : J / (G * maxLen));
}

function randomCase(seed: number): { seqs: Seq[]; T: number } {
  const rng = new Rng(seed).child('grpo-case');
  const n = rng.int(1, 6);
  const seqs: Seq[] = Array.from({ length: n }, () => {
    const len = rng.int(1, 6);
    const logp = Array.from({ length: len }, () => -0.05 - 3 * rng.next());
    return {
      logp,
      old: logp.map((l) => l + (rng.next() - 0.5)), // ratios from e^-0.5 to e^0.5: both clip sides bind
      ref: logp.map((l) => l + 2 * (rng.next() - 0.5)),
      A: 4 * (rng.next() - 0.5),
      included: rng.next() < 0.8,
      offset: rng.int(0, 3),
    };
  });
  seqs[0]!.included = true;
  const T = Math.max(...seqs.map((s) => s.offset + s.logp.length)) + rng.int(0, 2);
  return { seqs, T };
}

/** The packed [N, T] tensors the implementation takes (each answer at its offset, zeros elsewhere). */
function pack(seqs: Seq[], T: number, agg: LossAggregation, maxLen: number) {
  const N = seqs.length;
  const grid = (f: (s: Seq) => number[]) => {
    const out = new Float64Array(N * T);
    seqs.forEach((s, i) => f(s).forEach((v, t) => (out[i * T + s.offset + t] = v)));
    return out;
  };
  const mask = Float32Array.from(grid((s) => s.logp.map(() => 1)));
  const w = tokenWeights(
    mask,
    seqs.map((s) => s.logp.length),
    T,
    agg,
    { maxLen, include: seqs.map((s) => s.included) },
  );
  const f64 = (d: ArrayLike<number>, grad = false) => tensor(d, [N, T], { dtype: 'float64', requiresGrad: grad });
  return {
    logp: f64(
      grid((s) => s.logp),
      true,
    ),
    oldLogp: f64(grid((s) => s.old)),
    refLogp: f64(grid((s) => s.ref)),
    advantages: f64(grid((s) => s.logp.map(() => s.A))),
    weights: f64(w),
    w,
  };
}

const caseArb = fc.record({
  seed: fc.integer({ min: 0, max: 1_000_000 }),
  agg: fc.constantFrom<LossAggregation>('sequence', 'token', 'constant'),
  epsH: fc.constantFrom(0.2, 0.28),
  beta: fc.constantFrom(0, 0.04, 0.5),
});

describe('GRPO loss', () => {
  it('equals the transcribed formula for every aggregation, clip and KL coefficient', () => {
    fc.assert(
      fc.property(caseArb, ({ seed, agg, epsH, beta }) => {
        const { seqs, T } = randomCase(seed);
        const inp = pack(seqs, T, agg, T + 3);
        const { loss } = grpoLoss(inp, { clipEps: 0.2, clipEpsHigh: epsH, klCoef: beta });
        expect(loss.dataSync()[0]).toBeCloseTo(transcription(seqs, agg, 0.2, epsH, beta, T + 3), 10);
      }),
      { numRuns: 150 },
    );
  });

  it('has the gradient of the transcribed formula (central differences) with respect to log π_θ', () => {
    fc.assert(
      fc.property(caseArb, ({ seed, agg, epsH, beta }) => {
        const { seqs, T } = randomCase(seed);
        const inp = pack(seqs, T, agg, T + 3);
        backward(grpoLoss(inp, { clipEps: 0.2, clipEpsHigh: epsH, klCoef: beta }).loss);
        const g = inp.logp.grad!.dataSync();
        const h = 1e-6;
        seqs.forEach((s, i) => {
          for (let t = 0; t < T; t++) {
            const k = t - s.offset;
            if (k < 0 || k >= s.logp.length) {
              expect(Math.abs(g[i * T + t]!)).toBe(0);
              continue;
            }
            const at = (v: number) =>
              transcription(
                seqs.map((x) => (x === s ? { ...x, logp: x.logp.map((l, j) => (j === k ? v : l)) } : x)),
                agg,
                0.2,
                epsH,
                beta,
                T + 3,
              );
            const numeric = (at(s.logp[k]! + h) - at(s.logp[k]! - h)) / (2 * h);
            expect(Math.abs(g[i * T + t]! - numeric)).toBeLessThan(1e-6 * Math.max(1, Math.abs(numeric)));
          }
        });
      }),
      { numRuns: 60 },
    );
  });

  it('passes no gradient through a token whose clip binds', () => {
    fc.assert(
      fc.property(caseArb, ({ seed, agg, epsH }) => {
        const { seqs, T } = randomCase(seed);
        const inp = pack(seqs, T, agg, T);
        const { loss, ratio } = grpoLoss(inp, { clipEps: 0.2, clipEpsHigh: epsH, klCoef: 0 });
        backward(loss);
        const g = inp.logp.grad!.dataSync(),
          r = ratio.dataSync(),
          a = inp.advantages.dataSync();
        for (let k = 0; k < g.length; k++) {
          if ((a[k]! > 0 && r[k]! > 1 + epsH) || (a[k]! < 0 && r[k]! < 0.8)) expect(Math.abs(g[k]!)).toBe(0);
        }
      }),
      { numRuns: 60 },
    );
  });

  it('gives ratio 1 and clip fraction 0 on the first pass (μ = 1: π_old is π_θ)', () => {
    fc.assert(
      fc.property(caseArb, ({ seed, agg, epsH, beta }) => {
        const { seqs, T } = randomCase(seed);
        const inp = pack(seqs, T, agg, T);
        const { loss, ratio } = grpoLoss(
          { ...inp, oldLogp: detach(inp.logp) },
          { clipEps: 0.2, clipEpsHigh: epsH, klCoef: beta },
        );
        expect([...ratio.dataSync()].every((x) => x === 1)).toBe(true);
        expect(clipStats(ratio.dataSync(), inp.advantages.dataSync(), inp.w, 0.2, epsH).clipFrac).toBe(0);
        const onPolicy = seqs.map((s) => ({ ...s, old: s.logp }));
        expect(loss.dataSync()[0]).toBeCloseTo(transcription(onPolicy, agg, 0.2, epsH, beta, T), 10);
      }),
      { numRuns: 60 },
    );
  });

  it("has REINFORCE's gradient on the first pass when β = 0", () => {
    fc.assert(
      fc.property(caseArb, ({ seed, agg }) => {
        const { seqs, T } = randomCase(seed);
        const a = pack(seqs, T, agg, T),
          b = pack(seqs, T, agg, T);
        backward(grpoLoss({ ...a, oldLogp: detach(a.logp) }, { clipEps: 0.2, klCoef: 0 }).loss);
        backward(reinforceLoss(b));
        const ga = a.logp.grad!.dataSync(),
          gb = b.logp.grad!.dataSync();
        ga.forEach((v, k) => expect(v).toBeCloseTo(gb[k]!, 12));
      }),
      { numRuns: 40 },
    );
  });

  it('differentiates through the log-softmax of the logits (gradient check)', () => {
    const rng = new Rng(11);
    const logits = randT(rng.child('z'), [2, 3, 5], 2);
    const targets = intTensor([1, 4, 0, 2, 2, 3], [2, 3]);
    const f64 = (d: number[]) => tensor(d, [2, 3], { dtype: 'float64' });
    const old = f64([-1.5, -2, -1, -1.7, -1.2, -2.5]),
      ref = f64([-1.4, -1.9, -1.3, -2, -1.6, -1.8]);
    const adv = f64([0.7, 0.7, 0.7, -1.2, -1.2, -1.2]),
      w = f64([0.25, 0.25, 0, 1 / 6, 1 / 6, 1 / 6]);
    const f = (z: Tensor) =>
      grpoLoss(
        { logp: tokenLogProbs(z, targets), oldLogp: old, refLogp: ref, advantages: adv, weights: w },
        { clipEps: 0.2, klCoef: 0.3 },
      ).loss;
    expect(gradcheck(f, [logits])).toBeLessThan(1e-6);
  });
});

describe('token weights (the aggregation of each variant)', () => {
  const lengthsArb = fc.array(fc.integer({ min: 1, max: 9 }), { minLength: 1, maxLength: 8 });
  const maskOf = (lengths: number[], T: number) => {
    const m = new Float32Array(lengths.length * T);
    lengths.forEach((L, i) => m.fill(1, i * T + 1, i * T + 1 + L));
    return m;
  };
  const total = (w: Float64Array) => w.reduce((s, x) => s + x, 0);

  it('sum to 1 for the per-answer mean (GRPO) and the token mean (DAPO)', () => {
    fc.assert(
      fc.property(lengthsArb, (lengths) => {
        const T = 10,
          m = maskOf(lengths, T);
        expect(total(tokenWeights(m, lengths, T, 'sequence', { maxLen: T }))).toBeCloseTo(1, 5);
        expect(total(tokenWeights(m, lengths, T, 'token', { maxLen: T }))).toBeCloseTo(1, 5);
      }),
    );
  });

  it('are one constant 1/(N·L_max) for Dr. GRPO, whatever the lengths', () => {
    fc.assert(
      fc.property(lengthsArb, (lengths) => {
        const T = 10,
          w = tokenWeights(maskOf(lengths, T), lengths, T, 'constant', { maxLen: 50 });
        for (const x of w) if (x !== 0) expect(x).toBeCloseTo(1 / (lengths.length * 50), 9);
      }),
    );
  });

  it('make GRPO weigh each token of a long answer less than a short one (the length bias), Dr. GRPO not', () => {
    const lengths = [2, 8],
      T = 10,
      m = maskOf(lengths, T);
    const seq = tokenWeights(m, lengths, T, 'sequence', { maxLen: T });
    expect(seq[0 * T + 1]! / seq[1 * T + 1]!).toBeCloseTo(4, 5);
    const con = tokenWeights(m, lengths, T, 'constant', { maxLen: T });
    expect(con[0 * T + 1]).toBe(con[1 * T + 1]);
  });

  it('leave excluded answers out of the loss and out of the count', () => {
    const lengths = [3, 3, 3],
      T = 10,
      m = maskOf(lengths, T);
    const w = tokenWeights(m, lengths, T, 'sequence', { maxLen: T, include: [true, false, true] });
    expect(total(w.subarray(T, 2 * T))).toBe(0);
    expect(total(w)).toBeCloseTo(1, 6);
    expect(total(tokenWeights(m, lengths, T, 'token', { maxLen: T, include: [false, false, false] }))).toBe(0);
  });
});

describe('clip statistics', () => {
  it('count only the binding side of the clip, over weighted tokens', () => {
    const ratio = [1.3, 1.3, 0.7, 0.7, 1.0, 2.0];
    const adv = [1, -1, -1, 1, 1, 1];
    const w = [1, 1, 1, 1, 1, 0];
    const s = clipStats(ratio, adv, w, 0.2, 0.28);
    expect(s.clipHighFrac).toBeCloseTo(1 / 5, 12);
    expect(s.clipLowFrac).toBeCloseTo(1 / 5, 12);
    expect(s.clipFrac).toBeCloseTo(2 / 5, 12);
    expect(s.tokens).toBe(5);
  });
});
