// SwiGLU (Shazeer 2020), the FFN of Llama and DeepSeek: FFN(x) = W2 · (SiLU(W1·x) ⊙ W3·x).
// This file holds the gated product; SiLU itself lives with the other elementwise maps.
import type { Tensor } from '../tensor.ts';
import { mul, silu } from './elementwise.ts';

/** SiLU(gate) ⊙ up. */
export function swiglu(gate: Tensor, up: Tensor): Tensor {
  return mul(silu(gate), up);
}
