// Shape ops: reshape (free: same storage), permute/transpose, slice, concat, expand. Strided views are
// materialised by the backend's copy kernel. Gradients: reshape back; permute by the inverse permutation;
// slice by writing into zeros; concat by slicing; expand by summing over the repeated dims.
import { contiguousStrides, contiguousView, sliceView } from '../../backend/view.ts';
import { record } from '../autograd.ts';
import { Tensor, empty, numel, zeros } from '../tensor.ts';
import { broadcastView, sumTo } from './elementwise.ts';

/** Same storage, new shape; one dimension may be -1 (inferred). */
export function reshape(x: Tensor, shape: readonly number[]): Tensor {
  const s = shape.slice();
  const inferred = s.indexOf(-1);
  if (inferred >= 0) {
    const known = s.reduce((p, q, i) => (i === inferred ? p : p * q), 1);
    s[inferred] = known === 0 ? 0 : x.size / known;
  }
  if (numel(s) !== x.size) throw new Error(`reshape: [${x.shape}] (${x.size} elements) cannot become [${shape}]`);
  const out = new Tensor(x.backend, x.storage, s);
  return record(out, 'reshape', [x], (g) => [reshape(g, x.shape)]);
}

export function permute(x: Tensor, perm: readonly number[]): Tensor {
  if (perm.length !== x.ndim || [...perm].sort((a, b) => a - b).some((p, i) => p !== i))
    throw new Error(`permute: [${perm}] is not a permutation of ${x.ndim} dims`);
  const shape = perm.map((p) => x.shape[p]!);
  // Moving only axes of size 1 (e.g. [B, 1, H, D] → [B, H, 1, D] when decoding one token) keeps the memory
  // order: a reshape, no copy.
  const moved = perm.filter((p) => x.shape[p] !== 1);
  if (moved.every((p, i) => i === 0 || moved[i - 1]! < p)) return reshape(x, shape);
  const src = contiguousStrides(x.shape);
  const out = empty(x.backend, x.dtype, shape);
  x.backend.copy(
    x.storage,
    { shape, strides: perm.map((p) => src[p]!), offset: 0 },
    out.storage,
    contiguousView(shape),
  );
  const inverse = perm.map((_, i) => perm.indexOf(i));
  return record(out, 'permute', [x], (g) => [permute(g, inverse)]);
}

/** Swap two axes. */
export function transpose(x: Tensor, a = -2, b = -1): Tensor {
  const perm = x.shape.map((_, i) => i);
  const i = a < 0 ? x.ndim + a : a,
    j = b < 0 ? x.ndim + b : b;
  [perm[i], perm[j]] = [perm[j]!, perm[i]!];
  return permute(x, perm);
}

/** Elements [start, end) along `axis`. */
export function slice(x: Tensor, axis: number, start: number, end: number): Tensor {
  const a = axis < 0 ? x.ndim + axis : axis;
  if (!(0 <= start && start <= end && end <= x.shape[a]!))
    throw new Error(`slice [${start}, ${end}) out of range for dim ${a} of [${x.shape}]`);
  const view = sliceView(x.shape, a, start, end);
  const out = empty(x.backend, x.dtype, view.shape);
  x.backend.copy(x.storage, view, out.storage, contiguousView(view.shape));
  return record(out, 'slice', [x], (g) => {
    const gx = zeros(x.shape, { dtype: g.dtype, backend: g.backend });
    x.backend.copy(g.storage, contiguousView(g.shape), gx.storage, sliceView(x.shape, a, start, end));
    return [gx];
  });
}

/** Join tensors along `axis` (all other dims equal). */
export function concat(xs: Tensor[], axis: number): Tensor {
  const first = xs[0];
  if (!first) throw new Error('concat: no tensors');
  const a = axis < 0 ? first.ndim + axis : axis;
  const shape = first.shape.slice();
  shape[a] = xs.reduce((s, t) => {
    if (t.ndim !== first.ndim || t.shape.some((d, i) => i !== a && d !== first.shape[i]))
      throw new Error(`concat: shapes [${first.shape}] and [${t.shape}] differ outside axis ${a}`);
    return s + t.shape[a]!;
  }, 0);
  const out = empty(first.backend, first.dtype, shape);
  let at = 0;
  for (const t of xs) {
    first.backend.copy(t.storage, contiguousView(t.shape), out.storage, sliceView(shape, a, at, at + t.shape[a]!));
    at += t.shape[a]!;
  }
  return record(out, 'concat', xs, (g) => {
    let from = 0;
    return xs.map((t) => {
      const gt = slice(g, a, from, from + t.shape[a]!);
      from += t.shape[a]!;
      return gt;
    });
  });
}

/** Materialise a broadcast of x to `shape`. */
export function expand(x: Tensor, shape: readonly number[]): Tensor {
  if (x.shape.join() === shape.join()) return x;
  const out = empty(x.backend, x.dtype, shape);
  x.backend.copy(x.storage, broadcastView(x.shape, shape), out.storage, contiguousView(shape));
  return record(out, 'expand', [x], (g) => [sumTo(g, x.shape)]);
}
