// Multi-head latent attention (MLA) [V2 §2.1 and App. C, V3 §2.1.1; model.py MLA; HF DeepseekV3Attention;
// reference/deepseek-v3-architecture.md §1].
//   c^Q = RMSNorm(W^DQ h) (or no query latent when qLoraRank = 0);  [q^C_h; q^R_h] = W^UQ c^Q, q^R rotated by RoPE
//   [c^KV; k^R] = W^DKV h;  c^KV ← RMSNorm(c^KV);  k^R = RoPE(k^R), one key shared by every head
//   naive:    k_h = [W^UK_h c^KV; k^R],  v_h = W^UV_h c^KV,  o_h = Σ_j softmax_j(q_h·k_{h,j} · scale) v_{h,j}
//   absorbed: score = (W^UK_hᵀ q^C_h)·c^KV_j + q^R_h·k^R_j — multi-query attention with one key/value "head" of
//             width kvLoraRank (+ qkRopeHeadDim for keys) — then o_h = W^UV_h Σ_j p_j c^KV_j
//   scale = (qkNopeHeadDim + qkRopeHeadDim)^−½ · mscale² (YaRN), the same in both forms; output u = W^O [o_1 … o_H].
// The cache keeps only c^KV (after its norm) and the rotated k^R: kvLoraRank + qkRopeHeadDim numbers per token
// per layer, in both forms (model.py's naive mode caches full K and V; here naive re-expands the cached latent).
import {
  causalAttention,
  concat,
  expand,
  linearT,
  matmul,
  permute,
  reshape,
  rmsNorm,
  rope,
  slice,
  type RopeTables,
} from '../core/ops/index.ts';
import type { Tensor } from '../core/tensor.ts';
import type { ModelConfig } from './config.ts';
import type { KVCache } from './kvcache.ts';
import { yarnSoftmaxScaleFactor } from './yarn.ts';

export type MlaImpl = 'naive' | 'absorbed';

/** ε of the two latent norms: HF builds them with its default 1e-6 whatever rms_norm_eps is (model.py too). */
export const LATENT_NORM_EPS = 1e-6;

export interface MlaOptions {
  layer: number;
  impl: MlaImpl;
  cache?: KVCache;
  bias?: Tensor;
  /** The projections' linear layer (default linearT; FP8 training swaps it, as Transformer.linear). */
  linear?: (x: Tensor, w: Tensor) => Tensor;
}

type Param = (name: string) => Tensor;

/** The softmax scale of MLA: 1/√(d_nope + d_rope), times mscale(s, mscaleAllDim)² under YaRN. */
export function mlaSoftmaxScale(c: ModelConfig): number {
  const m = c.mla!;
  return (m.qkNopeHeadDim + m.qkRopeHeadDim) ** -0.5 * yarnSoftmaxScaleFactor(c.ropeScaling);
}

/** MLA of one layer: h [B·T, d] → [B·T, d]. `pre` is "model.layers.<l>.self_attn.". */
export function mlaAttention(
  p: Param,
  pre: string,
  c: ModelConfig,
  h: Tensor,
  B: number,
  T: number,
  positions: Tensor,
  tables: RopeTables,
  opts: MlaOptions,
): Tensor {
  const m = c.mla!,
    H = c.nHeads,
    dn = m.qkNopeHeadDim,
    dr = m.qkRopeHeadDim,
    dv = m.vHeadDim,
    r = m.kvLoraRank;
  const scale = mlaSoftmaxScale(c),
    linear = opts.linear ?? linearT;

  // Queries: [B, T, H, dn + dr], the RoPE part rotated.
  const qFlat =
    m.qLoraRank > 0
      ? linear(
          rmsNorm(linear(h, p(pre + 'q_a_proj.weight')), p(pre + 'q_a_layernorm.weight'), LATENT_NORM_EPS),
          p(pre + 'q_b_proj.weight'),
        )
      : linear(h, p(pre + 'q_proj.weight'));
  const q = reshape(qFlat, [B, T, H, dn + dr]);
  const qNope = slice(q, 3, 0, dn); // [B, T, H, dn]
  const qPe = rope(slice(q, 3, dn, dn + dr), positions, tables, c.ropeStyle); // [B, T, H, dr]

  // The compressed latent and the shared RoPE key: all the cache keeps.
  const kv = linear(h, p(pre + 'kv_a_proj_with_mqa.weight')); // [B·T, r + dr]
  const latent = reshape(rmsNorm(slice(kv, 1, 0, r), p(pre + 'kv_a_layernorm.weight'), LATENT_NORM_EPS), [B, T, r]);
  const kPe = reshape(rope(reshape(slice(kv, 1, r, r + dr), [B * T, 1, dr]), positions, tables, c.ropeStyle), [
    B,
    T,
    dr,
  ]);
  const [cKV, kR] = (opts.cache ? opts.cache.extend(opts.layer, [latent, kPe], 1) : [latent, kPe]) as [Tensor, Tensor]; // [B, S, r], [B, S, dr]
  const S = cKV.dim(1);

  let o: Tensor; // [B·T, H·dv]
  if (opts.impl === 'naive') {
    const up = reshape(linear(cKV, p(pre + 'kv_b_proj.weight')), [B, S, H, dn + dv]);
    const k = concat([slice(up, 3, 0, dn), expand(reshape(kR, [B, S, 1, dr]), [B, S, H, dr])], 3); // [B, S, H, dn + dr]
    const v = slice(up, 3, dn, dn + dv); // [B, S, H, dv]
    const a = causalAttention(
      permute(concat([qNope, qPe], 3), [0, 2, 1, 3]),
      permute(k, [0, 2, 1, 3]),
      permute(v, [0, 2, 1, 3]),
      { scale, bias: opts.bias },
    );
    o = reshape(permute(a, [0, 2, 1, 3]), [B * T, H * dv]);
  } else {
    const wkvb = reshape(p(pre + 'kv_b_proj.weight'), [H, dn + dv, r]);
    const wUK = slice(wkvb, 1, 0, dn); // [H, dn, r]
    const wUV = slice(wkvb, 1, dn, dn + dv); // [H, dv, r]
    // q̃_h = W^UK_hᵀ q^C_h, one batched product per head: [H, B·T, dn]·[H, dn, r] → [H, B·T, r]
    const qLatent = matmul(reshape(permute(qNope, [2, 0, 1, 3]), [H, B * T, dn]), wUK);
    const qAbs = concat([permute(reshape(qLatent, [H, B, T, r]), [1, 0, 2, 3]), permute(qPe, [0, 2, 1, 3])], 3); // [B, H, T, r + dr]
    const kAbs = reshape(concat([cKV, kR], 2), [B, 1, S, r + dr]);
    const x = causalAttention(qAbs, kAbs, reshape(cKV, [B, 1, S, r]), { scale, bias: opts.bias }); // [B, H, T, r]
    // o_h = W^UV_h x_h: [H, B·T, r]·[H, dv, r]ᵀ → [H, B·T, dv]
    const oh = matmul(reshape(permute(x, [1, 0, 2, 3]), [H, B * T, r]), wUV, { transB: true });
    o = reshape(permute(oh, [1, 0, 2]), [B * T, H * dv]);
  }
  return linear(o, p(pre + 'o_proj.weight'));
}
