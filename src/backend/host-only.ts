// The few CPU-only paths (FP8 emulation, BF16 moment rounding, the sparse MoE dispatch) read tensors to the host
// synchronously, which a GPU backend cannot do. They refuse other backends up front with a message that names
// the feature, instead of failing deep inside a kernel.
import { InputError } from '../core/errors.ts';
import type { Tensor } from '../core/tensor.ts';

export function requireHostMemory(t: Tensor, what: string): void {
  if (t.backend.name !== 'cpu')
    throw new InputError(
      `${what} runs on the CPU backend only (it reads tensors to the host mid-step); use --backend cpu`,
    );
}
