import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/core/rng.ts';
import { loadCheckpoint } from '../../src/model/checkpoint.ts';
import { transformerPolicy } from '../../src/model/policy.ts';
import { FixedLogitPolicy } from '../../src/rl/fixed-logit.ts';
import { exactSuccess, policyDists, successTree, type Dists } from '../../src/search/exact-success.ts';
import { STOP_IDS } from '../../src/train/rollout.ts';
import { decode, encode, PAD_ID, promptFor, rewardBreakdown, type Problem } from '../../src/world/index.ts';

/** Next-token distributions that depend only on the depth below the prefix (row length − prefix length). */
const byDepth =
  (prefixLen: number, table: number[][]): Dists =>
  async (rows) =>
    rows.map((r) => table[r.length - prefixLen]!);

/** Every completion of at most `depth` tokens (stop id 2 ends one) with its probability: brute force. */
function enumerate(table: number[][], depth: number, judge: (c: number[], trunc: boolean) => number): number {
  const walk = (c: number[], p: number): number => {
    const d = c.length;
    return table[d]!.reduce((acc, q, v) => {
      if (q === 0) return acc;
      const next = [...c, v];
      if (v === 2 || d === depth - 1) return acc + p * q * judge(next, v !== 2);
      return acc + walk(next, p * q);
    }, 0);
  };
  return walk([], 1);
}

