// The DeepSeekMoE gate: weights, the balancing bias, group-limited routing, against a plain host reference.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { noGrad } from '../../src/core/autograd.ts';
import { Rng } from '../../src/core/rng.ts';
import { intTensor, randn, tensor, type Tensor } from '../../src/core/tensor.ts';
import { defaultMoe, type MoeConfig } from '../../src/model/config.ts';
import { expertCounts, route, scatterRows } from '../../src/model/gate.ts';
import { gradcheck } from '../helpers/gradcheck.ts';
import { proj } from './util.ts';

const gateArb = fc.record({
  groups: fc.integer({ min: 1, max: 4 }),
  perGroup: fc.integer({ min: 1, max: 4 }),
  keptFrac: fc.double({ min: 0, max: 1, noNaN: true }),
  kFrac: fc.double({ min: 0, max: 1, noNaN: true }),
  routeScale: fc.double({ min: 0.5, max: 16, noNaN: true }),
  scoreFunc: fc.constantFrom<MoeConfig['scoreFunc']>('sigmoid', 'softmax'),
  biasStd: fc.constantFrom(0, 0.05, 1),
  N: fc.integer({ min: 1, max: 6 }),
  seed: fc.integer({ min: 0, max: 1e6 }),
});
type GateArgs = typeof gateArb extends fc.Arbitrary<infer R> ? R : never;

function setup(a: GateArgs) {
  const E = a.groups * a.perGroup;
  const topkGroups = 1 + Math.floor(a.keptFrac * (a.groups - 1));
  const K = 1 + Math.floor(a.kFrac * (topkGroups * a.perGroup - 1));
  const moe: MoeConfig = {
    ...defaultMoe,
    nRoutedExperts: E,
    nGroups: a.groups,
    topkGroups,
    nActivatedExperts: K,
    routeScale: a.routeScale,
    scoreFunc: a.scoreFunc,
    normTopkProb: a.scoreFunc === 'sigmoid',
  };
  const rng = new Rng(a.seed),
    d = 5;
  const x = randn([a.N, d], rng.child('x'), 1, { dtype: 'float64' });
  const w = randn([E, d], rng.child('w'), 1, { dtype: 'float64' });
  const bias = randn([E], rng.child('b'), a.biasStd, { dtype: 'float64' });
  return { moe, x, w, bias, E, K };
}

const rowsOf = (t: Tensor): number[][] => {
  const n = t.dim(-1),
    d = Array.from(t.dataSync());
  return Array.from({ length: t.size / n }, (_, r) => d.slice(r * n, (r + 1) * n));
};

/** Top-k indices of a row, descending, ties to the lower index. */
const topIdx = (row: number[], k: number): number[] =>
  row
    .map((_, i) => i)
    .sort((a, b) => row[b]! - row[a]! || a - b)
    .slice(0, k);

/** The gate on the host, as the formulas say. */
function reference(
  scores: number[][],
  bias: number[],
  moe: MoeConfig,
): { idx: number[][]; w: number[][]; kept: number[][] } {
  const per = moe.nRoutedExperts / moe.nGroups;
  const out = { idx: [] as number[][], w: [] as number[][], kept: [] as number[][] };
  for (const s of scores) {
    const choice = s.map((v, i) => v + bias[i]!);
    const groupScore = Array.from({ length: moe.nGroups }, (_, g) => {
      const members = choice.slice(g * per, (g + 1) * per).sort((a, b) => b - a);
      return moe.scoreFunc === 'sigmoid' ? members.slice(0, 2).reduce((a, b) => a + b, 0) : members[0]!;
    });
    const kept = moe.nGroups > 1 ? topIdx(groupScore, moe.topkGroups) : [0];
    const eligible = choice.map((v, i) => (kept.includes(Math.floor(i / per)) ? v : -Infinity));
    const idx = topIdx(eligible, moe.nActivatedExperts);
    const chosen = idx.map((i) => s[i]!);
    const total = chosen.reduce((a, b) => a + b, 0);
    out.idx.push(idx);
    out.w.push(chosen.map((v) => (moe.normTopkProb ? v / total : v) * moe.routeScale));
    out.kept.push(kept);
  }
  return out;
}

