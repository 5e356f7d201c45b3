// Cross-entropy for next-token prediction, and the per-token log-probabilities RL needs.
//   logp_i = log softmax(z_i)[y_i]       CE = −Σ_i w_i·logp_i / Σ_i w_i
// Positions whose target equals `ignoreIndex` (e.g. padding, or the prompt in SFT) get weight 0; an optional
// per-position weight tensor masks further. The gradient flows through logSoftmax and the gather.
import { record } from '../autograd.ts';
import { Tensor, empty } from '../tensor.ts';
import { cast, div, map, mul, neg } from './elementwise.ts';
import { takeAlong } from './gather.ts';
import { sum } from './reduce.ts';
import { reshape } from './shape.ts';
import { logSoftmax } from './softmax.ts';

/**
 * log p(target) per position: logits [..., V], targets int32 [...] → [...]. Targets must be valid ids. Where the
 * backend has the fused kernel, forward and backward are one pass each over the logits, with the composed ops'
 * bits (tokenLogProbsComposed, the reference): ∂logits[r, j] = g_r·([j = t_r] − softmax_j).
 */
export function tokenLogProbs(logits: Tensor, targets: Tensor): Tensor {
  const V = logits.dim(-1);
  if (targets.size * V !== logits.size)
    throw new Error(`targets [${targets.shape}] do not match logits [${logits.shape}]`);
  const b = logits.backend;
  if (!b.logSoftmaxTake || !b.logSoftmaxTakeBackward || logits.dtype === 'int32' || targets.dtype !== 'int32')
    return tokenLogProbsComposed(logits, targets);
  const backwardKernel = b.logSoftmaxTakeBackward.bind(b);
  const rows = targets.size;
  const lse = b.alloc('float64', rows);
  const out = empty(b, logits.dtype, targets.shape);
  b.logSoftmaxTake(logits.storage, targets.storage, out.storage, lse, rows, V);
  return record(out, 'tokenLogProbs', [logits], (g) => {
    const gx = empty(b, logits.dtype, logits.shape);
    backwardKernel(logits.storage, targets.storage, lse, g.storage, gx.storage, rows, V);
    return [gx];
  });
}

/** log-softmax, then the target's entry: the composed reference of the fused tokenLogProbs. */
export function tokenLogProbsComposed(logits: Tensor, targets: Tensor): Tensor {
  const V = logits.dim(-1);
  const lp = reshape(logSoftmax(logits), [targets.size, V]);
  return reshape(takeAlong(lp, 1, reshape(targets, [targets.size, 1])), targets.shape);
}

export interface CrossEntropyOptions {
  /** Target id that contributes nothing (default −1: none). */
  ignoreIndex?: number;
  /** Per-position weights, same shape as targets (a mask of 0/1, or any non-negative weights). */
  weights?: Tensor;
}

/** Mean cross-entropy over the positions that count. */
export function crossEntropy(logits: Tensor, targets: Tensor, opts: CrossEntropyOptions = {}): Tensor {
  const ignore = opts.ignoreIndex ?? -1;
  // An ignored target may not be a valid id (−1): clamp it to 0 for the gather; its weight is 0 anyway.
  const safe = ignore < 0 ? map('maxScalar', targets, 0) : targets;
  let w = cast(map('neScalar', targets, ignore), logits.dtype);
  if (opts.weights) w = mul(w, opts.weights);
  const lp = tokenLogProbs(logits, safe);
  const total = map('maxScalar', sum(w), 1e-12);
  return div(neg(sum(mul(lp, w))), total);
}
