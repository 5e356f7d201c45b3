// Rotary position embedding (Su et al. 2021, RoFormer): rotate each pair of a head's channels by the
// angle pos·θ_i with θ_i = base^(−2i/d). Rotations preserve norms, and q·k after rotation depends only on the
// relative position of q and k. Two layouts pair channels differently: 'interleaved' pairs (2i, 2i+1)
// (DeepSeek's reference inference code), 'half' pairs (i, i + d/2) (Hugging Face). The gradient of a rotation
// is the inverse rotation of the gradient.
import type { Backend, DType } from '../../backend/backend.ts';
import { record } from '../autograd.ts';
import { Tensor, empty, tensor } from '../tensor.ts';

/** cos/sin tables [maxPos, dim/2] for angles pos·invFreq[i]. */
export interface RopeTables {
  cos: Tensor;
  sin: Tensor;
  dim: number;
  maxPos: number;
}

/** θ_i = base^(−2i/dim), the default (unscaled) RoPE frequencies. */
export function ropeInvFreq(dim: number, base: number): Float64Array {
  const f = new Float64Array(dim / 2);
  for (let i = 0; i < dim / 2; i++) f[i] = Math.pow(base, (-2 * i) / dim);
  return f;
}

/** Tables from inverse frequencies; `scale` multiplies cos and sin (YaRN's attention-temperature mscale). */
export function ropeTables(
  invFreq: Float64Array,
  maxPos: number,
  opts: { backend?: Backend; dtype?: DType; scale?: number } = {},
): RopeTables {
  const half = invFreq.length;
  const c = new Float64Array(maxPos * half),
    s = new Float64Array(maxPos * half);
  const scale = opts.scale ?? 1;
  for (let p = 0; p < maxPos; p++) {
    for (let i = 0; i < half; i++) {
      // Angles in float32 first, as the reference implementations compute them, so logits match to ~1e-6.
      const angle = Math.fround(Math.fround(p) * Math.fround(invFreq[i]!));
      c[p * half + i] = Math.cos(angle) * scale;
      s[p * half + i] = Math.sin(angle) * scale;
    }
  }
  const o = { backend: opts.backend, dtype: opts.dtype ?? 'float32' };
  return { cos: tensor(c, [maxPos, half], o), sin: tensor(s, [maxPos, half], o), dim: half * 2, maxPos };
}

/**
 * Rotate x [..., heads, dim] where the leading dims flatten to rows with positions `pos` (int32 [rows]).
 */
export function rope(x: Tensor, pos: Tensor, tables: RopeTables, style: 'interleaved' | 'half'): Tensor {
  const dim = x.dim(-1),
    heads = x.dim(-2);
  const rows = x.size / (dim * heads);
  if (dim !== tables.dim) throw new Error(`rope: head dim ${dim} ≠ table dim ${tables.dim}`);
  if (pos.size !== rows || pos.dtype !== 'int32')
    throw new Error(`rope: need ${rows} int32 positions, got [${pos.shape}] ${pos.dtype}`);
  const apply = (t: Tensor, inverse: boolean) => {
    const out = empty(t.backend, t.dtype, t.shape);
    t.backend.rope(t.storage, pos.storage, tables.cos.storage, tables.sin.storage, out.storage, {
      rows,
      heads,
      dim,
      style,
      inverse,
    });
    return out;
  };
  return record(apply(x, false), 'rope', [x], (g) => [apply(g, true)]);
}
