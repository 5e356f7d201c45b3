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

// The routed experts live stacked in memory ("<pre>experts.gate_proj.weight" [E, I, d]) and one per expert in
// files ("<pre>experts.<e>.gate_proj.weight" [I, d], HF's layout), so files written before the stacking load
// unchanged. A prefix (optimizer moments' "m.") is kept.
const STACKED = /^(.*\.mlp\.experts)\.(gate_proj|up_proj|down_proj)\.weight$/;
const PER_EXPERT = /^(.*\.mlp\.experts)\.(\d+)\.(gate_proj|up_proj|down_proj)\.weight$/;

/** Whether `name` is a stacked routed-expert tensor [E, ...]. */
export const isStackedExperts = (name: string): boolean => STACKED.test(name);

/** The file name of expert e's slice of a stacked tensor. */
export const expertName = (stacked: string, e: number): string => stacked.replace(STACKED, `$1.${e}.$2.weight`);

/** Host copies of named tensors, as safetensors F32 entries (read asynchronously: a GPU maps its buffers); a
 * stacked expert tensor is written as one entry per expert. */
export async function toSafeTensors(named: Iterable<[string, Tensor]>): Promise<Record<string, SafeTensor>> {
  const out: Record<string, SafeTensor> = {};
  for (const [name, t] of named) {
    const data = Float32Array.from(await t.data());
    if (!isStackedExperts(name) || t.ndim !== 3) {
      out[name] = { dtype: 'F32', shape: [...t.shape], data };
      continue;
    }
    const n = t.size / t.dim(0);
    for (let e = 0; e < t.dim(0); e++)
      out[expertName(name, e)] = { dtype: 'F32', shape: t.shape.slice(1), data: data.slice(e * n, (e + 1) * n) };
  }
  return out;
}

/** Per-expert entries 0..E−1 of equal shape and dtype joined into the stacked tensor; anything else as given. */
export function stackExperts(tensors: Record<string, SafeTensor>): Record<string, SafeTensor> {
  const groups = new Map<string, Map<number, SafeTensor>>();
  const out: Record<string, SafeTensor> = {};
  for (const [name, t] of Object.entries(tensors)) {
    const m = PER_EXPERT.exec(name);
    if (!m) {
      out[name] = t;
      continue;
    }
    const stacked = `${m[1]}.${m[3]}.weight`;
    if (!groups.has(stacked)) groups.set(stacked, new Map());
    groups.get(stacked)!.set(Number(m[2]), t);
  }
  for (const [stacked, byExpert] of groups) {
    const first = byExpert.get(0);
    const E = byExpert.size;
    const whole =
      first &&
      [...byExpert.keys()].every((e) => e < E) &&
      [...byExpert.values()].every(
        (t) =>
          t.dtype === first.dtype &&
          t.shape.join() === first.shape.join() &&
          t.data.constructor === first.data.constructor,
      ) &&
      (first.data instanceof Float32Array || first.data instanceof Float64Array);
    if (!whole) {
      // Left per expert: the shape check names what is wrong.
      for (const [e, t] of byExpert) out[expertName(stacked, e)] = t;
      continue;
    }
    const n = first.data.length;
    const data = first.data instanceof Float64Array ? new Float64Array(E * n) : new Float32Array(E * n);
    for (let e = 0; e < E; e++) data.set(byExpert.get(e)!.data as Float32Array | Float64Array, e * n);
    out[stacked] = { dtype: first.dtype, shape: [E, ...first.shape], data };
  }
  return out;
}

/** Named parameters from decoded tensors, checked against the config's shapes; `file` names the source in errors. */
export function paramsFromTensors(
  tensors: Record<string, SafeTensor>,
  config: ModelConfig,
  file: string,
  opts: LoadOptions = {},
): Map<string, Tensor> {
  tensors = stackExperts(tensors);
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
