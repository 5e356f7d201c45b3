// Teacher-forced batches of (prompt, completion) pairs, and the per-token log-probabilities RL needs.
//   row i: inputs x = (p_i ++ o_i)[0 .. S_i−2], targets y = (p_i ++ o_i)[1 .. S_i−1], right-padded to T
//   mask_{i,t} = 1 iff y_t is a completion token (t ∈ [|p_i|−1, S_i−2]), so Σ_t mask_{i,t} = |o_i|
//   log π(o_{i,t}) = logSoftmax(logits_{i,t})[y_t]          entropy_{i,t} = −Σ_v π_v log π_v
// Rows start at position 0, so right padding never reaches a real token through causal attention.
import { logSoftmax, reshape, takeAlong } from '../core/ops/index.ts';
import { intTensor, tensor, type Tensor } from '../core/tensor.ts';
import type { PolicyModel } from '../model/policy.ts';

export interface Sequence {
  prompt: readonly number[];
  completion: readonly number[];
}

export interface PackedBatch {
  rows: number;
  /** Columns (max over rows of |p| + |o| − 1). */
  T: number;
  ids: Int32Array;
  targets: Int32Array;
  /** 1 on completion targets, 0 on the prompt and padding; [rows, T]. */
  mask: Float32Array;
  /** |o_i|: completion tokens per row. */
  lengths: number[];
}

export function packBatch(seqs: readonly Sequence[], padId: number): PackedBatch {
  const rows = seqs.length;
  if (rows === 0) throw new Error('packBatch: no sequences');
  for (const s of seqs) {
    if (s.prompt.length === 0) throw new Error('packBatch: a prompt needs at least one token');
    if (s.completion.length === 0) throw new Error('packBatch: an empty completion has no tokens to score');
  }
  const T = Math.max(...seqs.map((s) => s.prompt.length + s.completion.length - 1));
  const ids = new Int32Array(rows * T).fill(padId);
  const targets = new Int32Array(rows * T).fill(padId);
  const mask = new Float32Array(rows * T);
  seqs.forEach((s, i) => {
    const full = [...s.prompt, ...s.completion];
    for (let t = 0; t < full.length - 1; t++) {
      ids[i * T + t] = full[t]!;
      targets[i * T + t] = full[t + 1]!;
      if (t >= s.prompt.length - 1) mask[i * T + t] = 1;
    }
  });
  return { rows, T, ids, targets, mask, lengths: seqs.map((s) => s.completion.length) };
}

export interface LogProbs {
  /** log π(y_t) per position, [rows, T] (differentiable when the model is). */
  logp: Tensor;
  /** The full log-softmax [rows, T, V], kept for the entropy readout. */
  logSoftmax: Tensor;
}

/** One teacher-forced forward: per-token log-probabilities of the batch's targets. */
export function batchLogProbs(model: PolicyModel, batch: PackedBatch): LogProbs {
  const { rows, T } = batch;
  const V = model.vocabSize;
  const lsm = logSoftmax(model.forward(intTensor(batch.ids, [rows, T])));
  const picked = takeAlong(reshape(lsm, [rows * T, V]), 1, intTensor(batch.targets, [rows * T, 1]));
  return { logp: reshape(picked, [rows, T]), logSoftmax: lsm };
}

/** Σ of per-token entropies (nats) over the masked positions, and their count, from a log-softmax [rows, T, V]. */
export async function entropySum(logSoftmaxT: Tensor, mask: Float32Array): Promise<{ sum: number; count: number }> {
  const V = logSoftmaxT.dim(-1);
  const lp = await logSoftmaxT.data();
  let sum = 0,
    count = 0;
  for (let r = 0; r < mask.length; r++) {
    if (mask[r] === 0) continue;
    for (let v = 0; v < V; v++) {
      const l = lp[r * V + v]!;
      if (l > -Infinity) sum -= Math.exp(l) * l;
    }
    count++;
  }
  return { sum, count };
}

/** A host array [rows, T] as a float tensor of the model's dtype. */
export function hostTensor(data: ArrayLike<number>, rows: number, T: number, like: Tensor): Tensor {
  return tensor(data, [rows, T], { dtype: like.dtype, backend: like.backend });
}
