// One RL update from scored rollouts: μ passes × minibatches of the policy loss (grpo.ts, reinforce.ts, or PPO's
// clipped surrogate with GAE advantages), each minibatch processed in length-bucketed chunks (chunks.ts)
// whose gradients accumulate before one clipped AdamW step. π_old is the policy that sampled the batch:
// on the single on-policy update (μ = 1, one minibatch) it is the current policy itself, detached, so the
// ratio is exactly 1; otherwise its log-probs are computed once, before any update.
// Reported: mean k3 KL to the reference and per-token entropy over the tokens that enter the loss (before
// the update), the share of tokens whose clip binds, the mean loss and pre-clip gradient norm.
import { backward, detach, noGrad } from '../core/autograd.ts';
import { clipGradNorm, type AdamW } from '../core/optim.ts';
import type { Tensor } from '../core/tensor.ts';
import { batchLogProbs, entropySum, hostTensor, type Sequence } from './batch.ts';
import { completionLogProbs, fromGrid, lengthChunks, packRows, toGrid } from './chunks.ts';
import type { RlConfig } from './config.ts';
import { clipStats, grpoLoss, rowWeights } from './grpo.ts';
import { k3Value } from './kl.ts';
import type { PolicyModel } from '../model/policy.ts';
import { gae, valueLoss, whiten, type ValueModel } from './ppo.ts';
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
  /** Per-answer advantages (GRPO, REINFORCE); PPO computes its own per token. */
  seqAdv: Float64Array;
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

const decayMatrices = (params: Tensor[]) => (i: number) => params[i]!.ndim >= 2;
const meanOf = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null);

export async function rlUpdate(parts: UpdateParts, c: RlConfig, inp: UpdateInputs): Promise<UpdateStats> {
  const { policy, reference, critic } = parts;
  const { seqs, include } = inp;
  const budget = c.chunkTokens;
  const lossRows = seqs.map((_, i) => i).filter((i) => include[i]);
  const none: UpdateStats = { kl: null, entropy: null, clipFrac: null, loss: null, gradNorm: null, valueLoss: null };
  if (lossRows.length === 0) return none;

  const ref = await completionLogProbs(reference, seqs, lossRows, budget);
  const single = c.mu === 1 && c.minibatches === 1 && c.algorithm !== 'ppo';
  const old = single ? undefined : await completionLogProbs(policy, seqs, lossRows, budget);

  // Per-token advantages (and PPO's returns), ragged by row.
  const adv = new Map<number, Float64Array | number>();
  const returns = new Map<number, Float64Array>();
  if (c.algorithm === 'ppo') {
    const values = await completionValues(critic!, seqs, lossRows, budget);
    const g = lossRows.map((i) => gae(inp.rewards[i]!, values.get(i)!, old!.get(i)!, ref.get(i)!, { gamma: c.gamma, lambda: c.gaeLambda, klCoef: c.klCoef }));
    const white = whiten(g.map((x) => x.advantages));
    lossRows.forEach((i, k) => {
      adv.set(i, white[k]!);
      returns.set(i, g[k]!.returns);
    });
  } else {
    for (const i of lossRows) adv.set(i, inp.seqAdv[i]!);
  }

  let klSum = 0, klCount = 0, entSum = 0, entCount = 0, clipBound = 0, clipTokens = 0;
  const losses: number[] = [], norms: number[] = [], vlosses: number[] = [];
  const perMb = seqs.length / c.minibatches;
  for (let pass = 0; pass < c.mu; pass++) {
    for (let m = 0; m < c.minibatches; m++) {
      const mbAll = Array.from({ length: perMb }, (_, k) => m * perMb + k);
      const mbRows = mbAll.filter((i) => include[i]);
      if (mbRows.length === 0) continue;
      const w = rowWeights(mbAll.map((i) => seqs[i]!.completion.length), c.lossAgg, { maxLen: c.maxNewTokens, include: mbAll.map((i) => include[i]!) });
      const weightOf = (i: number) => w[i - m * perMb]!;
      let loss = 0;
      for (const chunk of lengthChunks(mbRows, seqs, budget)) {
        const batch = packRows(chunk, seqs);
        const { logp, logSoftmax } = batchLogProbs(policy, batch);
        const grid = (vals: (ArrayLike<number> | number)[]) => hostTensor(toGrid(batch, vals), batch.rows, batch.T, logp);
        const wGrid = toGrid(batch, chunk.map(weightOf));
        const weights = hostTensor(wGrid, batch.rows, batch.T, logp);
        const advGrid = toGrid(batch, chunk.map((i) => adv.get(i)!));
        const advantages = hostTensor(advGrid, batch.rows, batch.T, logp);
        let lossT: Tensor;
        let ratio: Tensor | undefined;
        if (c.algorithm === 'reinforce') lossT = reinforceLoss({ logp, advantages, weights });
        else {
          const oldLogp = old ? grid(chunk.map((i) => old.get(i)!)) : detach(logp);
          const out = grpoLoss(
            { logp, oldLogp, refLogp: grid(chunk.map((i) => ref.get(i)!)), advantages, weights },
            { clipEps: c.clipEps, clipEpsHigh: c.clipEpsHigh, klCoef: c.algorithm === 'ppo' ? 0 : c.klCoef },
          );
          lossT = out.loss;
          ratio = out.ratio;
        }
        if (pass === 0) {
          const lp = old ? chunk.map((i) => old.get(i)!) : fromGrid(batch, await logp.data());
          chunk.forEach((i, r) => {
            const rf = ref.get(i)!;
            for (let k = 0; k < rf.length; k++) klSum += k3Value(lp[r]![k]!, rf[k]!);
            klCount += rf.length;
          });
          const e = await entropySum(logSoftmax, batch.mask);
          entSum += e.sum;
          entCount += e.count;
        }
        if (ratio) {
          const cs = clipStats(await ratio.data(), advGrid, wGrid, c.clipEps, c.clipEpsHigh);
          clipBound += cs.clipFrac * cs.tokens;
          clipTokens += cs.tokens;
        }
        loss += await lossT.item();
        backward(lossT);
      }
      losses.push(loss);
      norms.push(await clipGradNorm(policy.parameters(), c.gradClip));
      parts.opt.step(inp.lr, decayMatrices(policy.parameters()));
      parts.opt.zeroGrad();
      if (critic) vlosses.push(await criticStep(parts, c, inp, mbAll, mbRows, returns));
    }
  }
  return {
    kl: klCount ? klSum / klCount : null,
    entropy: entCount ? entSum / entCount : null,
    clipFrac: c.algorithm === 'reinforce' || clipTokens === 0 ? null : clipBound / clipTokens,
    loss: meanOf(losses),
    gradNorm: meanOf(norms),
    valueLoss: meanOf(vlosses),
  };
}

