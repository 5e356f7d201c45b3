// Batched matrix multiply C = op(A)·op(B), op = optional transpose of the last two dims (a kernel flag,
// never materialised). Operands are [..., r, c]; batch dims must match, or one side is a plain matrix shared
// by every batch entry. With G = ∂L/∂C:
//   ∂L/∂A = G·op(B)ᵀ  (or op(B)·Gᵀ when A was transposed)
//   ∂L/∂B = op(A)ᵀ·G  (or Gᵀ·op(A) when B was transposed)
// A shared operand's gradient is the sum of its per-entry gradients.
import type { MatmulLayout } from '../../backend/backend.ts';
import { record } from '../autograd.ts';
import { Tensor, empty } from '../tensor.ts';
import { reshape } from './shape.ts';

export interface MatmulOptions {
  transA?: boolean;
  transB?: boolean;
}

const lead = (t: Tensor) => t.shape.slice(0, -2);
const prod = (s: readonly number[]) => s.reduce((p, q) => p * q, 1);

/** The raw product op(x)·op(y) over the batch dims `outLead`; no gradient. */
function mm(x: Tensor, tx: boolean, y: Tensor, ty: boolean, outLead: number[]): Tensor {
  const [xr, xc] = x.shape.slice(-2) as [number, number];
  const [yr, yc] = y.shape.slice(-2) as [number, number];
  const m = tx ? xc : xr,
    k = tx ? xr : xc;
  const ky = ty ? yc : yr,
    n = ty ? yr : yc;
  if (k !== ky)
    throw new Error(`matmul: inner dims differ: [${x.shape}]${tx ? 'ᵀ' : ''} · [${y.shape}]${ty ? 'ᵀ' : ''}`);
  const batch = prod(outLead);
  const L: MatmulLayout = {
    batch,
    m,
    k,
    n,
    transA: tx,
    transB: ty,
    aBatchStride: x.ndim === 2 ? 0 : m * k,
    bBatchStride: y.ndim === 2 ? 0 : k * n,
  };
  const out = empty(x.backend, x.dtype, [...outLead, m, n]);
  x.backend.matmul(x.storage, y.storage, out.storage, L);
  return out;
}

/** Sum a per-entry gradient [..., r, c] over its batch dims down to a shared [r, c] matrix. */
function sumBatch(g: Tensor, shape: readonly number[]): Tensor {
  if (g.ndim === shape.length) return g;
  const out = empty(g.backend, g.dtype, shape);
  g.backend.reduce('sum', g.storage, out.storage, 1, prod(lead(g)), prod(shape));
  return out;
}

export function matmul(a: Tensor, b: Tensor, opts: MatmulOptions = {}): Tensor {
  const ta = opts.transA ?? false,
    tb = opts.transB ?? false;
  if (a.ndim < 2 || b.ndim < 2) throw new Error(`matmul needs ≥2-d operands, got [${a.shape}] and [${b.shape}]`);
  if (a.dtype !== b.dtype) throw new Error(`matmul: dtypes differ (${a.dtype} vs ${b.dtype})`);
  const la = lead(a),
    lb = lead(b);
  let outLead: number[];
  if (la.join() === lb.join() || lb.length === 0) outLead = la;
  else if (la.length === 0) outLead = lb;
  else throw new Error(`matmul: batch dims [${la}] and [${lb}] must match, or one side must be a plain matrix`);
  const out = mm(a, ta, b, tb, outLead);
  return record(out, 'matmul', [a, b], (g) => [
    a.requiresGrad ? sumBatch(ta ? mm(b, tb, g, true, outLead) : mm(g, false, b, !tb, outLead), a.shape) : null,
    b.requiresGrad ? sumBatch(tb ? mm(g, true, a, ta, outLead) : mm(a, !ta, g, false, outLead), b.shape) : null,
  ]);
}

/** A linear layer y = x·Wᵀ with W stored [out, in] (HF layout): x [..., in] → [..., out]. */
export function linearT(x: Tensor, w: Tensor): Tensor {
  const rows = x.size / x.dim(-1);
  const y = matmul(reshape(x, [rows, x.dim(-1)]), w, { transB: true });
  return x.ndim === 2 ? y : reshape(y, [...x.shape.slice(0, -1), w.dim(0)]);
}
