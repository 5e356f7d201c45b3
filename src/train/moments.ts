// AdamW's moments as a safetensors file, for resumable run directories: m and v of every parameter under
// `m.<name>` and `v.<name>`. The step count is not a tensor; the run's config.json keeps it.
import { InputError } from '../core/errors.ts';
import type { AdamWState } from '../core/optim.ts';
import { tensor, type Tensor } from '../core/tensor.ts';
import { decodeSafetensors, encodeSafetensors } from '../model/safetensors.ts';
import { stackExperts, toSafeTensors } from '../model/weights.ts';

export async function encodeMoments(params: readonly Tensor[], state: AdamWState): Promise<Uint8Array> {
  return encodeSafetensors(
    await toSafeTensors(
      params.flatMap(
        (p, i) =>
          [
            [`m.${p.name}`, state.m[i]!],
            [`v.${p.name}`, state.v[i]!],
          ] as [string, Tensor][],
      ),
    ),
  );
}

/** The optimizer state for `params` from `encodeMoments` bytes; `file` names the source in errors. */
export function decodeMoments(bytes: Uint8Array, params: readonly Tensor[], step: number, file: string): AdamWState {
  const tensors = stackExperts(decodeSafetensors(bytes, file).tensors);
  const moment = (key: string, like: Tensor) => {
    const t = tensors[key];
    if (!t || t.shape.join() !== like.shape.join()) throw new InputError(`${file}: missing or misshaped ${key}`);
    return tensor(t.data as Float32Array, like.shape, { backend: like.backend });
  };
  if (!Number.isInteger(step) || step < 0) throw new InputError(`${file}: no valid optimizer step count`);
  return { step, m: params.map((p) => moment(`m.${p.name}`, p)), v: params.map((p) => moment(`v.${p.name}`, p)) };
}
