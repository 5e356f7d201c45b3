// Rollouts and rewards, made exactly testable by the fixed-logit dummy policy.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { noGrad } from '../../src/core/autograd.ts';
import { Rng } from '../../src/core/rng.ts';
import { batchLogProbs, entropySum, packBatch } from '../../src/rl/batch.ts';
import { FixedLogitPolicy } from '../../src/rl/fixed-logit.ts';
import { zeroVarianceFraction } from '../../src/rl/advantages.ts';
import { rollout, STOP_IDS, summarizeRollouts } from '../../src/train/rollout.ts';
import { PAD_ID, encode, promptFor, vocabSize, type Problem } from '../../src/world/index.ts';

const problem: Problem = { kind: 'add', prompt: '37+45', answer: '82', difficulty: 2, numbers: [37, 45] };
const promptLen = encode(promptFor(problem)).length;
const right = encode('7+5=12 3+4+1=8 so 82</think><answer>82</answer>');
const wrong = encode('</think><answer>72</answer>');
const opts = { vocabSize, maxSeqLen: 96 };
const rngFor = (seed: number) => (j: number, k: number) => new Rng(seed).child(`p${j}`).child(`g${k}`);

describe('rollouts of a fixed-logit dummy', () => {
  it('score a scripted right answer 1.1 (accuracy + 0.1 format), stopping at </answer>', async () => {
    const policy = FixedLogitPolicy.scripted(promptLen, right, opts);
    const rs = await rollout(policy, [problem], { groupSize: 3, temperature: 1, maxNewTokens: 60, rngFor: rngFor(1) });
    expect(rs).toHaveLength(3);
    for (const r of rs) {
      expect(r.completion).toEqual(right);
      expect(r.finish).toBe('stop');
      expect(r.reward).toMatchObject({ accuracy: 1, format: 1, truncated: false });
      expect(r.reward.total).toBeCloseTo(1.1, 12);
      expect(r.length).toBe(right.length);
      expect(r.thinkLength).toBe('7+5=12 3+4+1=8 so 82'.length);
    }
    expect(STOP_IDS).toContain(right[right.length - 1]);
  });

  it('score a well-formed wrong answer 0.1 and a truncated one 0, counting the truncation', async () => {
    const w = await rollout(FixedLogitPolicy.scripted(promptLen, wrong, opts), [problem], {
      groupSize: 1,
      temperature: 1,
      maxNewTokens: 60,
      rngFor: rngFor(2),
    });
    expect(w[0]!.reward).toMatchObject({ accuracy: 0, format: 1, total: 0.1 });
    const cut = await rollout(FixedLogitPolicy.scripted(promptLen, right, opts), [problem], {
      groupSize: 2,
      temperature: 1,
      maxNewTokens: 10,
      rngFor: rngFor(3),
    });
    for (const r of cut) {
      expect(r.finish).toBe('length');
      expect(r.length).toBe(10);
      expect(r.reward).toMatchObject({ total: 0, truncated: true, reason: 'truncated' });
    }
    expect(summarizeRollouts([...w, ...cut])).toMatchObject({ truncationRate: 2 / 3, formatRate: 1 / 3, accuracy: 0 });
  });

  it('lay samples out group by group and do not depend on how rows are batched', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 7 }), fc.integer({ min: 0, max: 99 }), async (batchSize, seed) => {
        // A uniform dummy: every token is random, so any dependence on batching would show.
        const policy = new FixedLogitPolicy(new Float32Array(96 * vocabSize), 96, vocabSize);
        const ps: Problem[] = [problem, { ...problem, prompt: '12+34', answer: '46', numbers: [12, 34] }];
        const base = { groupSize: 3, temperature: 1, maxNewTokens: 12, rngFor: rngFor(seed) };
        const all = await rollout(policy, ps, base);
        const chunked = await rollout(policy, ps, { ...base, batchSize });
        expect(chunked.map((r) => r.completion)).toEqual(all.map((r) => r.completion));
        expect(all.map((r) => [r.problemIndex, r.sample])).toEqual([
          [0, 0],
          [0, 1],
          [0, 2],
          [1, 0],
          [1, 1],
          [1, 2],
        ]);
      }),
      { numRuns: 15 },
    );
  });

  it('refuse a prompt that leaves no room for maxNewTokens', async () => {
    const policy = FixedLogitPolicy.scripted(promptLen, right, { vocabSize, maxSeqLen: 40 });
    await expect(
      rollout(policy, [problem], { groupSize: 1, temperature: 1, maxNewTokens: 30, rngFor: rngFor(0) }),
    ).rejects.toThrow(/exceeds the model's maxSeqLen/);
  });
});

