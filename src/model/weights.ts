// Named tensors ⇄ model parameters, shared by both checkpoint layouts (tinyseek run directories and Hugging Face
// directories): host copies for writing, and a checked conversion of decoded safetensors into parameters that
// refuses missing, extra, mis-shaped or non-float tensors with an InputError naming the file.
import { InputError } from '../core/errors.ts';
import { tensor, type Tensor } from '../core/tensor.ts';
import { parameterShapes, type ModelConfig } from './config.ts';
import type { SafeTensor } from './safetensors.ts';

export interface LoadOptions {
  /** Parameters require gradients (default true; the MoE balancing bias never does). */
  requiresGrad?: boolean;
  /** Storage dtype of the parameters (default float32). */
  dtype?: 'float32' | 'float64';
  /** Accept NaN/±Inf weights (for inspecting a diverged run); by default they are refused by tensor name. */
  allowNonfinite?: boolean;
}

/** The first non-finite entry of `data` and how many there are, or undefined when all are finite. */
export function nonFinite(data: ArrayLike<number>): { index: number; value: number; count: number } | undefined {
  let first = -1,
    count = 0;
  for (let i = 0; i < data.length; i++) {
    if (!Number.isFinite(data[i]!)) {
      if (first < 0) first = i;
      count++;
    }
  }
  return first < 0 ? undefined : { index: first, value: data[first]!, count };
}

/** Host copies of named tensors, as safetensors F32 entries (read asynchronously: a GPU maps its buffers). */
export async function toSafeTensors(named: Iterable<[string, Tensor]>): Promise<Record<string, SafeTensor>> {
  const out: Record<string, SafeTensor> = {};
  for (const [name, t] of named)
    out[name] = { dtype: 'F32', shape: [...t.shape], data: Float32Array.from(await t.data()) };
  return out;
}

/** Named parameters from decoded tensors, checked against the config's shapes; `file` names the source in errors. */
export function paramsFromTensors(
  tensors: Record<string, SafeTensor>,
  config: ModelConfig,
  file: string,
  opts: LoadOptions = {},
): Map<string, Tensor> {
  const expected = parameterShapes(config);
  const missing = [...expected.keys()].filter((k) => !(k in tensors));
  if (missing.length)
    throw new InputError(
      `${file}: missing ${missing.length} tensor(s) the config needs, e.g. ${missing.slice(0, 3).join(', ')}`,
    );
  const extra = Object.keys(tensors).filter((k) => !expected.has(k));
  if (extra.length)
    throw new InputError(
      `${file}: ${extra.length} tensor(s) the config does not have, e.g. ${extra.slice(0, 3).join(', ')}`,
    );
  const params = new Map<string, Tensor>();
  for (const [name, shape] of expected) {
    const t = tensors[name]!;
    if (t.shape.join() !== shape.join())
      throw new InputError(`${file}: ${name} has shape [${t.shape}], the config needs [${shape}]`);
    if (!(t.data instanceof Float32Array || t.data instanceof Float64Array)) {
      const fp8 = t.dtype.startsWith('F8') ? ' (FP8 block-quantised weights must be dequantised first)' : '';
      throw new InputError(`${file}: ${name} has dtype ${t.dtype}, expected a float type${fp8}`);
    }
    const bad = opts.allowNonfinite ? undefined : nonFinite(t.data);
    if (bad) {
      throw new InputError(
        `${file}: tensor ${name} holds ${bad.count} non-finite value(s), first ${bad.value} at index ${bad.index} (a diverged run?); --allow-nonfinite loads it for inspection`,
      );
    }
    const buffer = name.endsWith('e_score_correction_bias');
    const p = tensor(t.data, shape, {
      dtype: opts.dtype ?? 'float32',
      requiresGrad: buffer ? false : (opts.requiresGrad ?? true),
    });
    p.name = name;
    params.set(name, p);
  }
  return params;
}