describe('the MoE gate', () => {
  it('chooses and weighs experts as the formulas say (V3 sigmoid and V2 softmax, with groups and bias)', () => {
    fc.assert(
      fc.property(gateArb, (a) => {
        const { moe, x, w, bias } = setup(a);
        const r = noGrad(() => route(x, w, bias, moe));
        const ref = reference(rowsOf(r.scores), Array.from(bias.dataSync()), moe);
        expect(rowsOf(r.indices)).toEqual(ref.idx);
        rowsOf(r.weights).forEach((row, n) => row.forEach((v, j) => expect(v).toBeCloseTo(ref.w[n]![j]!, 10)));
      }),
      { numRuns: 150 },
    );
  });

  it('gives weights that sum to routeScale (sigmoid, normalised)', () => {
    fc.assert(
      fc.property(gateArb, (a) => {
        const { moe, x, w, bias } = setup({ ...a, scoreFunc: 'sigmoid' });
        for (const row of rowsOf(noGrad(() => route(x, w, bias, moe)).weights))
          expect(row.reduce((s, v) => s + v, 0)).toBeCloseTo(moe.routeScale, 10);
      }),
      { numRuns: 100 },
    );
  });

  it("lets the bias change which experts are chosen but never the weights' values", () => {
    fc.assert(
      fc.property(gateArb, (a) => {
        const { moe, x, w, bias, E } = setup({ ...a, scoreFunc: 'sigmoid', biasStd: 1 });
        const zero = tensor(new Float64Array(E), [E], { dtype: 'float64' });
        const withBias = noGrad(() => route(x, w, bias, moe)),
          without = noGrad(() => route(x, w, zero, moe));
        const s = rowsOf(withBias.scores);
        // The weights are the unbiased scores of whichever experts were chosen, normalised.
        rowsOf(withBias.indices).forEach((idx, n) => {
          const total = idx.reduce((t, i) => t + s[n]![i]!, 0);
          idx.forEach((i, j) =>
            expect(rowsOf(withBias.weights)[n]![j]).toBeCloseTo((s[n]![i]! / total) * moe.routeScale, 12),
          );
        });
        // Where the choice is the same, the weights are identical to the bias-free gate's.
        const wb = rowsOf(withBias.weights),
          wo = rowsOf(without.weights),
          ib = rowsOf(withBias.indices),
          io = rowsOf(without.indices);
        ib.forEach((idx, n) => {
          if (idx.join() === io[n]!.join()) expect(wb[n]).toEqual(wo[n]);
        });
      }),
      { numRuns: 100 },
    );
    // And the bias does move the choice: a large bias on the least-liked expert gets it chosen.
    const { moe, x, w, E } = setup({
      groups: 1,
      perGroup: 6,
      keptFrac: 0,
      kFrac: 0.2,
      routeScale: 1,
      scoreFunc: 'sigmoid',
      biasStd: 0,
      N: 1,
      seed: 3,
    });
    const scores = rowsOf(noGrad(() => route(x, w, undefined, moe)).scores)[0]!;
    const least = topIdx(
      scores.map((v) => -v),
      1,
    )[0]!;
    const push = tensor(
      Array.from({ length: E }, (_, i) => (i === least ? 10 : 0)),
      [E],
      { dtype: 'float64' },
    );
    expect(rowsOf(noGrad(() => route(x, w, undefined, moe)).indices)[0]).not.toContain(least);
    expect(rowsOf(noGrad(() => route(x, w, push, moe)).indices)[0]).toContain(least);
  });

  it('never picks an expert outside the kept groups', () => {
    fc.assert(
      fc.property(gateArb, (a) => {
        const { moe, x, w, bias } = setup(a);
        const r = noGrad(() => route(x, w, bias, moe));
        const { kept } = reference(rowsOf(r.scores), Array.from(bias.dataSync()), moe);
        const per = moe.nRoutedExperts / moe.nGroups;
        rowsOf(r.indices).forEach((idx, n) => {
          const groups = new Set(idx.map((i) => Math.floor(i / per)));
          expect(groups.size).toBeLessThanOrEqual(moe.topkGroups);
          for (const g of groups) expect(kept[n]).toContain(g);
        });
      }),
      { numRuns: 150 },
    );
  });

  it('counts each chosen expert once per token', () => {
    fc.assert(
      fc.property(gateArb, (a) => {
        const { moe, x, w, bias, E, K } = setup(a);
        const r = noGrad(() => route(x, w, bias, moe));
        const counts = Array.from(expertCounts(r.indices, E, x).dataSync());
        const expected = new Array<number>(E).fill(0);
        for (const idx of rowsOf(r.indices)) for (const i of idx) expected[i]!++;
        expect(counts).toEqual(expected);
        expect(counts.reduce((s, v) => s + v, 0)).toBe(a.N * K);
      }),
      { numRuns: 60 },
    );
  });

  it('has weight gradients that match central differences (gate weight and input)', () => {
    for (const scoreFunc of ['sigmoid', 'softmax'] as const) {
      const { moe, x, w, bias } = setup({
        groups: 2,
        perGroup: 3,
        keptFrac: 1,
        kFrac: 0.5,
        routeScale: 2.5,
        scoreFunc,
        biasStd: 0.05,
        N: 4,
        seed: 9,
      });
      const xl = tensor(x.dataSync(), x.shape, { dtype: 'float64', requiresGrad: true });
      const wl = tensor(w.dataSync(), w.shape, { dtype: 'float64', requiresGrad: true });
      expect(gradcheck((xi, wi) => proj(route(xi, wi, bias, moe).weights), [xl, wl])).toBeLessThan(1e-6);
    }
  });

  it('scatters rows differentiably (the combine matrix)', () => {
    const idx = intTensor([2, 0, 1, 1, 0, 3], [3, 2]);
    const v = randn([3, 2], new Rng(1), 1, { dtype: 'float64', requiresGrad: true });
    expect(gradcheck((vi) => proj(scatterRows(idx, vi, 4, vi)), [v])).toBeLessThan(1e-8);
    const dense = rowsOf(scatterRows(idx, v, 4, v)),
      vs = rowsOf(v);
    expect(dense[1]).toEqual([0, vs[1]![0]! + vs[1]![1]!, 0, 0]); // a repeated index accumulates
  });
});
