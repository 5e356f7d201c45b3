// Reductions over one axis: sum, mean, max.
//   d sum_j x_j / d x_i = 1 (the gradient is broadcast back)   mean = sum / n
//   d max_j x_j / d x_i = [x_i = max] / (number of ties)       (ties share the gradient equally)
import type { ReduceOp } from '../../backend/backend.ts';
import { record } from '../autograd.ts';
import { Tensor, empty } from '../tensor.ts';
import { div, mul, mulScalar, zip } from './elementwise.ts';
import { expand, reshape } from './shape.ts';

export function normAxis(x: Tensor, axis: number): number {
  const a = axis < 0 ? x.ndim + axis : axis;
  if (a < 0 || a >= x.ndim) throw new Error(`axis ${axis} out of range for shape [${x.shape}]`);
  return a;
}

/** The raw kernel call: reduce x over axis a, no gradient. */
function reduceRaw(op: ReduceOp, x: Tensor, a: number, keepdim: boolean): Tensor {
  const outer = x.shape.slice(0, a).reduce((p, q) => p * q, 1);
  const inner = x.shape.slice(a + 1).reduce((p, q) => p * q, 1);
  const out = empty(x.backend, x.dtype, keptShape(x.shape, a, keepdim));
  x.backend.reduce(op, x.storage, out.storage, outer, x.shape[a]!, inner);
  return out;
}

function keptShape(shape: readonly number[], a: number, keepdim: boolean): number[] {
  const s = shape.slice();
  if (keepdim) s[a] = 1;
  else s.splice(a, 1);
  return s;
}

/** Sum over `axis`, or over all elements to a scalar when axis is undefined. */
export function sum(x: Tensor, axis?: number, keepdim = false): Tensor {
  if (axis === undefined) return reshape(sum(reshape(x, [x.size]), 0), []);
  const a = normAxis(x, axis);
  return record(reduceRaw('sum', x, a, keepdim), 'sum', [x], (g) => [
    expand(reshape(g, keptShape(x.shape, a, true)), x.shape),
  ]);
}

export function mean(x: Tensor, axis?: number, keepdim = false): Tensor {
  const n = axis === undefined ? x.size : x.shape[normAxis(x, axis)]!;
  return mulScalar(sum(x, axis, keepdim), 1 / n);
}

export function max(x: Tensor, axis: number, keepdim = false): Tensor {
  const a = normAxis(x, axis);
  const out = reduceRaw('max', x, a, keepdim);
  return record(out, 'max', [x], (g) => {
    const kept = keptShape(x.shape, a, true);
    const isMax = zip('eq', x, reshape(out, kept));
    const ties = reduceRaw('sum', isMax, a, true);
    return [mul(isMax, div(reshape(g, kept), ties))];
  });
}
