// Elementwise math with NumPy broadcasting, each forward beside its gradient.
//
// Broadcasting aligns shapes from the right; a dimension of 1 (or a missing one) repeats. The gradient of a
// broadcast input is the output gradient summed over the dimensions it was repeated along (`sumTo`).
//   d(a+b) = (g, g)   d(a−b) = (g, −g)   d(a·b) = (g·b, g·a)   d(a/b) = (g/b, −g·a/b²)
import type { BinaryOp, UnaryOp, View } from '../../backend/backend.ts';
import { record } from '../autograd.ts';
import { Tensor, empty, tensor } from '../tensor.ts';

// ---- broadcasting ----------------------------------------------------------------------------------

export function broadcastShapes(a: readonly number[], b: readonly number[]): number[] {
  const n = Math.max(a.length, b.length);
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const x = a[a.length - n + i] ?? 1,
      y = b[b.length - n + i] ?? 1;
    if (x !== y && x !== 1 && y !== 1) throw new Error(`shapes [${a}] and [${b}] do not broadcast`);
    out[i] = x === 1 ? y : x;
  }
  return out;
}

/** A view of contiguous `shape` stretched to `target` (stride 0 along repeated dims). */
export function broadcastView(shape: readonly number[], target: readonly number[]): View {
  const strides = new Array<number>(target.length).fill(0);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    const t = target.length - shape.length + i;
    strides[t] = shape[i] === 1 && target[t] !== 1 ? 0 : acc;
    acc *= shape[i]!;
  }
  return { shape: target, strides, offset: 0 };
}

/** Sum a gradient of shape `g.shape` down to the (broadcastable) `shape` it came from. */
export function sumTo(g: Tensor, shape: readonly number[]): Tensor {
  if (g.shape.join() === shape.join()) return g;
  const lead = g.ndim - shape.length;
  let cur = g;
  const curShape = g.shape.slice();
  for (let ax = 0; ax < g.ndim; ax++) {
    const want = ax < lead ? 1 : shape[ax - lead]!;
    if (want === 1 && curShape[ax] !== 1) {
      const outer = curShape.slice(0, ax).reduce((p, q) => p * q, 1);
      const inner = curShape.slice(ax + 1).reduce((p, q) => p * q, 1);
      curShape[ax] = 1;
      const out = empty(cur.backend, cur.dtype, curShape);
      cur.backend.reduce('sum', cur.storage, out.storage, outer, g.shape[ax]!, inner);
      cur = out;
    }
  }
  return new Tensor(cur.backend, cur.storage, shape);
}

// ---- binary ------------------------------------------------------------------------------------------

/** A raw broadcasting zip with no gradient (comparisons, masks). */
export function zip(op: BinaryOp, a: Tensor, b: Tensor): Tensor {
  if (a.dtype !== b.dtype) throw new Error(`${op}: dtypes differ (${a.dtype} vs ${b.dtype})`);
  const shape = broadcastShapes(a.shape, b.shape);
  const out = empty(a.backend, a.dtype, shape);
  a.backend.binary(op, a.storage, broadcastView(a.shape, shape), b.storage, broadcastView(b.shape, shape), out.storage);
  return out;
}

export function add(a: Tensor, b: Tensor): Tensor {
  return record(zip('add', a, b), 'add', [a, b], (g) => [sumTo(g, a.shape), sumTo(g, b.shape)]);
}
export function sub(a: Tensor, b: Tensor): Tensor {
  return record(zip('sub', a, b), 'sub', [a, b], (g) => [
    sumTo(g, a.shape),
    b.requiresGrad ? sumTo(neg(g), b.shape) : null,
  ]);
}
export function mul(a: Tensor, b: Tensor): Tensor {
  return record(zip('mul', a, b), 'mul', [a, b], (g) => [
    a.requiresGrad ? sumTo(mul(g, b), a.shape) : null,
    b.requiresGrad ? sumTo(mul(g, a), b.shape) : null,
  ]);
}
export function div(a: Tensor, b: Tensor): Tensor {
  const out = zip('div', a, b);
  return record(out, 'div', [a, b], (g) => [
    a.requiresGrad ? sumTo(div(g, b), a.shape) : null,
    b.requiresGrad ? sumTo(neg(div(mul(g, out), b)), b.shape) : null,
  ]);
}
/** Elementwise max; the gradient goes to a where a ≥ b, else to b. */
export function maximum(a: Tensor, b: Tensor): Tensor {
  const out = zip('max', a, b);
  return record(out, 'maximum', [a, b], (g) => {
    const aWins = zip('eq', out, a);
    const bGrad = mul(g, addScalar(neg(aWins), 1));
    return [sumTo(mul(g, aWins), a.shape), sumTo(bGrad, b.shape)];
  });
}
// ---- unary -------------------------------------------------------------------------------------------

