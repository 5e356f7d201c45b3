// Plain REINFORCE with a baseline (Williams 1992), the simplest policy gradient and the floor GRPO builds on:
//   loss = −Σ_{i,t} w_{i,t} · Â_i · log π_θ(o_{i,t}),      Â_i = r_i − b
// On-policy (one update per batch), so there is no ratio, no clip and no reference model. With b = the
// batch's mean reward (advantages.ts batchBaselineAdvantages) it needs no groups at all; nanochat's "GRPO"
// is this loss with the group mean as b and token-level averaging (reference/grpo-and-r1-zero.md §6).
// Its gradient equals GRPO's at ρ = 1 with β = 0: GRPO's extra pieces are the group baseline, the std
// scaling, the clip (only active when μ > 1) and the KL to a frozen reference.
import { mul, neg, sum } from '../core/ops/index.ts';
import type { Tensor } from '../core/tensor.ts';

export interface ReinforceInputs {
  /** log π_θ per token [N, T]. */
  logp: Tensor;
  /** Â per token [N, T] (or [N, 1]). */
  advantages: Tensor;
  /** w [N, T] (grpo.ts tokenWeights). */
  weights: Tensor;
}

export function reinforceLoss(inp: ReinforceInputs): Tensor {
  return neg(sum(mul(mul(inp.logp, inp.advantages), inp.weights)));
}
