// The DeepSeekMoE gate: which routed experts a token goes to, and with what weights
// [V3 §2.1.2 eq. 13–16, V2 eq. 20–22; model.py Gate.forward; reference/deepseek-v3-architecture.md §2].
//   affinity   s_i = σ(u·e_i) (V3, 'sigmoid')   or   s = softmax_i(u·e_i) (V2, 'softmax')
//   groups     experts split into nGroups groups; a group scores the sum of its top-2 (s + b) (V3) or its max
//              (V2); only the topkGroups best groups stay eligible (node-limited routing, at most M nodes)
//   choice     TopK over the eligible (s_i + b_i), K = nActivatedExperts; b (e_score_correction_bias) is the
//              auxiliary-loss-free balancing bias: it moves the choice, never the weights
//   weights    g_i = s_i / (Σ_chosen s_j + 1e-20) · routeScale (normTopkProb, V3)   or   g_i = s_i · routeScale (V2)
// Everything runs as backend ops on int32 index tensors (topk, takeAlong, scatterAddRows): no host loop over tokens.
import { noGrad } from '../core/autograd.ts';
import {
  add,
  addScalar,
  div,
  expand,
  linearT,
  max,
  mul,
  mulScalar,
  reshape,
  scatterAddRows,
  sigmoid,
  softmax,
  sum,
  takeAlong,
  topk,
  zip,
} from '../core/ops/index.ts';
import { intTensor, ones, type Tensor } from '../core/tensor.ts';
import type { MoeConfig } from './config.ts';

export interface Routing {
  /** Chosen experts per token, int32 [N, K]. */
  indices: Tensor;
  /** Their weights g (differentiable with respect to the gate), [N, K]. */
  weights: Tensor;
  /** Unbiased affinities s for all experts, [N, E]. */
  scores: Tensor;
}

/** An excluded group's experts score this, far below any real score (−∞ would give 0·∞ = NaN in the mask). */
const EXCLUDED = -1e30;

/**
 * out[n, idx[n, j]] += values[n, j] in an [N, width] zero tensor (ones when values is undefined): a one-hot
 * (or weighted) row scatter. Differentiable with respect to values.
 */
export function scatterRows(idx: Tensor, values: Tensor | undefined, width: number, like: Tensor): Tensor {
  const [N, J] = idx.shape as [number, number];
  const offsets = new Int32Array(N * J);
  for (let n = 0; n < N; n++) offsets.fill(n * width, n * J, (n + 1) * J);
  const flat = reshape(zip('add', idx, intTensor(offsets, [N, J], idx.backend)), [N * J]);
  const opts = { dtype: like.dtype, backend: like.backend };
  const src = values ? reshape(values, [N * J, 1]) : ones([N * J, 1], opts);
  return reshape(scatterAddRows(N * width, flat, src), [N, width]);
}

/** The scores that choose experts: s + b, with experts outside the kept groups pushed to EXCLUDED. */
export function choiceScores(scores: Tensor, bias: Tensor | undefined, moe: MoeConfig): Tensor {
  return noGrad(() => {
    const choice = bias ? add(scores, bias) : scores;
    if (moe.nGroups <= 1) return choice;
    const N = scores.dim(0),
      G = moe.nGroups,
      per = moe.nRoutedExperts / G;
    const grouped = reshape(choice, [N, G, per]);
    const groupScore = moe.scoreFunc === 'sigmoid' ? sum(topk(grouped, Math.min(2, per)).values, -1) : max(grouped, -1); // [N, G]
    const keep = scatterRows(topk(groupScore, moe.topkGroups).indices, undefined, G, scores); // [N, G], 1 = kept
    const keepE = reshape(expand(reshape(keep, [N, G, 1]), [N, G, per]), [N, moe.nRoutedExperts]);
    return add(mul(choice, keepE), mulScalar(addScalar(keepE, -1), -EXCLUDED));
  });
}

/** Route tokens x [N, d] with gate weights [E, d] and balancing bias [E] (or none). */
export function route(x: Tensor, gateWeight: Tensor, bias: Tensor | undefined, moe: MoeConfig): Routing {
  const logits = linearT(x, gateWeight); // [N, E]
  const scores = moe.scoreFunc === 'sigmoid' ? sigmoid(logits) : softmax(logits);
  const indices = topk(choiceScores(scores, bias, moe), moe.nActivatedExperts).indices;
  let weights = takeAlong(scores, 1, indices); // unbiased s of the chosen experts
  if (moe.normTopkProb) weights = div(weights, addScalar(sum(weights, -1, true), 1e-20));
  return { indices, weights: mulScalar(weights, moe.routeScale), scores };
}

/** Tokens sent to each expert: [E] (a float tensor, summed in token order). */
export function expertCounts(indices: Tensor, nExperts: number, like: Tensor): Tensor {
  return noGrad(() => sum(scatterRows(indices, undefined, nExperts, like), 0));
}