/** V(s_t) at every completion token of the given rows, without a graph. */
async function completionValues(critic: ValueModel, seqs: readonly Sequence[], rows: readonly number[], budget: number): Promise<Map<number, Float64Array>> {
  const out = new Map<number, Float64Array>();
  for (const chunk of lengthChunks(rows, seqs, budget)) {
    const batch = packRows(chunk, seqs);
    const grid = await noGrad(() => critic.valuesOf(batch)).data();
    fromGrid(batch, grid).forEach((v, r) => out.set(chunk[r]!, v));
  }
  return out;
}

/** One critic step on a minibatch: ½ · token-mean (V − R)², chunked like the policy. */
async function criticStep(parts: UpdateParts, c: RlConfig, inp: UpdateInputs, mbAll: number[], mbRows: number[], returns: Map<number, Float64Array>): Promise<number> {
  const critic = parts.critic!;
  const { seqs } = inp;
  const w = rowWeights(mbAll.map((i) => seqs[i]!.completion.length), 'token', { maxLen: c.maxNewTokens, include: mbAll.map((i) => inp.include[i]!) });
  const m0 = mbAll[0]!;
  let total = 0;
  for (const chunk of lengthChunks(mbRows, seqs, c.chunkTokens)) {
    const batch = packRows(chunk, seqs);
    const values = critic.valuesOf(batch);
    const weights = hostTensor(toGrid(batch, chunk.map((i) => w[i - m0]!)), batch.rows, batch.T, values);
    const vl = valueLoss(values, toGrid(batch, chunk.map((i) => returns.get(i)!)), weights);
    total += await vl.item();
    backward(vl);
  }
  await clipGradNorm(critic.parameters(), c.gradClip);
  parts.criticOpt!.step(inp.lr * (c.lr > 0 ? c.valueLr / c.lr : 1), decayMatrices(critic.parameters()));
  parts.criticOpt!.zeroGrad();
  return total;
}
