// Training precision of the model's linear layers: 'fp32' (plain matmul), 'fp8-tile' (DeepSeek-V3's recipe:
// E4M3 everywhere, 1×T tiles for activations and their gradients, T×T blocks for weights, promotion to FP32
// every N_C = 128) and 'fp8-tensor' (the same GEMMs with one scale per tensor, the classic recipe V3 improves
// on). `linearFor(p)` is the function a Transformer applies as `model.linear`; embedding, LM head, norms,
// attention and softmax never go through it (V3 keeps them in BF16/FP32). BF16 AdamW moments are a separate
// switch (`roundTensorsToBF16`). Source: reference/deepseek-v3-architecture.md §4.
import { InputError } from '../core/errors.ts';
import { linearT } from '../core/ops/matmul.ts';
import { tensor, type Tensor } from '../core/tensor.ts';
import { decodeBF16Array, encodeBF16Array } from './bf16.ts';
import { fp8LinearT, validateRecipe, type Fp8LinearRecipe } from './fp8-linear.ts';
import { requireHostMemory } from '../backend/host-only.ts';

export type Precision = 'fp32' | 'fp8-tile' | 'fp8-tensor';
export const PRECISIONS: readonly Precision[] = ['fp32', 'fp8-tile', 'fp8-tensor'];

/** The linear layer a model applies: x [..., in], W [out, in] → [..., out]. */
export type LinearFn = (x: Tensor, w: Tensor) => Tensor;

// T = 32 instead of V3's 128: our d = 64 model would otherwise have a single tile per row (= per-token scaling).
export const FP8_TRAINING_TILE_SIZE = 32;

const V3_COMMON = {
  format: 'e4m3',
  tileSize: FP8_TRAINING_TILE_SIZE,
  ue8m0Scales: false,
  cacheActivationsFp8: true,
  quantise: true,
  accumulatorMantissaBits: 13,
  accumulatorRounding: 'truncate',
  mmaK: 32,
  promoteInterval: 128,
} as const;

/** The recipe defaults of each FP8 precision. */
export const FP8_RECIPES: Readonly<Record<Exclude<Precision, 'fp32'>, Fp8LinearRecipe>> = {
  'fp8-tile': { ...V3_COMMON, activationScaling: 'tile', weightScaling: 'block' },
  'fp8-tensor': { ...V3_COMMON, activationScaling: 'tensor', weightScaling: 'tensor' },
};

export function isPrecision(s: unknown): s is Precision {
  return typeof s === 'string' && (PRECISIONS as readonly string[]).includes(s);
}

/** Check a precision from a flag or a file; `source` names where it came from in the error. */
export function validatePrecision(s: unknown, source = 'precision'): Precision {
  if (!isPrecision(s))
    throw new InputError(`${source}: expected one of ${PRECISIONS.join(', ')}, got ${JSON.stringify(s)}`);
  return s;
}

/** The linear function for a precision; `overrides` adjusts the FP8 recipe (ignored for fp32) and is validated here. */
export function linearFor(precision: Precision, overrides: Partial<Fp8LinearRecipe> = {}): LinearFn {
  if (precision === 'fp32') return linearT;
  const recipe: Fp8LinearRecipe = { ...FP8_RECIPES[precision], ...overrides };
  validateRecipe(recipe);
  return (x, w) => fp8LinearT(x, w, recipe);
}

/**
 * Replace every tensor of `ts` by its values rounded to BF16 (round to nearest even), as V3 stores AdamW's
 * moments. Host-side (CPU emulation); the array is updated in place, the tensors themselves are not mutated.
 */
export function roundTensorsToBF16(ts: Tensor[]): void {
  for (let i = 0; i < ts.length; i++) {
    const t = ts[i]!;
    requireHostMemory(t, 'BF16 moment rounding (--bf16-moments)');
    const d = t.dataSync();
    const f32 = d instanceof Float32Array ? d : Float32Array.from(d);
    ts[i] = tensor(decodeBF16Array(encodeBF16Array(f32)), t.shape, { dtype: t.dtype, backend: t.backend });
  }
}
