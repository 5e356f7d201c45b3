// Causal scaled dot-product attention with grouped-query heads and an optional KV cache.
//   A = softmax(Q·Kᵀ · scale + bias, causal) · V
// Without a bias, the scale, the causal mask and the softmax run as one fused pass per row (causalSoftmax's
// scale), forward and backward: the composed ops' bits, two passes and two score-sized tensors fewer.
// Q [B, H, T, D], K [B, Hkv, S, D], V [B, Hkv, S, Dv] with H = G·Hkv: each key/value head serves G
// consecutive query heads (G = 1: multi-head; Hkv = 1: multi-query). The G query heads of a group are laid
// out as G·T rows, so one batched matmul serves the whole group. Query t (absolute position offset + t) sees
// keys 0..offset+t. Gradients come from the ops it is built from.
// causalAttentionInPlace is the same computation for decoding, reading the first S positions of K and V kept in
// place in a KV cache's buffers (room for more positions after them): the same matmuls with a larger batch
// stride, so the same bits, and nothing copied.
// causalAttentionHeads takes and gives heads unpermuted, [B, T, H, D] (as the projections make them), with RoPE
// on q and k if asked, and runs as one backend kernel forward and one backward where the backend has it (the
// CPU's SIMD kernels), with the composed ops' bits; elsewhere it is those ops.
import type { Storage } from '../../backend/backend.ts';
import { isRecording, record } from '../autograd.ts';
import { Tensor, empty } from '../tensor.ts';
import { add, mulScalar } from './elementwise.ts';
import { matmul } from './matmul.ts';
import { permute, reshape } from './shape.ts';
import { rope, type RopeTables } from './rope.ts';
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
  const raw = matmul(qg, k, { transB: true }); // [B, Hkv, G·T, S]
  const p = scaledCausalSoftmax(raw, offset, T, opts.scale ?? 1 / Math.sqrt(D), opts.bias);
  return reshape(matmul(p, v), [B, H, T, Dv]);
}

/** RoPE for causalAttentionHeads: q and k are turned by it first (rope.ts). */
export interface HeadsRope {
  pos: Tensor;
  tables: RopeTables;
  style: 'interleaved' | 'half';
}

/**
 * causalAttention of q, k, v [B, T, H, D] (heads unpermuted, as many key/value heads as query heads, no cache),
 * q and k turned by `rope` first where given, giving [B, T, H, D]: permute(causalAttention(permute(rope(q)),
 * permute(rope(k)), permute(v))) with its bits, in one kernel where the backend has one that takes the shape,
 * keeping the probabilities [B, H, T, T] for the backward.
 */
export function causalAttentionHeads(
  q: Tensor,
  k: Tensor,
  v: Tensor,
  opts: Omit<AttentionOptions, 'offset'> & { rope?: HeadsRope } = {},
): Tensor {
  const [B, T, H, D] = q.shape as [number, number, number, number];
  const scale = opts.scale ?? 1 / Math.sqrt(D),
    r = opts.rope;
  const same = (t: Tensor) => t.dtype === q.dtype && t.ndim === 4 && t.shape.every((s, i) => s === q.shape[i]);
  const b = q.backend;
  const fused = !opts.bias && (!r || (r.style === 'half' && r.tables.dim === D)) && q.ndim === 4 && same(k) && same(v);
  if (fused && b.causalAttentionHeads && b.causalAttentionHeadsBackward) {
    const shape = { B, T, H, D },
      out = empty(b, q.dtype, q.shape);
    const turn = r && { pos: r.pos.storage, cos: r.tables.cos.storage, sin: r.tables.sin.storage };
    const recorded = isRecording() && (q.requiresGrad || k.requiresGrad || v.requiresGrad);
    const p = recorded ? empty(b, q.dtype, [B, H, T, T]) : undefined; // the probabilities, for the backward
    if (b.causalAttentionHeads(q.storage, k.storage, v.storage, out.storage, p?.storage, shape, scale, turn))
      return record(out, 'causalAttention', [q, k, v], (g) => {
        const [dq, dk, dv] = [q, k, v].map((t) => empty(b, t.dtype, t.shape)) as [Tensor, Tensor, Tensor];
        const grads = [dq, dk, dv].map((t) => t.storage) as [Storage, Storage, Storage];
        b.causalAttentionHeadsBackward!(
          q.storage,
          k.storage,
          v.storage,
          p!.storage,
          g.storage,
          ...grads,
          shape,
          scale,
          turn,
        );
        return [q.requiresGrad ? dq : null, k.requiresGrad ? dk : null, v.requiresGrad ? dv : null];
      });
  }
  const turned = (x: Tensor) => (r ? rope(x, r.pos, r.tables, r.style) : x);
  const heads = (t: Tensor) => permute(t, [0, 2, 1, 3]);
  return heads(causalAttention(heads(turned(q)), heads(turned(k)), heads(v), { bias: opts.bias, scale }));
}

/** softmax(raw·scale + bias) over causal rows: scale, mask and softmax fused into one row pass when there is no bias. */
function scaledCausalSoftmax(raw: Tensor, offset: number, T: number, scale: number, bias?: Tensor): Tensor {
  if (!bias) return causalSoftmax(raw, offset, T, scale);
  return causalSoftmax(add(mulScalar(raw, scale), bias), offset, T);
}

/**
 * causalAttention over the first S positions of kBuf [B, Hkv, room, D] and vBuf [B, Hkv, room, Dv] (a KV cache's
 * in-place buffers, room ≥ S). Inference only: no gradient reaches the buffers.
 */
export function causalAttentionInPlace(
  q: Tensor,
  kBuf: Tensor,
  vBuf: Tensor,
  S: number,
  opts: Omit<AttentionOptions, 'offset'> = {},
): Tensor {
  const [B, H, T, D] = q.shape as [number, number, number, number];
  const [, Hkv, room] = kBuf.shape as [number, number, number, number];
  const Dv = vBuf.dim(-1);
  if (H % Hkv !== 0) throw new Error(`attention: ${H} query heads do not divide into ${Hkv} key/value heads`);
  if (T > S || S > room) throw new Error(`attention: ${T} queries over ${S} cached keys in a buffer of ${room}`);
  const G = H / Hkv,
    b = q.backend;
  const raw = empty(b, q.dtype, [B, Hkv, G * T, S]);
  b.matmul(q.storage, kBuf.storage, raw.storage, {
    batch: B * Hkv,
    m: G * T,
    k: D,
    n: S,
    transA: false,
    transB: true,
    aBatchStride: G * T * D,
    bBatchStride: room * D,
  });
  const p = scaledCausalSoftmax(raw, S - T, T, opts.scale ?? 1 / Math.sqrt(D), opts.bias); // [B, Hkv, G·T, S]
  const out = empty(b, q.dtype, [B, H, T, Dv]);
  b.matmul(p.storage, vBuf.storage, out.storage, {
    batch: B * Hkv,
    m: G * T,
    k: S,
    n: Dv,
    transA: false,
    transB: false,
    aBatchStride: G * T * S,
    bBatchStride: room * Dv,
  });
  return out;
}
