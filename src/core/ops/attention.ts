// Causal scaled dot-product attention with grouped-query heads and an optional KV cache.
//   A = softmax(Q·Kᵀ · scale + bias, causal) · V
// Q [B, H, T, D], K [B, Hkv, S, D], V [B, Hkv, S, Dv] with H = G·Hkv: each key/value head serves G
// consecutive query heads (G = 1: multi-head; Hkv = 1: multi-query). The G query heads of a group are laid
// out as G·T rows, so one batched matmul serves the whole group. Query t (absolute position offset + t) sees
// keys 0..offset+t. Gradients come from the ops it is built from.
import { Tensor } from '../tensor.ts';
import { add, mulScalar } from './elementwise.ts';
import { matmul } from './matmul.ts';
import { reshape } from './shape.ts';
import { causalSoftmax } from './softmax.ts';

export interface AttentionOptions {
  /** Positions already in the cache before these queries (0 in training). */
  offset?: number;
  /** Softmax scale; 1/√D by default. */
  scale?: number;
  /** Additive bias on the scores, broadcastable to [B, Hkv, G·T, S]; −∞ masks a key (left padding). */
  bias?: Tensor;
}

export function causalAttention(q: Tensor, k: Tensor, v: Tensor, opts: AttentionOptions = {}): Tensor {
  const [B, H, T, D] = q.shape as [number, number, number, number];
  const [, Hkv, S] = k.shape as [number, number, number, number];
  const Dv = v.dim(-1);
  if (H % Hkv !== 0) throw new Error(`attention: ${H} query heads do not divide into ${Hkv} key/value heads`);
  const offset = opts.offset ?? S - T;
  if (offset + T > S) throw new Error(`attention: ${T} queries at offset ${offset} need ${offset + T} keys, have ${S}`);
  const G = H / Hkv;
  const qg = reshape(q, [B, Hkv, G * T, D]);
  let scores = mulScalar(matmul(qg, k, { transB: true }), opts.scale ?? 1 / Math.sqrt(D)); // [B, Hkv, G·T, S]
  if (opts.bias) scores = add(scores, opts.bias);
  const p = causalSoftmax(scores, offset, T);
  return reshape(matmul(p, v), [B, H, T, Dv]);
}
