// SwiGLU (Shazeer 2020), the FFN of Llama and DeepSeek: FFN(x) = W2 · (SiLU(W1·x) ⊙ W3·x).
// This file holds the gated product, fused: one pass forward, one backward, with
//   ∂gate = (g ⊙ up) ⊙ SiLU'(gate),  ∂up = g ⊙ SiLU(gate)
// and the same bits as the composed ops (swigluComposed, the reference it is tested against). When the graph is
// recorded, the CPU keeps σ(gate) (float64, the value the backward would recompute), trading an exp per element
// in the backward for 8 bytes per element held until it runs.
import { isRecording, record } from '../autograd.ts';
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
  const b = gate.backend;
  const out = empty(b, gate.dtype, gate.shape);
  // Where the backend can, a forward that will be differentiated keeps σ(gate) so the backward needs no exp.
  const sig =
    b.swigluKeep && b.swigluBackwardKept && isRecording() && (gate.requiresGrad || up.requiresGrad)
      ? b.alloc('float64', gate.size)
      : undefined;
  if (sig) b.swigluKeep!(gate.storage, up.storage, out.storage, sig);
  else b.swiglu(gate.storage, up.storage, out.storage);
  return record(out, 'swiglu', [gate, up], (g) => {
    const dGate = empty(b, gate.dtype, gate.shape),
      dUp = empty(b, gate.dtype, gate.shape);
    if (sig) b.swigluBackwardKept!(gate.storage, up.storage, sig, g.storage, dGate.storage, dUp.storage);
    else b.swigluBackward(gate.storage, up.storage, g.storage, dGate.storage, dUp.storage);
    return [gate.requiresGrad ? dGate : null, up.requiresGrad ? dUp : null];
  });
}

/** SiLU(gate) ⊙ up as two recorded ops. */
export function swigluComposed(gate: Tensor, up: Tensor): Tensor {
  return mul(silu(gate), up);
}
