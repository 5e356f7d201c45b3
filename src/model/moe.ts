// DeepSeekMoE FFN, its balancing, and its load statistics [V3 §2.1.2 eq. 12–20; model.py MoE.forward;
// reference/deepseek-v3-architecture.md §2].
//   h' = Σ_{i ≤ N_s} FFN^s_i(u) + Σ_{i ≤ N_r} g_{i,t} FFN^r_i(u)   (the shared experts are one MLP of N_s·moeInterDim)
//   auxiliary-loss-free balancing: after each step, b_i ← b_i + γ·sign(mean load − load_i) (overloaded experts
//   lose γ, underloaded gain γ; the paper leaves the threshold open, we use the mean load)
//   sequence-wise balance loss: L_Bal = α Σ_i f_i P_i per sequence, f_i = N_r/(K_r·T) Σ_t 1[i chosen at t],
//   P_i = (1/T) Σ_t s'_{i,t} with s' = s / Σ_j s_j; averaged over the batch's sequences
//   MaxVio = (max_i load_i − mean load) / mean load  (the balance measure V3 §4.5.3 and Wang et al. 2024 use)
// The routed experts are stored stacked, one tensor per projection ([E, I, d], [E, I, d], [E, d, I]); files keep
// HF's one tensor per expert (weights.ts converts). Two dispatches give the same function, summed in another order:
// 'dense' runs every routed expert on every token as one wide GEMM times combine weights that are exactly 0 off
// the top-K (N_r/K_r times the activated FFN FLOPs, but no host read: the reference, and the GPU's path);
// 'sparse' (moe-dispatch.ts, the CPU default) sorts the routed pairs by expert and runs only the routed experts.
import { noGrad } from '../core/autograd.ts';
import {
  add,
  div,
  linearT,
  map,
  mean,
  mul,
  mulScalar,
  neg,
  permute,
  reshape,
  sub,
  sum,
  swiglu,
} from '../core/ops/index.ts';
import type { Tensor } from '../core/tensor.ts';
import type { MoeConfig } from './config.ts';
import { expertCounts, route, scatterRows } from './gate.ts';
import { sparseRoutedExperts, type StackedExperts } from './moe-dispatch.ts';

/** How routed experts run: 'dense' (every expert on every token, the reference) or 'sparse' (only routed ones). */
export type MoeImpl = 'dense' | 'sparse';

/** What one MoE layer reports from one forward pass. */
export interface MoeLayerLog {
  layer: number;
  /** Tokens routed to each expert in this pass, [E]. */
  counts: Tensor;
  /** α·L_Bal for this pass (scalar), when moe.seqAuxAlpha > 0. */
  aux?: Tensor;
}

export interface MoeContext {
  /** Batch rows and tokens per row of x (for the sequence-wise loss). */
  B: number;
  T: number;
  layer: number;
  /** When given, the layer appends its counts and balance loss here. */
  log?: MoeLayerLog[];
  /** The experts' linear layer (default linearT; FP8 training swaps it). The gate stays linearT (V3 §3.3). */
  linear?: Linear;
  /** Default: sparse where the backend has the grouped matmul and the linear layer is plain, else dense. */
  impl?: MoeImpl;
}

type Linear = (x: Tensor, w: Tensor) => Tensor;

type Param = (name: string) => Tensor;

/** One SwiGLU MLP under `pre` (gate_proj, up_proj, down_proj). */
export function mlp(p: Param, pre: string, x: Tensor, linear: Linear = linearT): Tensor {
  return linear(
    swiglu(linear(x, p(pre + 'gate_proj.weight')), linear(x, p(pre + 'up_proj.weight'))),
    p(pre + 'down_proj.weight'),
  );
}

/** The routed experts' stacked weights of the MoE layer under `pre` ("model.layers.<l>.mlp."). */
export function stackedExperts(p: Param, pre: string): StackedExperts {
  return {
    gate: p(pre + 'experts.gate_proj.weight'),
    up: p(pre + 'experts.up_proj.weight'),
    down: p(pre + 'experts.down_proj.weight'),
  };
}

/**
 * The dispatch a layer uses: the given one, else sparse where it can run (a backend with the grouped matmul,
 * the plain linear layer), else dense. FP8 training swaps the linear layer, which the grouped matmul does not.
 */
export function chooseMoeImpl(impl: MoeImpl | undefined, x: Tensor, linear: Linear): MoeImpl {
  return impl ?? (x.backend.matmulAt && linear === linearT ? 'sparse' : 'dense');
}

