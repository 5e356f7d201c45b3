// PPO with a learned critic: the baseline GRPO replaced (DeepSeekMath §4.1, reference §1).
//   per-token reward  r_t = −β·(log π_θ(o_t) − log π_ref(o_t)) + [t = last]·R(o)      (KL in the reward)
//   TD error          δ_t = r_t + γ·V(s_{t+1}) − V(s_t)          (V after the last token = 0)
//   GAE               Â_t = Σ_l (γλ)^l δ_{t+l},   return  R_t = Â_t + V(s_t)
//   policy loss       the clipped surrogate of grpo.ts with per-token Â (whitened over the batch), β = 0 there
//   value loss        ½·mean_t (V_φ(s_t) − R_t)²
// The critic is a second transformer of the policy's size plus a scalar head on its final hidden state,
// initialised from the same checkpoint (as in InstructGPT-style PPO): that copy, its gradients and its Adam
// moments are exactly what GRPO's group baseline saves (cost/rl.ts counts them). The critic's own update
// (criticStep) runs after each policy minibatch, chunked like the policy (update.ts).
import { noGrad } from '../core/autograd.ts';
import { linearT, mul, mulScalar, reshape, rmsNorm, square, sub, sum } from '../core/ops/index.ts';
import { clipGradNorm, type AdamW } from '../core/optim.ts';
import { intTensor, tensor, zeros, type Tensor } from '../core/tensor.ts';
import type { Transformer } from '../model/transformer.ts';
import { decaysMatrices } from '../train/trainer.ts';
import { hostTensor, type PackedBatch, type Sequence } from './batch.ts';
import { forEachChunk, fromGrid, lengthChunks, packChunk, toGrid } from './chunks.ts';
import type { RlConfig } from './config.ts';
import { rowWeights } from './grpo.ts';

/** A transformer trunk with a scalar value head: V(s_t) for every input position. */
export class ValueModel {
  readonly head: Tensor;

  constructor(
    readonly trunk: Transformer,
    head?: Tensor,
  ) {
    // A zero head starts every value at 0: the first advantages are the plain rewards-to-go.
    this.head = head ?? zeros([1, trunk.config.dModel], { requiresGrad: true });
    this.head.name = 'v_head.weight';
  }

  parameters(): Tensor[] {
    return [...this.trunk.parameters(), this.head];
  }

  /** ids int32 [B, T] (right-padded, from position 0) → V [B, T]. */
  values(ids: Tensor): Tensor {
    const [B, T] = ids.shape as [number, number];
    const h = rmsNorm(this.trunk.hidden(ids), this.trunk.p('model.norm.weight'), this.trunk.config.normEps);
    return reshape(linearT(h, this.head), [B, T]);
  }

  valuesOf(batch: PackedBatch): Tensor {
    return this.values(intTensor(batch.ids, [batch.rows, batch.T]));
  }
}

export interface GaeOptions {
  gamma: number;
  lambda: number;
  /** β of the in-reward KL penalty (k1 per token). */
  klCoef: number;
}

export interface GaeResult {
  advantages: Float64Array;
  returns: Float64Array;
  /** Per-token rewards r_t as used (for inspection). */
  tokenRewards: Float64Array;
}

/**
 * GAE along one answer: per completion token its value V(s_t), log π and log π_ref; the outcome reward
 * lands on the last token.
 */
export function gae(
  reward: number,
  values: ArrayLike<number>,
  logp: ArrayLike<number>,
  refLogp: ArrayLike<number>,
  opts: GaeOptions,
): GaeResult {
  const L = values.length;
  const advantages = new Float64Array(L),
    returns = new Float64Array(L),
    tokenRewards = new Float64Array(L);
  let next = 0,
    acc = 0;
  for (let t = L - 1; t >= 0; t--) {
    const r = -opts.klCoef * (logp[t]! - refLogp[t]!) + (t === L - 1 ? reward : 0);
    tokenRewards[t] = r;
    const delta = r + opts.gamma * next - values[t]!;
    acc = delta + opts.gamma * opts.lambda * acc;
    advantages[t] = acc;
    returns[t] = acc + values[t]!;
    next = values[t]!;
  }
  return { advantages, returns, tokenRewards };
}

