// Softmax and log-softmax over the last axis (with an optional causal mask for attention scores).
//   y = softmax(x):     ∂x = y ⊙ (g − Σ_j g_j y_j)
//   y = logSoftmax(x):  ∂x = g − softmax(x) · Σ_j g_j
// Both are invariant to adding a constant to a row, and the kernel subtracts the row max for stability.
import type { SoftmaxOptions } from '../../backend/backend.ts';
import { record } from '../autograd.ts';
import { Tensor, empty } from '../tensor.ts';
import { exp, mul, sub } from './elementwise.ts';
import { sum } from './reduce.ts';

function run(x: Tensor, opts: SoftmaxOptions): Tensor {
  const n = x.dim(-1);
  const out = empty(x.backend, x.dtype, x.shape);
  x.backend.softmax(x.storage, out.storage, x.size / n, n, opts);
  return out;
}

/**
 * ∂x = scale · y ⊙ (g − Σ_j g_j y_j) in one fused pass (the same bits as those ops composed: see
 * softmaxBackwardComposed, then mulScalar's backward).
 */
function softmaxWith(x: Tensor, opts: SoftmaxOptions): Tensor {
  const y = run(x, opts);
  return record(y, 'softmax', [x], (g) => {
    const n = y.dim(-1);
    const gx = empty(y.backend, y.dtype, y.shape);
    y.backend.softmaxBackward(y.storage, g.storage, gx.storage, y.size / n, n, opts.scale ?? 1);
    return [gx];
  });
}

/** The softmax backward as separate ops: the reference the fused kernel is tested against. */
export function softmaxBackwardComposed(y: Tensor, g: Tensor): Tensor {
  return mul(y, sub(g, sum(mul(g, y), -1, true)));
}

export function softmax(x: Tensor): Tensor {
  return softmaxWith(x, { log: false });
}

/**
 * Softmax of attention scores [..., rows, s] where row r is query t = r mod tq and may see keys 0..t+offset
 * (offset = cached positions before this chunk; tq defaults to the number of rows). Masked entries are 0.
 * `scale` multiplies the scores first (attention's 1/√d): the causal attention row — scale, mask, softmax —
 * in one pass forward and one backward, with the bits of mulScalar then causalSoftmax.
 */
export function causalSoftmax(x: Tensor, offset: number, tq = x.dim(-2), scale = 1): Tensor {
  return softmaxWith(x, { log: false, causal: { tq, offset }, scale });
}

export function logSoftmax(x: Tensor): Tensor {
  const y = run(x, { log: true });
  return record(y, 'logSoftmax', [x], (g) => [sub(g, mul(exp(y), sum(g, -1, true)))]);
}
