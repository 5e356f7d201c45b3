// One RL update from scored rollouts: μ passes × minibatches; each minibatch's loss is summed over
// length-bucketed chunks (chunks.ts) whose gradients accumulate before one clipped AdamW step.
//   loss per algorithm (LOSSES): grpo → grpo.ts (clipped ratio + k3 KL), reinforce → reinforce.ts,
//                                ppo → the clipped surrogate with per-token GAE advantages (ppo.ts), β = 0
// π_old is the policy that sampled the batch. On the single on-policy update (μ = 1, one minibatch, not PPO)
// it is the current policy itself, detached — sg(π_θ) — so ρ = 1 exactly; otherwise its log-probs are
// computed once, before any update. Readouts, taken on the first pass only and never part of the loss: mean k3
// KL to the reference and per-token entropy over the loss's tokens, the share of tokens whose clip binds,
// the mean loss and the pre-clip gradient norm.
import { detach } from '../core/autograd.ts';
import { clipGradNorm, type AdamW } from '../core/optim.ts';
import type { Tensor } from '../core/tensor.ts';
import type { PolicyModel } from '../model/policy.ts';
import { decaysMatrices } from '../train/trainer.ts';
import { batchLogProbs, entropySum, hostTensor, type Sequence } from './batch.ts';
import { completionLogProbs, forEachChunk, fromGrid, toGrid } from './chunks.ts';
import type { Algorithm, RlConfig } from './config.ts';
import { clipStats, grpoLoss, rowWeights } from './grpo.ts';
import { k3Value } from './kl.ts';
import { criticStep, ppoAdvantages, type ValueModel } from './ppo.ts';
import { reinforceLoss } from './reinforce.ts';

export interface UpdateParts {
  policy: PolicyModel;
  reference: PolicyModel;
  critic?: ValueModel;
  opt: AdamW;
  criticOpt?: AdamW;
}

export interface UpdateInputs {
  seqs: Sequence[];
  /** Rewards as the loss sees them (after shuffling / shaping). */
  rewards: number[];
  /** Rows that take part in the loss. */
  include: boolean[];
  /** Â_i: one advantage per answer (GRPO, REINFORCE); PPO computes its own per token. */
  seqAdv: Float64Array;
  /** Â per token in place of seqAdv (process supervision), one array per row over its completion. */
  tokenAdv?: readonly Float64Array[];
  lr: number;
}

export interface UpdateStats {
  kl: number | null;
  entropy: number | null;
  clipFrac: number | null;
  loss: number | null;
  gradNorm: number | null;
  valueLoss: number | null;
}

/** What a chunk's loss is made of, laid on its [rows, T] grid. */
interface LossTensors {
  logp: Tensor;
  /** log π_old: detached log π_θ on the single on-policy update. */
  oldLogp: Tensor;
  refLogp: Tensor;
  advantages: Tensor;
  weights: Tensor;
}

/** The loss of each algorithm, and the ratio ρ when it has one (for the clip readout). */
const LOSSES: Record<Algorithm, (t: LossTensors, c: RlConfig) => { loss: Tensor; ratio?: Tensor }> = {
  grpo: (t, c) => grpoLoss(t, { clipEps: c.clipEps, clipEpsHigh: c.clipEpsHigh, klCoef: c.klCoef }),
  ppo: (t, c) => grpoLoss(t, { clipEps: c.clipEps, clipEpsHigh: c.clipEpsHigh, klCoef: 0 }), // KL lives in PPO's reward
  reinforce: (t) => ({ loss: reinforceLoss(t) }),
};

/** Running sums of the first pass's readouts. */
class Readouts {
  kl = 0;
  klTokens = 0;
  ent = 0;
  entTokens = 0;
  clipBound = 0;
  clipTokens = 0;

  /** k3 KL of the sampled tokens to the reference, and entropy, over one chunk. */
  async add(
    logpRows: readonly ArrayLike<number>[],
    refRows: readonly ArrayLike<number>[],
    logSoftmax: Tensor,
    mask: Float32Array,
  ): Promise<void> {
    logpRows.forEach((lp, r) => {
      const rf = refRows[r]!;
      for (let k = 0; k < rf.length; k++) this.kl += k3Value(lp[k]!, rf[k]!);
      this.klTokens += rf.length;
    });
    const e = await entropySum(logSoftmax, mask);
    this.ent += e.sum;
    this.entTokens += e.count;
  }

