// The per-token KL penalty of GRPO: Schulman's "k3" estimator of D_KL[π_θ ‖ π_ref] (DeepSeekMath eq. 4).
//   k3 = π_ref/π_θ − log(π_ref/π_θ) − 1 = e^d − d − 1,  d = log π_ref(o_t) − log π_θ(o_t)
// e^d ≥ 1 + d, so k3 ≥ 0, with equality iff the two models give the token the same probability; its mean
// over tokens sampled from π_θ is an unbiased estimate of the KL. ∂k3/∂log π_θ = 1 − e^d.
// Also k1 = −d (the naive log-ratio; unbiased but often negative) for logging beside it.
// Source: reference/grpo-and-r1-zero.md §1 (eq. 4) and §3 (TRL's per-token loss).
import { addScalar, exp, sub } from '../core/ops/index.ts';
import type { Tensor } from '../core/tensor.ts';

/** k3 per token: logp, refLogp [N, T] → [N, T] (differentiable in logp). */
export function k3(logp: Tensor, refLogp: Tensor): Tensor {
  const d = sub(refLogp, logp);
  return addScalar(sub(exp(d), d), -1);
}

/** k3 of one token from its two log-probabilities (host numbers). */
export function k3Value(logp: number, refLogp: number): number {
  const d = refLogp - logp;
  // expm1(d) − d keeps precision when d is tiny (e^d − 1 would cancel).
  return Math.expm1(d) - d;
}

/** k1 of one token: log π_θ − log π_ref. */
export function k1Value(logp: number, refLogp: number): number {
  return logp - refLogp;
}
