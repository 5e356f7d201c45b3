// Sparse MoE dispatch: only the routed experts run, each on the tokens routed to it [V3 §2.1.2; the
// grouped-GEMM dispatch of DeepSeek's DeepEP/DeepGEMM, in miniature; shared/reviews/structure.md §5].
//   sort the N·K (token, expert) pairs by expert with a counting sort (stable: ascending token, then slot),
//   offsets[e] = Σ_{e' < e} count[e'];  rows offsets[e]..offsets[e+1] of the gathered tokens go through
//   expert e's SwiGLU as one grouped matmul per projection over the stacked weights (core/ops/grouped.ts);
//   y[t] += W_down,e · (g_{t,e} · SwiGLU_e(x_t)), added back in sorted order.
// The dense path in moe.ts (every expert on every token, combine weights 0 off the top-K) is the reference:
// the same function, summed in another order, so the two agree to rounding (tested), and gradients flow
// through the gather, the expert matmuls and the scatter-add like any other ops.
import { groupedLinearT, indexSelect, reshape, scatterAddRows, swiglu } from '../core/ops/index.ts';
import { intTensor, type Tensor } from '../core/tensor.ts';
import { requireHostMemory } from '../backend/host-only.ts';

/** The (token, expert) pairs grouped by expert. */
export interface Dispatch {
  /** Token of each sorted pair, [N·K]. */
  tokens: Int32Array;
  /** Flat routing slot t·K + k of each sorted pair (where its combine weight sits), [N·K]. */
  slots: Int32Array;
  /** Pairs of expert e are offsets[e] .. offsets[e+1] − 1; offsets[E] = N·K. */
  offsets: Int32Array;
}

/** Counting sort of the routing indices [N, K] (row-major) by expert: deterministic and O(N·K + E). */
export function dispatchByExpert(indices: ArrayLike<number>, N: number, K: number, E: number): Dispatch {
  const offsets = new Int32Array(E + 1);
  for (let i = 0; i < N * K; i++) {
    const e = indices[i]!;
    if (!Number.isInteger(e) || e < 0 || e >= E) throw new RangeError(`routing index ${e} out of range [0, ${E})`);
    offsets[e + 1]!++;
  }
  for (let e = 0; e < E; e++) offsets[e + 1]! += offsets[e]!;
  const next = offsets.slice(0, E);
  const tokens = new Int32Array(N * K),
    slots = new Int32Array(N * K);
  for (let i = 0; i < N * K; i++) {
    const at = next[indices[i]!]!++;
    tokens[at] = Math.floor(i / K);
    slots[at] = i;
  }
  return { tokens, slots, offsets };
}

/** The stacked weights of the routed experts: [E, I, d], [E, I, d], [E, d, I] (HF layout per expert). */
export interface StackedExperts {
  gate: Tensor;
  up: Tensor;
  down: Tensor;
}

/**
 * Σ_k g_{t,k} · FFN_{e(t,k)}(x_t) for x [N, d], routing indices/weights [N, K]: the routed part of the MoE,
 * computing only routed experts. The combine weight multiplies the activation before the down projection, as
 * in the dense path, so the two differ only in how the down projection's sums meet across experts.
 */
export function sparseRoutedExperts(x: Tensor, indices: Tensor, weights: Tensor, w: StackedExperts): Tensor {
  const N = x.dim(0),
    K = indices.dim(1),
    E = w.gate.dim(0);
  requireHostMemory(indices, 'the sparse MoE dispatch');
  const d = dispatchByExpert(indices.dataSync(), N, K, E);
  const tokens = intTensor(d.tokens, [N * K], x.backend);
  const xs = indexSelect(x, 0, tokens); // [N·K, d], grouped by expert
  const g = indexSelect(reshape(weights, [N * K, 1]), 0, intTensor(d.slots, [N * K], x.backend)); // [N·K, 1]
  const h = swiglu(groupedLinearT(xs, w.gate, d.offsets), groupedLinearT(xs, w.up, d.offsets), g); // [N·K, I], ⊙ g
  const ys = groupedLinearT(h, w.down, d.offsets); // [N·K, d]
  return scatterAddRows(N, tokens, ys); // y[t] = Σ over t's pairs, in sorted order
}