describe('exact success probability by exhaustive completion', () => {
  it('matches a hand computation on a three-token toy', async () => {
    // tokens: 0 = "a", 1 = "b", 2 = stop. Right = the completion is "a" then stop. Depth ≤ 2.
    // P = P(a)·P(stop | a) = 0.5 · 0.4 = 0.2. Completions: a·stop .2, a·a .15 (trunc), a·b .15 (trunc),
    // b·stop .12, b·a .09, b·b .09, stop .2.
    const table = [
      [0.5, 0.3, 0.2],
      [0.3, 0.3, 0.4],
    ];
    const judge = (c: number[], trunc: boolean) => (!trunc && c.join() === '0,2' ? 1 : 0);
    const all = await successTree([7], byDepth(1, table), judge, { threshold: 1e-9, maxNewTokens: 2, stopIds: [2] });
    expect(all.lower).toBeCloseTo(0.2, 12);
    expect(all.covered).toBeCloseTo(1, 12);
    expect(all.upper).toBeCloseTo(0.2, 12);
    expect(all.expansions).toBe(3); // the root, then "a" and "b"
    // Threshold 0.13 cuts b·stop (.12), b·a and b·b (.09); the truncated a·a and a·b (.15) are followed, scored 0.
    const cut = await successTree([7], byDepth(1, table), judge, { threshold: 0.13, maxNewTokens: 2, stopIds: [2] });
    expect(cut.covered).toBeCloseTo(0.2 + 0.15 + 0.15 + 0.2, 12);
    expect(cut.lower).toBeCloseTo(0.2, 12);
    expect(cut.upper).toBeCloseTo(0.2 + 0.3, 12);
  });

  it('laws: probabilities in [0, 1], covered ≤ 1, both grow as the threshold falls; exact when nothing is cut', async () => {
    const dist = fc
      .array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 3, maxLength: 3 })
      .filter((w) => w.reduce((a, b) => a + b, 0) > 1e-3)
      .map((w) => w.map((x) => x / w.reduce((a, b) => a + b, 0)));
    await fc.assert(
      fc.asyncProperty(
        fc.array(dist, { minLength: 4, maxLength: 4 }),
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 0, max: 1e6 }),
        fc.double({ min: 1e-3, max: 0.5, noNaN: true }),
        async (table, depth, salt, eps) => {
          // An arbitrary deterministic judge: right iff a hash of (completion, truncated) is odd.
          const judge = (c: number[], t: boolean) =>
            c.reduce((h, v) => (h * 31 + v + 1) % 1000003, salt + (t ? 7 : 0)) % 2;
          const run = (threshold: number) =>
            successTree([5, 5], byDepth(2, table), judge, { threshold, maxNewTokens: depth, stopIds: [2] });
          const hi = await run(eps),
            lo = await run(eps / 4),
            exact = await run(1e-300);
          for (const r of [hi, lo, exact]) {
            expect(r.lower).toBeGreaterThanOrEqual(0);
            expect(r.upper).toBeLessThanOrEqual(1 + 1e-12);
            expect(r.lower).toBeLessThanOrEqual(r.upper + 1e-12);
            expect(r.covered).toBeLessThanOrEqual(1 + 1e-12);
          }
          expect(lo.covered).toBeGreaterThanOrEqual(hi.covered - 1e-12);
          expect(lo.lower).toBeGreaterThanOrEqual(hi.lower - 1e-12);
          expect(lo.upper).toBeLessThanOrEqual(hi.upper + 1e-12);
          expect(exact.covered).toBeCloseTo(1, 9);
          const truth = enumerate(table, depth, judge);
          expect(exact.lower).toBeCloseTo(truth, 9);
          // the truth lies inside every bound
          expect(hi.lower).toBeLessThanOrEqual(truth + 1e-12);
          expect(hi.upper).toBeGreaterThanOrEqual(truth - 1e-12);
        },
      ),
      { numRuns: 60 },
    );
  });

  it("agrees with the Monte-Carlo estimate of the policy's own sampler within sampling error", async () => {
    // A fixed-logit policy (logits by position) over 4 tokens; 3 = stop; right = two or more 1s before stopping.
    const V = 4,
      L = 9;
    const rng = new Rng(11);
    const logits = Array.from({ length: L * V }, () => 2 * rng.normal());
    const policy = new FixedLogitPolicy(logits, L, V, 'float64');
    const judge = (c: number[], trunc: boolean) => (!trunc && c.filter((v) => v === 1).length >= 2 ? 1 : 0);
    const o = { maxNewTokens: 6, stopIds: [3] };
    const exact = await successTree([0, 0], policyDists(policy, 1), judge, { ...o, threshold: 1e-6 });
    expect(exact.covered).toBeGreaterThan(0.999);
    const n = 4000;
    const gens = await policy.generate(
      Array.from({ length: n }, () => [0, 0]),
      { temperature: 1, maxNewTokens: 6, stopIds: [3], padId: 0, rng: new Rng(12) },
    );
    const mc = gens.reduce((a, g) => a + judge(g.tokens, g.finish === 'length'), 0) / n;
    const sigma = Math.sqrt((exact.lower * (1 - exact.lower)) / n);
    expect(Math.abs(mc - exact.lower)).toBeLessThan(4 * sigma + (1 - exact.covered));
  });

  it('on the aha base: the KV-cached walk equals the teacher-forced one, and rollouts agree within error', async () => {
    const policy = transformerPolicy(loadCheckpoint('fixtures/aha-base').model);
    const p: Problem = { kind: 'add', prompt: '37+85', answer: '122', difficulty: 2, numbers: [37, 85] };
    const prompt = encode(promptFor(p));
    const state = encode('7+5=12 3+8+1=12 ');
    const o = { temperature: 1, maxNewTokens: 40, threshold: 1e-3 };
    const cached = await exactSuccess(policy, p, prompt, state, o);
    const plain = await exactSuccess({ ...policy, model: undefined }, p, prompt, state, { ...o, threshold: 1e-2 });
    const cached2 = await exactSuccess(policy, p, prompt, state, { ...o, threshold: 1e-2 });
    expect(cached2.lower).toBeCloseTo(plain.lower, 6);
    expect(cached2.covered).toBeCloseTo(plain.covered, 6);
    expect(cached2.expansions).toBe(plain.expansions);
    expect(cached.covered).toBeGreaterThan(0.9);
    const n = 256;
    const gens = await policy.generate(
      Array.from({ length: n }, () => [...prompt, ...state]),
      {
        temperature: 1,
        maxNewTokens: 40,
        stopIds: [...STOP_IDS],
        padId: PAD_ID,
        rng: Array.from({ length: n }, (_, i) => new Rng(5).child(`r${i}`)),
      },
    );
    const mc =
      gens.reduce(
        (a, g) =>
          a + rewardBreakdown(p, decode([...state, ...g.tokens]), { truncated: g.finish === 'length' }).accuracy,
        0,
      ) / n;
    const sigma = Math.sqrt(0.25 / n);
    expect(mc).toBeGreaterThan(cached.lower - 4 * sigma);
    expect(mc).toBeLessThan(cached.upper + 4 * sigma);
  });
});
