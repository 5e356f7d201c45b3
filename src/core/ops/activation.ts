// SwiGLU (Shazeer 2020), the FFN of Llama and DeepSeek: FFN(x) = W2 · (SiLU(W1·x) ⊙ W3·x).
// This file holds the gated product, fused: one pass forward, one backward, with
//   ∂gate = (g ⊙ up) ⊙ SiLU'(gate),  ∂up = g ⊙ SiLU(gate)
// and the same bits as the composed ops (swigluComposed, the reference it is tested against). When the graph is
// recorded, the CPU keeps σ(gate) (float64, the value the backward would recompute), trading an exp per element
// in the backward for 8 bytes per element held until it runs. A row weight w [rows, 1] (the MoE combine weight
// g_{t,e}) can ride along: SwiGLU ⊙ w in the same pass, with ∂w[r] = Σ_j g[r, j]·SwiGLU[r, j].
import { isRecording, record } from '../autograd.ts';
import { empty, type Tensor } from '../tensor.ts';
import { mul, silu } from './elementwise.ts';

/** SiLU(gate) ⊙ up, each row times weight[r] when a weight [rows, 1] is given. */
export function swiglu(gate: Tensor, up: Tensor, weight?: Tensor): Tensor {
  if (
    gate.dtype !== up.dtype ||
    gate.shape.length !== up.shape.length ||
    gate.shape.some((s, i) => s !== up.shape[i])
  ) {
    return swigluComposed(gate, up, weight); // broadcasting or mixed dtypes: the general ops
  }
  if (weight) return swigluScaled(gate, up, weight);
  const b = gate.backend;
  const out = empty(b, gate.dtype, gate.shape);
  // Where the backend can, a forward that will be differentiated keeps σ(gate) so the backward needs no exp (the
  // kernel writes every σ: no zero fill).
  const sig =
    b.swigluKeep && b.swigluBackwardKept && isRecording() && (gate.requiresGrad || up.requiresGrad)
      ? empty(b, 'float64', gate.shape).storage
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

/**
 * SwiGLU ⊙ w for gate, up [rows, n] and w [rows, 1], fused where the backend can and the graph is recorded
 * (the MoE's training step); otherwise swiglu, then mul, which give the same bits.
 */
function swigluScaled(gate: Tensor, up: Tensor, w: Tensor): Tensor {
  const b = gate.backend,
    n = gate.dim(-1);
  const fits = gate.ndim === 2 && w.ndim === 2 && w.dim(0) === gate.dim(0) && w.dim(1) === 1 && w.dtype === gate.dtype;
  const recorded = isRecording() && (gate.requiresGrad || up.requiresGrad || w.requiresGrad);
  if (!(fits && recorded && b.swigluScaledKeep && b.swigluScaledBackwardKept)) return mul(swiglu(gate, up), w);
  const out = empty(b, gate.dtype, gate.shape);
  const sig = empty(b, 'float64', gate.shape).storage;
  b.swigluScaledKeep(gate.storage, up.storage, w.storage, out.storage, sig, n);
  return record(out, 'swiglu', [gate, up, w], (g) => {
    const dGate = empty(b, gate.dtype, gate.shape),
      dUp = empty(b, gate.dtype, gate.shape),
      dw = empty(b, w.dtype, w.shape);
    b.swigluScaledBackwardKept!(
      gate.storage,
      up.storage,
      w.storage,
      sig,
      g.storage,
      dGate.storage,
      dUp.storage,
      dw.storage,
      n,
    );
    return [gate.requiresGrad ? dGate : null, up.requiresGrad ? dUp : null, w.requiresGrad ? dw : null];
  });
}

/** SiLU(gate) ⊙ up (⊙ weight) as recorded elementwise ops. */
export function swigluComposed(gate: Tensor, up: Tensor, weight?: Tensor): Tensor {
  const s = mul(silu(gate), up);
  return weight ? mul(s, weight) : s;
}
