// SwiGLU (Shazeer 2020), the FFN of Llama and DeepSeek: FFN(x) = W2 · (SiLU(W1·x) ⊙ W3·x).
// This file holds the gated product, fused: one pass forward, one backward, with
//   ∂gate = (g ⊙ up) ⊙ SiLU'(gate),  ∂up = g ⊙ SiLU(gate)
// and the same bits as the composed ops (swigluComposed, the reference it is tested against).
import { record } from '../autograd.ts';
import { empty, type Tensor } from '../tensor.ts';
import { mul, silu } from './elementwise.ts';

/** SiLU(gate) ⊙ up. */
export function swiglu(gate: Tensor, up: Tensor): Tensor {
  if (
    gate.dtype !== up.dtype ||
    gate.shape.length !== up.shape.length ||
    gate.shape.some((s, i) => s !== up.shape[i])
  ) {
    return swigluComposed(gate, up); // broadcasting or mixed dtypes: the general ops
  }
  const out = empty(gate.backend, gate.dtype, gate.shape);
  gate.backend.swiglu(gate.storage, up.storage, out.storage);
  return record(out, 'swiglu', [gate, up], (g) => {
    const dGate = empty(gate.backend, gate.dtype, gate.shape),
      dUp = empty(gate.backend, gate.dtype, gate.shape);
    gate.backend.swigluBackward(gate.storage, up.storage, g.storage, dGate.storage, dUp.storage);
    return [gate.requiresGrad ? dGate : null, up.requiresGrad ? dUp : null];
  });
}

/** SiLU(gate) ⊙ up as two recorded ops. */
export function swigluComposed(gate: Tensor, up: Tensor): Tensor {
  return mul(silu(gate), up);
}
