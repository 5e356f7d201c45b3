// RMSNorm (Zhang & Sennrich 2019; used by Llama and DeepSeek): y = x · r · w with r = 1/√(mean(x²) + ε)
// per row of the last axis. With u = g ⊙ w:
//   ∂x = r·u − x · r³ · mean(u ⊙ x)        ∂w = Σ_rows g ⊙ x · r
// It is invariant to scaling x by any c > 0 (up to ε).
import { record } from '../autograd.ts';
import { Tensor, empty } from '../tensor.ts';
import { mul, sub } from './elementwise.ts';
import { mean, sum } from './reduce.ts';
import { reshape } from './shape.ts';

export function rmsNorm(x: Tensor, weight: Tensor, eps = 1e-6): Tensor {
  const n = x.dim(-1);
  if (weight.ndim !== 1 || weight.size !== n)
    throw new Error(`rmsNorm: weight [${weight.shape}] does not match last dim ${n}`);
  const rows = x.size / n;
  const out = empty(x.backend, x.dtype, x.shape);
  const rstd = empty(x.backend, x.dtype, [...x.shape.slice(0, -1), 1]);
  x.backend.rmsnorm(x.storage, weight.storage, out.storage, rstd.storage, rows, n, eps);
  // Backward in one fused pass (the same bits as rmsNormBackwardComposed).
  return record(out, 'rmsNorm', [x, weight], (g) => {
    const gx = empty(x.backend, x.dtype, x.shape),
      gw = empty(x.backend, x.dtype, [n]);
    x.backend.rmsnormBackward(x.storage, weight.storage, rstd.storage, g.storage, gx.storage, gw.storage, rows, n);
    return [x.requiresGrad ? gx : null, weight.requiresGrad ? gw : null];
  });
}

/** The RMSNorm backward as separate ops: the reference the fused kernel is tested against. */
export function rmsNormBackwardComposed(x: Tensor, weight: Tensor, rstd: Tensor, g: Tensor): [Tensor, Tensor] {
  const n = x.dim(-1),
    rows = x.size / n;
  const u = mul(g, weight);
  const gx = sub(mul(u, rstd), mul(x, mul(mul(rstd, mul(rstd, rstd)), mean(mul(u, x), -1, true))));
  const gw = sum(reshape(mul(g, mul(x, rstd)), [rows, n]), 0);
  return [gx, gw];
}