describe('rollout summaries', () => {
  it('split lengths by correctness and count zero-variance groups', async () => {
    const good = await rollout(FixedLogitPolicy.scripted(promptLen, right, opts), [problem], {
      groupSize: 2,
      temperature: 1,
      maxNewTokens: 60,
      rngFor: rngFor(4),
    });
    const bad = await rollout(FixedLogitPolicy.scripted(promptLen, wrong, opts), [problem], {
      groupSize: 2,
      temperature: 1,
      maxNewTokens: 60,
      rngFor: rngFor(5),
    });
    const s = summarizeRollouts([...good, ...bad]);
    expect(s.lenCorrect).toBe(right.length);
    expect(s.lenIncorrect).toBe(wrong.length);
    expect(s.lenAll).toBe((right.length + wrong.length) / 2);
    expect(s.reward).toBeCloseTo(0.6, 12);
    expect(
      zeroVarianceFraction(
        [...good, ...bad].map((r) => r.reward.total),
        2,
      ),
    ).toBe(1);
    expect(
      zeroVarianceFraction(
        [...good.slice(0, 1), ...bad.slice(0, 1)].map((r) => r.reward.total),
        2,
      ),
    ).toBe(0);
    expect(summarizeRollouts(bad).lenCorrect).toBeNull();
  });
});

describe('teacher-forced log-probabilities', () => {
  it('mask exactly the completion tokens and read log softmax(table[position])[token] for the dummy', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1000 }), (seed) => {
        const rng = new Rng(seed).child('lp');
        const V = 7,
          L = 12;
        const table = Float32Array.from({ length: L * V }, () => 3 * rng.normal());
        const policy = new FixedLogitPolicy(table, L, V);
        const seqs = Array.from({ length: rng.int(1, 4) }, () => ({
          prompt: Array.from({ length: rng.int(1, 4) }, () => rng.int(1, V)),
          completion: Array.from({ length: rng.int(1, 5) }, () => rng.int(1, V)),
        }));
        const b = packBatch(seqs, PAD_ID);
        expect(b.lengths).toEqual(seqs.map((s) => s.completion.length));
        const lp = noGrad(() => batchLogProbs(policy, b).logp).dataSync();
        seqs.forEach((s, i) => {
          let masked = 0;
          for (let t = 0; t < b.T; t++) masked += b.mask[i * b.T + t]!;
          expect(masked).toBe(s.completion.length);
          s.completion.forEach((tok, j) => {
            const t = s.prompt.length - 1 + j;
            expect(b.mask[i * b.T + t]).toBe(1);
            const row = Array.from(table.subarray(t * V, (t + 1) * V));
            const lse = Math.log(row.reduce((acc, z) => acc + Math.exp(z), 0));
            expect(lp[i * b.T + t]).toBeCloseTo(row[tok]! - lse, 4);
          });
        });
      }),
      { numRuns: 40 },
    );
  });

  it('give the entropy of a uniform distribution as log V per token', async () => {
    const V = 5,
      L = 6;
    const policy = new FixedLogitPolicy(new Float32Array(L * V), L, V);
    const b = packBatch([{ prompt: [1, 2], completion: [3, 4, 1] }], PAD_ID);
    const { sum, count } = await entropySum(
      noGrad(() => batchLogProbs(policy, b).logSoftmax),
      b.mask,
    );
    expect(count).toBe(3);
    expect(sum / count).toBeCloseTo(Math.log(V), 5);
  });
});