/** Apply a backend map; exported for ops that need a raw, non-differentiable map. */
export function map(op: UnaryOp, x: Tensor, scalar?: number, dtype = x.dtype): Tensor {
  const out = empty(x.backend, dtype, x.shape);
  x.backend.unary(op, x.storage, out.storage, scalar);
  return out;
}

export function neg(x: Tensor): Tensor {
  return record(map('neg', x), 'neg', [x], (g) => [neg(g)]);
}
export function exp(x: Tensor): Tensor {
  const out = map('exp', x);
  return record(out, 'exp', [x], (g) => [mul(g, out)]);
}
export function log(x: Tensor): Tensor {
  return record(map('log', x), 'log', [x], (g) => [div(g, x)]);
}
export function sqrt(x: Tensor): Tensor {
  const out = map('sqrt', x);
  return record(out, 'sqrt', [x], (g) => [div(mulScalar(g, 0.5), out)]);
}
/** x^-1/2; d = −½·x^-3/2 */
export function rsqrt(x: Tensor): Tensor {
  const out = map('rsqrt', x);
  return record(out, 'rsqrt', [x], (g) => [mul(g, mulScalar(powScalar(out, 3), -0.5))]);
}
export function square(x: Tensor): Tensor {
  return record(map('square', x), 'square', [x], (g) => [mul(g, mulScalar(x, 2))]);
}
export function sigmoid(x: Tensor): Tensor {
  const out = map('sigmoid', x);
  return record(out, 'sigmoid', [x], (g) => [mul(g, mul(out, addScalar(neg(out), 1)))]);
}
export function tanh(x: Tensor): Tensor {
  const out = map('tanh', x);
  return record(out, 'tanh', [x], (g) => [mul(g, addScalar(neg(square(out)), 1))]);
}
export function relu(x: Tensor): Tensor {
  return record(map('relu', x), 'relu', [x], (g) => [mul(g, map('gtScalar', x, 0))]);
}
/** SiLU(x) = x·σ(x); d = σ(x)·(1 + x·(1 − σ(x))) */
export function silu(x: Tensor): Tensor {
  return record(map('silu', x), 'silu', [x], (g) => [mul(g, map('siluGrad', x))]);
}

export function addScalar(x: Tensor, c: number): Tensor {
  return record(map('addScalar', x, c), 'addScalar', [x], (g) => [g]);
}
export function mulScalar(x: Tensor, c: number): Tensor {
  return record(map('mulScalar', x, c), 'mulScalar', [x], (g) => [mulScalar(g, c)]);
}
/** x^c; d = c·x^(c−1) */
export function powScalar(x: Tensor, c: number): Tensor {
  return record(map('powScalar', x, c), 'powScalar', [x], (g) => [mul(g, mulScalar(powScalar(x, c - 1), c))]);
}
/** A scalar tensor of x's dtype and backend. */
export function scalarLike(x: Tensor, value: number): Tensor {
  return tensor([value], [], { dtype: x.dtype, backend: x.backend });
}
/** Cast to another dtype (no gradient: used for masks and indices). */
export function cast(x: Tensor, dtype: Tensor['dtype']): Tensor {
  return map('copy', x, undefined, dtype);
}
