// The RL loop end to end on the dummy and on a tiny transformer: it learns, it is deterministic, its
// knobs do what they say.
import { describe, expect, it } from 'vitest';
import { RlTrainer, trainRl } from '../../src/rl/trainer.ts';
import { rlUpdate } from '../../src/rl/update.ts';
import { AdamW } from '../../src/core/optim.ts';
import { Rng } from '../../src/core/rng.ts';
import { metricsLine } from '../../src/rl/step-metrics.ts';
import { resolveRlConfig } from '../../src/rl/config.ts';
import { ADD1_PROMPT, dummyConfig, dummyParts, tinyConfig, tinyParts } from './setups.ts';
import { THINK_ID, vocabSize } from '../../src/world/index.ts';
import { heldOutKeys, problemKey } from '../../src/world/index.ts';
import type { FixedLogitPolicy } from '../../src/rl/fixed-logit.ts';

/** P(stray <think> at the answer position) under the dummy's current logits. */
function strayProb(p: FixedLogitPolicy): number {
  const row = [...p.table.dataSync().subarray((ADD1_PROMPT + 1) * vocabSize, (ADD1_PROMPT + 2) * vocabSize)];
  const z = row.reduce((s, x) => s + Math.exp(x), 0);
  return Math.exp(row[THINK_ID]!) / z;
}

describe('the RL trainer', () => {
  it('teaches the dummy to stop writing a malformed answer (GRPO follows the format reward)', async () => {
    const parts = dummyParts();
    const before = strayProb(parts.policy as FixedLogitPolicy);
    await trainRl(parts, dummyConfig({ steps: 8 }));
    const after = strayProb(parts.policy as FixedLogitPolicy);
    expect(before).toBeCloseTo(0.1, 6);
    expect(after).toBeLessThan(before / 3);
  });

  it('writes identical metrics for the same seed and different ones for another', async () => {
    const run = async (seed: number) => (await trainRl(tinyParts(), tinyConfig({ seed }))).map(metricsLine).join('\n');
    const a = await run(1);
    expect(await run(1)).toBe(a);
    expect(await run(2)).not.toBe(a);
  });

  it('evaluates before step 0, every evalEvery steps and once after the last step', async () => {
    const lines = await trainRl(dummyParts(), dummyConfig({ steps: 5, evalEvery: 2 }));
    expect(lines.map((l) => l.step)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(lines.map((l) => l.evalGreedyAcc !== null)).toEqual([true, false, true, false, true, true]);
    expect(lines.at(-1)!.reward).toBeNull();
  });

  it('has clip fraction 0 with μ = 1 and clips with μ = 2 once the policy moves', async () => {
    const one = await trainRl(dummyParts(), dummyConfig({ steps: 3, lr: 1 }));
    expect(one.slice(0, -1).every((l) => l.clipFrac === 0)).toBe(true);
    const two = await trainRl(dummyParts(), dummyConfig({ steps: 3, lr: 1, mu: 2 }));
    expect(two.slice(0, -1).some((l) => l.clipFrac! > 0)).toBe(true);
  });

  it('starts at KL 0, moves away from the reference, and returns to KL 0 after a reference reset', async () => {
    const plain = await trainRl(dummyParts(), dummyConfig({ steps: 3 }));
    expect(plain[0]!.kl).toBe(0);
    expect(plain[2]!.kl).toBeGreaterThan(0);
    const reset = await trainRl(dummyParts(), dummyConfig({ steps: 3, refResetEvery: 1 }));
    expect(reset.slice(0, -1).every((l) => l.kl === 0)).toBe(true);
  });

  it('never trains on the held-out problems', () => {
    const cfg = dummyConfig({ evalSize: 40, promptsPerStep: 8 });
    const trainer = new RlTrainer(dummyParts(), cfg);
    const held = heldOutKeys('add', 1, 40, cfg.heldOutSeed);
    for (let s = 0; s < 30; s++) for (const p of trainer.sampleProblems(s)) expect(held.has(problemKey(p))).toBe(false);
    expect(trainer.evalProblems.map(problemKey).every((k) => held.has(k))).toBe(true);
  });

  it('learns nothing from shuffled rewards that it would not learn by chance', async () => {
    // With rewards permuted inside each group, the stray-tag probability drifts but is not driven down.
    const parts = dummyParts();
    await trainRl(parts, dummyConfig({ steps: 8, rewardShuffle: true }));
    const shuffled = strayProb(parts.policy as FixedLogitPolicy);
    const real = dummyParts();
    await trainRl(real, dummyConfig({ steps: 8 }));
    expect(shuffled).toBeGreaterThan(2 * strayProb(real.policy as FixedLogitPolicy));
  });

  it('drops zero-variance groups from the loss under DAPO (no update when every group is flat)', async () => {
    const parts = dummyParts();
    const lines = await trainRl(parts, dummyConfig({ variant: 'dapo', steps: 2, groupSize: 1 }));
    expect(lines.slice(0, -1).every((l) => l.zeroVarFrac === 1 && l.loss === null)).toBe(true);
  });

  it('runs every variant, and PPO trains its critic', async () => {
    for (const variant of ['grpo', 'dr_grpo', 'dapo', 'reinforce'] as const) {
      const lines = await trainRl(dummyParts(), dummyConfig({ variant, steps: 2 }));
      expect(lines[0]!.loss).not.toBeNull();
    }
    const ppo = await trainRl(tinyParts(true), tinyConfig({ variant: 'ppo', steps: 1 }));
    expect(ppo[0]!.valueLoss).not.toBeNull();
  });

  it('takes the same step whether the update runs in one chunk or many (up to float rounding)', async () => {
    const rng = new Rng(8);
    const seqs = Array.from({ length: 6 }, () => ({
      prompt: Array.from({ length: rng.int(2, 8) }, () => rng.int(7, 30)),
      completion: Array.from({ length: rng.int(1, 20) }, () => rng.int(7, 30)),
    }));
    const seqAdv = Float64Array.from(seqs, () => rng.normal());
    const step = async (chunkTokens: number) => {
      const parts = tinyParts();
      const opt = new AdamW(parts.policy.parameters(), {
        lr: 1e-2,
        beta1: 0.9,
        beta2: 0.95,
        eps: 1e-8,
        weightDecay: 0,
      });
      const c = tinyConfig({ chunkTokens, groupSize: 3, promptsPerStep: 2 });
      await rlUpdate({ ...parts, opt }, c, {
        seqs,
        rewards: [...seqAdv],
        include: seqs.map(() => true),
        seqAdv,
        lr: 1e-2,
      });
      return parts.policy.parameters().map((p) => [...p.dataSync()]);
    };
    const one = await step(100_000),
      many = await step(20);
    const init = tinyParts()
      .policy.parameters()
      .map((p) => [...p.dataSync()]);
    let worst = 0,
      moved = 0;
    one.forEach((p, i) =>
      p.forEach((v, k) => {
        worst = Math.max(worst, Math.abs(v - many[i]![k]!));
        moved = Math.max(moved, Math.abs(v - init[i]![k]!));
      }),
    );
    expect(moved).toBeGreaterThan(1e-3);
    expect(worst).toBeLessThan(1e-6);
  });

  it('refuses PPO without a critic', () => {
    expect(
      () =>
        new RlTrainer(
          dummyParts(),
          resolveRlConfig({ variant: 'ppo', tasks: [{ kind: 'add', difficulty: 1 }], evalSize: 4 }),
        ),
    ).toThrow(/critic/);
  });
});