/** The MoE FFN of one layer: x [N, d] → [N, d]. `pre` is "model.layers.<l>.mlp.". */
export function moeFfn(p: Param, pre: string, x: Tensor, moe: MoeConfig, ctx: MoeContext): Tensor {
  const E = moe.nRoutedExperts,
    linear = ctx.linear ?? linearT;
  const r = route(x, p(pre + 'gate.weight'), p(pre + 'gate.e_score_correction_bias'), moe);
  const w = stackedExperts(p, pre);
  let y =
    chooseMoeImpl(ctx.impl, x, linear) === 'sparse'
      ? sparseRoutedExperts(x, r.indices, r.weights, w)
      : denseRoutedExperts(w, x, r.indices, r.weights, linear);
  if (moe.nSharedExperts > 0) y = add(y, mlp(p, pre + 'shared_experts.', x, linear));
  if (ctx.log) {
    const entry: MoeLayerLog = { layer: ctx.layer, counts: expertCounts(r.indices, E, x) };
    if (moe.seqAuxAlpha > 0)
      entry.aux = mulScalar(sequenceBalanceLoss(r.indices, r.scores, moe, ctx.B, ctx.T), moe.seqAuxAlpha);
    ctx.log.push(entry);
  }
  return y;
}

/** Every routed expert on every token as one wide GEMM, times combine weights that are 0 off the top-K. */
export function denseRoutedExperts(
  w: StackedExperts,
  x: Tensor,
  indices: Tensor,
  weights: Tensor,
  linear: Linear = linearT,
): Tensor {
  const N = x.dim(0),
    [E, I, d] = w.gate.shape as [number, number, number];
  const wGate = reshape(w.gate, [E * I, d]),
    wUp = reshape(w.up, [E * I, d]);
  const wDown = reshape(permute(w.down, [1, 0, 2]), [d, E * I]); // [E, d, I] → [d, E·I]
  const act = reshape(swiglu(linear(x, wGate), linear(x, wUp)), [N, E, I]);
  const combine = reshape(scatterRows(indices, weights, E, x), [N, E, 1]); // g, zero off the top-K
  return linear(reshape(mul(act, combine), [N, E * I]), wDown);
}

/** L_Bal = mean over sequences of Σ_i f_i P_i (without α). indices [B·T, K], scores [B·T, E]. */
export function sequenceBalanceLoss(indices: Tensor, scores: Tensor, moe: MoeConfig, B: number, T: number): Tensor {
  const E = moe.nRoutedExperts,
    K = moe.nActivatedExperts;
  const f = noGrad(() =>
    mulScalar(sum(reshape(scatterRows(indices, undefined, E, scores), [B, T, E]), 1), E / (K * T)),
  ); // [B, E]
  const sNorm = moe.scoreFunc === 'sigmoid' ? div(scores, sum(scores, -1, true)) : scores;
  const P = mean(reshape(sNorm, [B, T, E]), 1); // [B, E]
  return mean(sum(mul(f, P), -1));
}

/** Sum of the logged balance losses (a scalar), or undefined when none was logged. */
export function totalAuxLoss(log: readonly MoeLayerLog[]): Tensor | undefined {
  let total: Tensor | undefined;
  for (const e of log) if (e.aux) total = total ? add(total, e.aux) : e.aux;
  return total;
}

/** Per-layer expert loads summed over the log's entries (e.g. several micro-batches), in layer order. */
export function layerLoads(log: readonly MoeLayerLog[]): Map<number, Tensor> {
  const loads = new Map<number, Tensor>();
  noGrad(() => {
    for (const e of [...log].sort((a, b) => a.layer - b.layer)) {
      const prev = loads.get(e.layer);
      loads.set(e.layer, prev ? add(prev, e.counts) : e.counts);
    }
  });
  return loads;
}

/**
 * Auxiliary-loss-free balancing, once per training step: b_i ← b_i + γ·sign(mean load − load_i) in every MoE
 * layer that appears in the log. The bias is a buffer: replaced in `params`, never touched by the optimizer.
 */
export function updateRoutingBias(params: Map<string, Tensor>, log: readonly MoeLayerLog[], gamma: number): void {
  if (gamma === 0) return;
  noGrad(() => {
    for (const [layer, load] of layerLoads(log)) {
      const name = `model.layers.${layer}.mlp.gate.e_score_correction_bias`;
      const bias = params.get(name);
      if (!bias) throw new Error(`no parameter ${name}`);
      const under = sub(mean(load, 0, true), load); // > 0: underloaded
      const sign = sub(map('gtScalar', under, 0), map('gtScalar', neg(under), 0));
      const next = add(bias, mulScalar(sign, gamma));
      next.name = name;
      next.requiresGrad = false;
      params.set(name, next);
    }
  });
}

/** MaxVio of one load vector: (max − mean) / mean (0 when perfectly balanced; 0 for no tokens). */
export function maxViolation(load: ArrayLike<number>): number {
  let total = 0,
    most = 0;
  for (let i = 0; i < load.length; i++) {
    total += load[i]!;
    most = Math.max(most, load[i]!);
  }
  const avg = total / load.length;
  return avg > 0 ? (most - avg) / avg : 0;
}