  addClip(stats: { clipFrac: number; tokens: number }): void {
    this.clipBound += stats.clipFrac * stats.tokens;
    this.clipTokens += stats.tokens;
  }
}

const meanOf = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null);

export async function rlUpdate(parts: UpdateParts, c: RlConfig, inp: UpdateInputs): Promise<UpdateStats> {
  const { policy, reference, critic } = parts;
  const { seqs, include } = inp;
  const budget = c.chunkTokens;
  const lossRows = seqs.map((_, i) => i).filter((i) => include[i]);
  if (lossRows.length === 0)
    return { kl: null, entropy: null, clipFrac: null, loss: null, gradNorm: null, valueLoss: null };

  const ref = await completionLogProbs(reference, seqs, lossRows, budget);
  const onPolicy = c.mu === 1 && c.minibatches === 1 && c.algorithm !== 'ppo';
  const old = onPolicy ? undefined : await completionLogProbs(policy, seqs, lossRows, budget);
  // Â per row: one number (GRPO, REINFORCE) or one per token (PPO's returns, or process supervision's).
  const ppo =
    c.algorithm === 'ppo' ? await ppoAdvantages(critic!, c, inp.rewards, seqs, lossRows, old!, ref) : undefined;
  const advOf = (i: number) => ppo?.advantages.get(i) ?? inp.tokenAdv?.[i] ?? inp.seqAdv[i]!;

  const read = new Readouts();
  const losses: number[] = [],
    norms: number[] = [],
    vlosses: number[] = [];
  const perMb = seqs.length / c.minibatches;
  for (let pass = 0; pass < c.mu; pass++) {
    for (let m = 0; m < c.minibatches; m++) {
      const mbAll = Array.from({ length: perMb }, (_, k) => m * perMb + k);
      const mbRows = mbAll.filter((i) => include[i]);
      if (mbRows.length === 0) continue;
      const w = rowWeights(
        mbAll.map((i) => seqs[i]!.completion.length),
        c.lossAgg,
        { maxLen: c.maxNewTokens, include: mbAll.map((i) => include[i]!) },
      );
      const weightOf = (i: number) => w[i - m * perMb]!; // row i of the batch is entry i − m·perMb of its minibatch
      losses.push(
        await forEachChunk(mbRows, seqs, budget, async (chunk, batch) => {
          const { logp, logSoftmax } = batchLogProbs(policy, batch);
          const grid = (vals: (ArrayLike<number> | number)[]) =>
            hostTensor(toGrid(batch, vals), batch.rows, batch.T, logp);
          const wGrid = toGrid(batch, chunk.map(weightOf));
          const advGrid = toGrid(batch, chunk.map(advOf));
          const { loss, ratio } = LOSSES[c.algorithm](
            {
              logp,
              oldLogp: old ? grid(chunk.map((i) => old.get(i)!)) : detach(logp),
              refLogp: grid(chunk.map((i) => ref.get(i)!)),
              advantages: hostTensor(advGrid, batch.rows, batch.T, logp),
              weights: hostTensor(wGrid, batch.rows, batch.T, logp),
            },
            c,
          );
          if (pass === 0) {
            const lp = old ? chunk.map((i) => old.get(i)!) : fromGrid(batch, await logp.data());
            await read.add(
              lp,
              chunk.map((i) => ref.get(i)!),
              logSoftmax,
              batch.mask,
            );
          }
          if (ratio) read.addClip(clipStats(await ratio.data(), advGrid, wGrid, c.clipEps, c.clipEpsHigh));
          return loss;
        }),
      );
      norms.push(await clipGradNorm(policy.parameters(), c.gradClip));
      parts.opt.step(inp.lr, decaysMatrices(policy.parameters()));
      parts.opt.zeroGrad();
      if (critic) vlosses.push(await criticStep(critic, parts.criticOpt!, c, inp, mbAll, mbRows, ppo!.returns));
    }
  }
  return {
    kl: read.klTokens ? read.kl / read.klTokens : null,
    entropy: read.entTokens ? read.ent / read.entTokens : null,
    clipFrac: c.algorithm === 'reinforce' || read.clipTokens === 0 ? null : read.clipBound / read.clipTokens,
    loss: meanOf(losses),
    gradNorm: meanOf(norms),
    valueLoss: meanOf(vlosses),
  };
}
