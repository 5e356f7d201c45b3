// Length-bucketed chunks for teacher-forced passes over rollouts of very different lengths.
// A batch padded to its longest row wastes most of its matmuls when answers range from 8 to 100 tokens, so
// rows are sorted by length (ties by index) and packed greedily into chunks of at most `tokenBudget`
// padded tokens; each chunk is one forward (and backward, whose gradients accumulate). Per-row values live
// as ragged arrays (one number per completion token) and are laid onto a chunk's [rows, T] grid by mask.
// Chunking is a speed knob: it changes results only by the rounding of the gradient sum (fixed for a budget).
import { backward, noGrad } from '../core/autograd.ts';
import type { Tensor } from '../core/tensor.ts';
import { PAD_ID } from '../world/index.ts';
import { batchLogProbs, packBatch, type PackedBatch, type Sequence } from './batch.ts';
import type { PolicyModel } from '../model/policy.ts';

/** Row indices grouped into chunks of similar length with rows·T ≤ tokenBudget (a longer row goes alone). */
export function lengthChunks(rows: readonly number[], seqs: readonly Sequence[], tokenBudget: number): number[][] {
  const len = (i: number) => seqs[i]!.prompt.length + seqs[i]!.completion.length - 1;
  const sorted = [...rows].sort((a, b) => len(a) - len(b) || a - b);
  const chunks: number[][] = [];
  let cur: number[] = [];
  for (const i of sorted) {
    // Sorted ascending, so the chunk's T is the length of the row being added.
    if (cur.length > 0 && (cur.length + 1) * len(i) > tokenBudget) {
      chunks.push(cur);
      cur = [];
    }
    cur.push(i);
  }
  if (cur.length) chunks.push(cur);
  return chunks;
}

/** The rows of one chunk as a teacher-forced batch. */
export function packChunk(rows: readonly number[], seqs: readonly Sequence[]): PackedBatch {
  return packBatch(
    rows.map((i) => seqs[i]!),
    PAD_ID,
  );
}

/** Lay per-row values (one per completion token, or one number for the whole row) onto a chunk's grid. */
export function toGrid(batch: PackedBatch, values: readonly (ArrayLike<number> | number)[]): Float64Array {
  const { rows, T, mask } = batch;
  const out = new Float64Array(rows * T);
  for (let r = 0; r < rows; r++) {
    const v = values[r]!;
    let k = 0;
    for (let t = 0; t < T; t++) {
      if (mask[r * T + t] === 0) continue;
      out[r * T + t] = typeof v === 'number' ? v : v[k]!;
      k++;
    }
  }
  return out;
}

/** The inverse of toGrid: each row's completion-token values, from a grid [rows, T]. */
export function fromGrid(batch: PackedBatch, grid: ArrayLike<number>): Float64Array[] {
  const { rows, T, mask } = batch;
  return Array.from({ length: rows }, (_, r) => {
    const out = new Float64Array(batch.lengths[r]!);
    let k = 0;
    for (let t = 0; t < T; t++) if (mask[r * T + t] !== 0) out[k++] = grid[r * T + t]!;
    return out;
  });
}

/** log π(o_t) of every completion token of the given rows, without a graph; ragged, indexed by row. */
export async function completionLogProbs(
  model: PolicyModel,
  seqs: readonly Sequence[],
  rows: readonly number[],
  tokenBudget: number,
): Promise<Map<number, Float64Array>> {
  const out = new Map<number, Float64Array>();
  for (const chunk of lengthChunks(rows, seqs, tokenBudget)) {
    const batch = packChunk(chunk, seqs);
    const grid = await noGrad(() => batchLogProbs(model, batch).logp).data();
    fromGrid(batch, grid).forEach((v, r) => out.set(chunk[r]!, v));
  }
  return out;
}

/**
 * Walk `rows` in length-bucketed chunks: `lossOf` builds each chunk's loss, whose gradient is accumulated
 * (backward per chunk). Returns the summed loss value.
 */
export async function forEachChunk(
  rows: readonly number[],
  seqs: readonly Sequence[],
  budget: number,
  lossOf: (chunk: number[], batch: PackedBatch) => Promise<Tensor>,
): Promise<number> {
  let total = 0;
  for (const chunk of lengthChunks(rows, seqs, budget)) {
    const loss = await lossOf(chunk, packChunk(chunk, seqs));
    total += await loss.item();
    backward(loss);
  }
  return total;
}