/** Whiten advantages over every token of every answer: (Â − mean) / (std + 1e-8). */
export function whiten(rows: readonly ArrayLike<number>[]): Float64Array[] {
  let s = 0,
    c = 0;
  for (const r of rows)
    for (let k = 0; k < r.length; k++) {
      s += r[k]!;
      c++;
    }
  if (c === 0) return rows.map((r) => new Float64Array(r.length));
  const mean = s / c;
  let v = 0;
  for (const r of rows) for (let k = 0; k < r.length; k++) v += (r[k]! - mean) ** 2;
  const std = Math.sqrt(v / c);
  return rows.map((r) => Float64Array.from(r, (x) => (x - mean) / (std + 1e-8)));
}

/** ½·Σ w (V − R)² with token weights w [rows, T] (mask / token count for a mean). */
export function valueLoss(values: Tensor, returns: ArrayLike<number>, weights: Tensor): Tensor {
  const R = tensor(returns, values.shape, { dtype: values.dtype, backend: values.backend });
  return mulScalar(sum(mul(square(sub(values, R)), weights)), 0.5);
}

/** V(s_t) at every completion token of the given rows, without a graph. */
async function completionValues(
  critic: ValueModel,
  seqs: readonly Sequence[],
  rows: readonly number[],
  budget: number,
): Promise<Map<number, Float64Array>> {
  const out = new Map<number, Float64Array>();
  for (const chunk of lengthChunks(rows, seqs, budget)) {
    const batch = packChunk(chunk, seqs);
    const grid = await noGrad(() => critic.valuesOf(batch)).data();
    fromGrid(batch, grid).forEach((v, r) => out.set(chunk[r]!, v));
  }
  return out;
}

/** Per-token Â (GAE, whitened over the batch) and returns R_t of the loss rows, from π_old, π_ref and V. */
export async function ppoAdvantages(
  critic: ValueModel,
  c: RlConfig,
  rewards: readonly number[],
  seqs: readonly Sequence[],
  rows: readonly number[],
  old: Map<number, Float64Array>,
  ref: Map<number, Float64Array>,
): Promise<{ advantages: Map<number, Float64Array>; returns: Map<number, Float64Array> }> {
  const values = await completionValues(critic, seqs, rows, c.chunkTokens);
  const g = rows.map((i) =>
    gae(rewards[i]!, values.get(i)!, old.get(i)!, ref.get(i)!, {
      gamma: c.gamma,
      lambda: c.gaeLambda,
      klCoef: c.klCoef,
    }),
  );
  const white = whiten(g.map((x) => x.advantages));
  return {
    advantages: new Map(rows.map((i, k) => [i, white[k]!])),
    returns: new Map(rows.map((i, k) => [i, g[k]!.returns])),
  };
}

/** One critic step on a minibatch (rows `mbAll`, of which `mbRows` take part): ½ · token-mean (V − R)², chunked. */
export async function criticStep(
  critic: ValueModel,
  opt: AdamW,
  c: RlConfig,
  inp: { seqs: Sequence[]; include: boolean[]; lr: number },
  mbAll: number[],
  mbRows: number[],
  returns: Map<number, Float64Array>,
): Promise<number> {
  const { seqs } = inp;
  const w = rowWeights(
    mbAll.map((i) => seqs[i]!.completion.length),
    'token',
    { maxLen: c.maxNewTokens, include: mbAll.map((i) => inp.include[i]!) },
  );
  const m0 = mbAll[0]!;
  const total = await forEachChunk(mbRows, seqs, c.chunkTokens, async (chunk, batch) => {
    const values = critic.valuesOf(batch);
    const weights = hostTensor(
      toGrid(
        batch,
        chunk.map((i) => w[i - m0]!),
      ),
      batch.rows,
      batch.T,
      values,
    );
    return valueLoss(
      values,
      toGrid(
        batch,
        chunk.map((i) => returns.get(i)!),
      ),
      weights,
    );
  });
  await clipGradNorm(critic.parameters(), c.gradClip);
  opt.step(inp.lr * (c.lr > 0 ? c.valueLr / c.lr : 1), decaysMatrices(critic.parameters()));
  opt.zeroGrad();
  return total;
}
