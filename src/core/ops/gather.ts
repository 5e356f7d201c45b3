// Indexing: gather rows (embedding lookup, picking one logit per row), scatter-add (its transpose), and
// top-k. Gradients: ∂gather = scatter-add of G into zeros at the same indices; ∂scatterAddRows = gather(G);
// ∂topk values = scatter of G to the chosen positions. Indices are int32 tensors, never host arrays, so
// routing (MoE) can stay on the device.
import { record } from '../autograd.ts';
import { Tensor, empty, zeros } from '../tensor.ts';
import { normAxis } from './reduce.ts';

function around(x: Tensor, a: number): [number, number, number] {
  return [x.shape.slice(0, a).reduce((p, q) => p * q, 1), x.shape[a]!, x.shape.slice(a + 1).reduce((p, q) => p * q, 1)];
}

function checkIdx(idx: Tensor): void {
  if (idx.dtype !== 'int32') throw new Error(`index tensor must be int32, got ${idx.dtype}`);
}

/**
 * Select entries along `axis` with one shared list of indices: out.shape = x.shape with axis → idx.shape.
 * `indexSelect(table [V, D], ids [B, T], 0)` is an embedding lookup → [B, T, D].
 */
export function indexSelect(x: Tensor, axis: number, idx: Tensor): Tensor {
  checkIdx(idx);
  const a = normAxis(x, axis);
  const [outer, n, inner] = around(x, a);
  const shape = [...x.shape.slice(0, a), ...idx.shape, ...x.shape.slice(a + 1)];
  const out = empty(x.backend, x.dtype, shape);
  x.backend.gather(x.storage, idx.storage, out.storage, outer, n, idx.size, inner, 0);
  return record(out, 'indexSelect', [x], (g) => {
    const gx = zeros(x.shape, { dtype: g.dtype, backend: g.backend });
    g.backend.scatterAdd(gx.storage, idx.storage, g.storage, outer, n, idx.size, inner, 0);
    return [gx];
  });
}

export const embedding = (table: Tensor, ids: Tensor): Tensor => indexSelect(table, 0, ids);

/**
 * Per-row selection along `axis`: idx has x's shape except `count` entries along axis.
 * out[..., j, ...] = x[..., idx[..., j, ...], ...]. Used to pick target log-probs and routed expert scores.
 */
export function takeAlong(x: Tensor, axis: number, idx: Tensor): Tensor {
  checkIdx(idx);
  const a = normAxis(x, axis);
  const [outer, n, inner] = around(x, a);
  if (inner !== 1) throw new Error('takeAlong: only the last axis is supported');
  const count = idx.shape[a]!;
  if (idx.size !== outer * count)
    throw new Error(`takeAlong: index shape [${idx.shape}] does not fit [${x.shape}] on axis ${a}`);
  const out = empty(x.backend, x.dtype, idx.shape);
  x.backend.gather(x.storage, idx.storage, out.storage, outer, n, count, 1, count);
  return record(out, 'takeAlong', [x], (g) => {
    const gx = zeros(x.shape, { dtype: g.dtype, backend: g.backend });
    g.backend.scatterAdd(gx.storage, idx.storage, g.storage, outer, n, count, 1, count);
    return [gx];
  });
}

/**
 * Scatter-add into zeros: out [rows, ...] with out[idx[j], ...] = Σ src[j, ...] over the j that name that row,
 * summed in order j (the sparse MoE's combine, a one-hot row scatter). Gradient: ∂src = gather(G, idx).
 */
export function scatterAddRows(rows: number, idx: Tensor, src: Tensor): Tensor {
  checkIdx(idx);
  const inner = src.size / Math.max(1, src.shape[0]!);
  if (src.shape[0] !== idx.size) throw new Error(`scatterAddRows: src [${src.shape}] does not have ${idx.size} rows`);
  const out = zeros([rows, ...src.shape.slice(1)], { dtype: src.dtype, backend: src.backend });
  src.backend.scatterAdd(out.storage, idx.storage, src.storage, 1, rows, idx.size, inner, 0);
  return record(out, 'scatterAddRows', [src], (g) => [indexSelect(g, 0, idx)]);
}

/** The k largest entries along the last axis, descending (ties → lower index); values carry gradient. */
export function topk(x: Tensor, k: number): { values: Tensor; indices: Tensor } {
  const n = x.dim(-1);
  if (!(k >= 1 && k <= n)) throw new Error(`topk: k=${k} out of range for last dim ${n}`);
  const rows = x.size / n;
  const shape = [...x.shape.slice(0, -1), k];
  const values = empty(x.backend, x.dtype, shape);
  const indices = empty(x.backend, 'int32', shape);
  x.backend.topk(x.storage, values.storage, indices.storage, rows, n, k);
  record(values, 'topk', [x], (g) => {
    const gx = zeros(x.shape, { dtype: g.dtype, backend: g.backend });
    g.backend.scatterAdd(gx.storage, indices.storage, g.storage, rows, n, k, 1, k);
    return [gx];
  });
  return { values, indices };
}
