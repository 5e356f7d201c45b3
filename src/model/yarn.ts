// YaRN (Peng et al. 2023): extending RoPE beyond the pretraining context, as DeepSeek-V3 does [V3 §4.3: s = 40,
// α = 1, β = 32; reference/deepseek-v3-architecture.md §1; model.py precompute_freqs_cis; HF _compute_yarn_parameters].
//   θ_i = base^(−2i/d). Dims that turn many times within the original context L keep θ_i (extrapolation), dims
//   that turn less than once get θ_i/s (interpolation), and a linear ramp blends the dims in between:
//     θ'_i = θ_i/s · r_i + θ_i · (1 − r_i),   r_i = clamp((i − low) / (high − low), 0, 1)
//     low, high = floor / ceil of d·ln(L / (β·2π)) / (2·ln base) for β = β_fast, β_slow.
//   mscale(s, m) = 0.1·m·ln s + 1 (1 when s ≤ 1). HF scales cos/sin by the "attention factor" (mscale(s, mscale) /
//   mscale(s, mscaleAllDim) when both are set, else mscale(s)) and DeepSeek's attention multiplies its softmax scale by
//   mscale(s, mscaleAllDim)² — for V3 (mscale = mscaleAllDim = 1) that is 1 and 1.8739.
// Arithmetic follows HF's float32 steps (Math.fround) so that logits match transformers to ~1e-6.
import type { YarnScaling } from './config.ts';

const f = Math.fround;

export function yarnMscale(scale: number, m = 1): number {
  return scale <= 1 ? 1 : 0.1 * m * Math.log(scale) + 1;
}

/** The dimension index at which a frequency makes `rotations` turns over `maxPos` positions. */
function correctionDim(rotations: number, dim: number, base: number, maxPos: number): number {
  return (dim * Math.log(maxPos / (rotations * 2 * Math.PI))) / (2 * Math.log(base));
}

/** The ramp's [low, high] over the dim/2 frequencies (truncated to integers, as HF and model.py do). */
export function yarnCorrectionRange(dim: number, base: number, y: YarnScaling): [number, number] {
  const low = Math.floor(correctionDim(y.betaFast, dim, base, y.originalMaxPositionEmbeddings));
  const high = Math.ceil(correctionDim(y.betaSlow, dim, base, y.originalMaxPositionEmbeddings));
  return [Math.max(low, 0), Math.min(high, dim - 1)];
}

/** Inverse frequencies θ'_i for a RoPE of width `dim` (dim/2 values). */
export function yarnInvFreq(dim: number, base: number, y: YarnScaling): Float64Array {
  const [low, high0] = yarnCorrectionRange(dim, base, y);
  const high = low === high0 ? high0 + 0.001 : high0; // avoid 0/0 (HF and model.py do the same)
  const out = new Float64Array(dim / 2);
  for (let i = 0; i < dim / 2; i++) {
    const pos = f(Math.pow(base, f((2 * i) / dim)));
    const extrapolation = f(1 / pos),
      interpolation = f(1 / f(y.factor * pos));
    const ramp = f(Math.min(1, Math.max(0, (i - low) / (high - low))));
    const keep = f(1 - ramp); // share of the unscaled frequency
    out[i] = f(f(interpolation * f(1 - keep)) + f(extrapolation * keep));
  }
  return out;
}

/** The factor HF multiplies cos and sin by (so q_rope·k_rope scales by its square). */
export function yarnAttentionFactor(y: YarnScaling): number {
  if (y.attentionFactor !== undefined) return y.attentionFactor;
  if (y.mscale && y.mscaleAllDim) return yarnMscale(y.factor, y.mscale) / yarnMscale(y.factor, y.mscaleAllDim);
  return yarnMscale(y.factor);
}

/** What MLA multiplies its softmax scale by: mscale(s, mscaleAllDim)², or 1 without YaRN / mscaleAllDim. */
export function yarnSoftmaxScaleFactor(y: YarnScaling | undefined): number {
  if (!y || !y.mscaleAllDim) return 1;
  const m = yarnMscale(y.factor, y.mscaleAllDim);
  return m * m;
}
