// Multi-token prediction (MTP): D sequential modules that each predict one token further ahead
// [V3 §2.2 eq. 21–25, §4.2 (D = 1, λ = 0.3 then 0.1); reference/deepseek-v3-architecture.md §3].
//   h'^k_i = M_k [RMSNorm(Emb(t_{i+k})); RMSNorm(h^{k−1}_i)]       M_k = eh_proj, 2d → d
//   h^k_{0:T−k} = TRM_k(h'^k_{0:T−k})                               a full decoder block, causal
//   P^k_{i+k+1} = OutHead(RMSNorm(h^k_i))                            Emb and OutHead shared with the main model
//   L_MTP = λ/D · Σ_k CE(P^k, t_{i+k+1})
// The causal chain is kept: module k reads module k−1's states, not the main model's. The concatenation puts the
// embedding first, as the released weights (layer 61: enorm, hnorm, eh_proj, shared_head) are used; eq. 21 writes
// the other order, which only permutes M_k's columns. h⁰ is the main model's last hidden state before its final
// norm (the paper says "the representation given by the main model"; hnorm normalises it either way).
import {
  concat,
  crossEntropy,
  embedding,
  linearT,
  mulScalar,
  add,
  reshape,
  rmsNorm,
  slice,
} from '../core/ops/index.ts';
import type { Tensor } from '../core/tensor.ts';
import { defaultPositions, type ForwardOptions, type Transformer } from './transformer.ts';

/** The decoder block index of MTP module k (1-based): after the main layers, as in the released weights. */
export const mtpLayer = (model: Transformer, k: number): number => model.config.nLayers + k - 1;

/**
 * Module k over T' positions: h^{k−1} [B·T', d] and the tokens t_{i+k} (int32 [B, T']) → h^k [B·T', d].
 * With opts.cache (a cache with slots for the MTP blocks), it appends to and advances that cache.
 */
export function mtpModule(
  model: Transformer,
  k: number,
  hPrev: Tensor,
  tokens: Tensor,
  positions: Tensor,
  opts: ForwardOptions = {},
): Tensor {
  const c = model.config,
    [B, T] = tokens.shape as [number, number];
  const l = mtpLayer(model, k),
    pre = `model.layers.${l}.`;
  const e = rmsNorm(
    reshape(embedding(model.p('model.embed_tokens.weight'), tokens), [B * T, c.dModel]),
    model.p(pre + 'enorm.weight'),
    c.normEps,
  );
  const h = rmsNorm(hPrev, model.p(pre + 'hnorm.weight'), c.normEps);
  const x = model.block(l, linearT(concat([e, h], 1), model.p(pre + 'eh_proj.weight')), B, T, positions, opts);
  opts.cache?.advance(T);
  return x;
}

/** Module k's logits: the shared head after the module's own norm, [N, d] → [N, V]. */
export function mtpLogits(model: Transformer, k: number, hk: Tensor): Tensor {
  const pre = `model.layers.${mtpLayer(model, k)}.`;
  return linearT(rmsNorm(hk, model.p(pre + 'shared_head.norm.weight'), model.config.normEps), model.head());
}

export interface MtpLosses {
  /** λ/D · Σ_k CE_k (a scalar). */
  total: Tensor;
  /** CE_k for k = 1..D (scalars, before λ/D). */
  perDepth: Tensor[];
}

export interface MtpLossOptions {
  /** Target id that contributes nothing (as crossEntropy). */
  ignoreIndex?: number;
  /** MoE layers of the MTP blocks log here (their balance loss counts too). */
  routing?: ForwardOptions['routing'];
}

/**
 * The MTP loss for a batch: ids [B, T] (t_0..t_{T−1}), targets [B, T] (t_1..t_T) and the main model's hidden
 * states h⁰ [B·T, d]. Module k sees positions 0..T−k−1 and predicts targets[i + k]. Undefined when D = 0.
 */
export function mtpLoss(
  model: Transformer,
  ids: Tensor,
  targets: Tensor,
  h0: Tensor,
  opts: MtpLossOptions = {},
): MtpLosses | undefined {
  const D = model.config.mtpDepth ?? 0,
    d = model.config.dModel;
  if (D === 0) return undefined;
  const [B, T] = ids.shape as [number, number];
  const perDepth: Tensor[] = [];
  let h = h0;
  for (let k = 1; k <= D && T - k > 0; k++) {
    const Tk = T - k;
    const hPrev = reshape(slice(reshape(h, [B, Tk + 1, d]), 1, 0, Tk), [B * Tk, d]);
    h = mtpModule(model, k, hPrev, slice(ids, 1, k, T), defaultPositions(B, Tk, 0, ids), { routing: opts.routing });
    perDepth.push(
      crossEntropy(mtpLogits(model, k, h), reshape(slice(targets, 1, k, T), [B * Tk]), {
        ignoreIndex: opts.ignoreIndex,
      }),
    );
  }
  if (perDepth.length === 0) return undefined;
  const sum = perDepth.reduce((a, b) => add(a, b));
  return { total: mulScalar(sum, (model.config.mtpLambda ?? 0.3) / D), perDepth };
}
