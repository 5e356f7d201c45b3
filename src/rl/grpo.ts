// The GRPO objective (DeepSeekMath eq. 3) and the loss variants that differ only in how tokens are averaged.
//   ρ_{i,t} = π_θ(o_{i,t}) / π_old(o_{i,t})
//   J = Σ_{i,t} w_{i,t} · [ min(ρ Â, clip(ρ, 1−ε_low, 1+ε_high) Â) − β · k3_{i,t} ]        loss = −J
// The weights w carry the aggregation:
//   'sequence' (GRPO):     w = 1 / (N·|o_i|)     mean over each answer's tokens, then over answers
//   'token'    (DAPO):     w = 1 / Σ_i |o_i|      every token of the batch counts the same
//   'constant' (Dr. GRPO): w = 1 / (N·L_max)     a constant: no 1/|o_i| length bias
// Rows that are excluded (DAPO's dropped zero-variance groups, masked overlong answers) get w = 0 and do not
// count in N. ε_high = ε_low is the symmetric clip; ε_high > ε_low is DAPO's clip-higher.
// Source: reference/grpo-and-r1-zero.md §1, §3, §7, §8.
import { exp, maximum, mul, mulScalar, neg, scalarLike, sub, sum } from '../core/ops/index.ts';
import type { Tensor } from '../core/tensor.ts';
import { k3 } from './kl.ts';

export type LossAggregation = 'sequence' | 'token' | 'constant';

export interface WeightOptions {
  /** L_max of the 'constant' aggregation: the generation budget (max new tokens). */
  maxLen: number;
  /** Rows that take part (default all). */
  include?: readonly boolean[];
}

/** The weight w_i every completion token of answer i gets (0 for an excluded or empty answer). */
export function rowWeights(lengths: readonly number[], agg: LossAggregation, opts: WeightOptions): Float64Array {
  const rows = lengths.length;
  const inc = (i: number) => (opts.include ? opts.include[i] === true : true) && lengths[i]! > 0;
  let n = 0,
    tokens = 0;
  for (let i = 0; i < rows; i++)
    if (inc(i)) {
      n++;
      tokens += lengths[i]!;
    }
  const w = new Float64Array(rows);
  for (let i = 0; i < rows; i++) {
    if (!inc(i)) continue;
    w[i] = agg === 'sequence' ? 1 / (n * lengths[i]!) : agg === 'token' ? 1 / tokens : 1 / (n * opts.maxLen);
  }
  return w;
}

/** Per-token weights w [rows·T] from the completion mask (see the header). */
export function tokenWeights(
  mask: Float32Array,
  lengths: readonly number[],
  T: number,
  agg: LossAggregation,
  opts: WeightOptions,
): Float64Array {
  const rows = lengths.length;
  if (mask.length !== rows * T) throw new Error(`tokenWeights: mask of ${mask.length} ≠ ${rows}×${T}`);
  const wi = rowWeights(lengths, agg, opts);
  const w = new Float64Array(rows * T);
  for (let i = 0; i < rows; i++) for (let t = 0; t < T; t++) if (mask[i * T + t] !== 0) w[i * T + t] = wi[i]!;
  return w;
}

export interface PolicyLossInputs {
  /** log π_θ per token [N, T]; the gradient flows through it. */
  logp: Tensor;
  /** log π_old per token [N, T] (the policy that sampled the batch), no gradient. */
  oldLogp: Tensor;
  /** log π_ref per token [N, T]; needed when klCoef > 0. */
  refLogp?: Tensor;
  /** Â per token [N, T] (GRPO broadcasts one value per answer; PPO has one per token). */
  advantages: Tensor;
  /** w [N, T] from tokenWeights. */
  weights: Tensor;
}

export interface ClipOptions {
  clipEps: number;
  /** Upper clip ε_high (DAPO clip-higher); defaults to clipEps. */
  clipEpsHigh?: number;
  /** β of the k3 penalty; 0 drops the term. */
  klCoef: number;
}

/** clamp(x, lo, hi) whose gradient passes where lo ≤ x ≤ hi and is 0 outside. */
function clamp(x: Tensor, lo: number, hi: number): Tensor {
  const aboveLo = maximum(x, scalarLike(x, lo));
  return neg(maximum(neg(aboveLo), scalarLike(x, -hi)));
}

/** min(a, b); on ties the gradient goes to a. */
function minimum(a: Tensor, b: Tensor): Tensor {
  return neg(maximum(neg(a), neg(b)));
}

/** The clipped surrogate minus the KL penalty, summed with the weights, negated: a scalar loss. */
export function grpoLoss(inp: PolicyLossInputs, opts: ClipOptions): { loss: Tensor; ratio: Tensor } {
  const epsHigh = opts.clipEpsHigh ?? opts.clipEps;
  const ratio = exp(sub(inp.logp, inp.oldLogp));
  const surrogate = minimum(
    mul(ratio, inp.advantages),
    mul(clamp(ratio, 1 - opts.clipEps, 1 + epsHigh), inp.advantages),
  );
  let objective = surrogate;
  if (opts.klCoef !== 0) {
    if (!inp.refLogp) throw new Error('grpoLoss: klCoef > 0 needs refLogp');
    objective = sub(surrogate, mulScalar(k3(inp.logp, inp.refLogp), opts.klCoef));
  }
  return { loss: neg(sum(mul(objective, inp.weights))), ratio };
}

export interface ClipStats {
  /** Tokens whose clip binds (its gradient is cut), over tokens with w > 0. */
  clipFrac: number;
  /** … on the low side (Â < 0, ρ < 1 − ε_low) and the high side (Â > 0, ρ > 1 + ε_high). */
  clipLowFrac: number;
  clipHighFrac: number;
  /** Mean ρ over those tokens. */
  ratioMean: number;
  tokens: number;
}

/** Where the clip of min(ρÂ, clip(ρ)Â) binds: TRL's clip_ratio/low and /high. Host arrays [N·T]. */
export function clipStats(
  ratio: ArrayLike<number>,
  adv: ArrayLike<number>,
  weights: ArrayLike<number>,
  clipEps: number,
  clipEpsHigh = clipEps,
): ClipStats {
  let low = 0,
    high = 0,
    n = 0,
    rsum = 0;
  for (let k = 0; k < weights.length; k++) {
    if (weights[k] === 0) continue;
    const r = ratio[k]!,
      a = adv[k]!;
    n++;
    rsum += r;
    if (a < 0 && r < 1 - clipEps) low++;
    if (a > 0 && r > 1 + clipEpsHigh) high++;
  }
  return n === 0
    ? { clipFrac: 0, clipLowFrac: 0, clipHighFrac: 0, ratioMean: 1, tokens: 0 }
    : { clipFrac: (low + high) / n, clipLowFrac: low / n, clipHighFrac: high / n, ratioMean: rsum / n, tokens: n };
}
