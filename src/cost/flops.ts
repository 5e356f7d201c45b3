// FLOPs per token. One multiply-add = 2 FLOPs; training = forward + backward = 3 × forward = 6 × MACs
// (Kaplan; Megatron num_floating_point_operations). Only activated experts count. Core attention at sequence
// length s is causal: a token attends to s/2 keys on average. V3 at 4K: dense 7.1 + MoE 137.9 + MLA projections
// 68.5 + core attention 30.7 + LM head 5.6 = 249.8 GFLOP/token (DeepSeek: 250), + 10.2 for MTP.
// "model" is the MFU basis as Megatron and DeepSeek count it (router, norms, softmax and MTP omitted); the
// router and MTP appear as extra work.
// Source: ../shared/reference/cost-model.md §1.1, §1.3.
import { attentionMatrixParams, ffnParams } from './params.ts';
import { isMoe, moeLayers, type ModelShape } from './shape.ts';

export interface FlopsBreakdown {
  denseFfn: number;
  experts: number;
  router: number;
  attnProj: number;
  attnCore: number;
  head: number;
  mtp: number;
  /** Model FLOPs, the MFU basis: dense FFN + experts + attention + head. */
  model: number;
  /** model + router + MTP: all the arithmetic the hardware performs (recompute aside). */
  total: number;
}

/** Per-head widths of core attention: (query·key, value). MLA decode runs absorbed, as MQA over the latent. */
function coreWidths(s: ModelShape, absorbed: boolean): { qk: number; v: number } {
  if (s.attention !== 'mla') return { qk: s.headDim, v: s.headDim };
  if (absorbed) return { qk: s.kvLoraRank + s.qkRopeHeadDim, v: s.kvLoraRank };
  return { qk: s.qkNopeHeadDim + s.qkRopeHeadDim, v: s.vHeadDim };
}

/** MACs of one layer's core attention for a token that attends to `span` keys. */
function coreMacs(s: ModelShape, span: number, absorbed: boolean): number {
  const w = coreWidths(s, absorbed);
  return span * s.nHeads * (w.qk + w.v);
}

/** Multiply-adds per token of the main model, by term. */
function macs(s: ModelShape, span: number, absorbed: boolean) {
  const nMoe = moeLayers(s);
  const expert = ffnParams(s, s.moeInterDim);
  return {
    denseFfn: s.nDenseLayers * ffnParams(s, s.dFF),
    experts: nMoe * (s.nActivatedExperts + s.nSharedExperts) * expert,
    router: nMoe * s.nRoutedExperts * s.d,
    // MLA's absorbed decode swaps wkv_b for W^UK (on q) and W^UV (on o): the same kvLora·n_h·(nope+v) MACs.
    attnProj: s.nLayers * attentionMatrixParams(s),
    attnCore: s.nLayers * coreMacs(s, span, absorbed),
    head: s.d * s.vocab,
  };
}

/** One MTP module's MACs per token: a block like the last layer, M_k (2d → d) and the shared head. */
function mtpModuleMacs(s: ModelShape, span: number): number {
  const ffn = isMoe(s)
    ? (s.nActivatedExperts + s.nSharedExperts) * ffnParams(s, s.moeInterDim) + s.nRoutedExperts * s.d
    : ffnParams(s, s.dFF);
  return attentionMatrixParams(s) + coreMacs(s, span, false) + ffn + 2 * s.d * s.d + s.d * s.vocab;
}

function breakdown(m: ReturnType<typeof macs>, mtpMacs: number, flopsPerMac: number): FlopsBreakdown {
  const f = (x: number) => x * flopsPerMac;
  const model = f(m.denseFfn + m.experts + m.attnProj + m.attnCore + m.head);
  return {
    denseFfn: f(m.denseFfn),
    experts: f(m.experts),
    router: f(m.router),
    attnProj: f(m.attnProj),
    attnCore: f(m.attnCore),
    head: f(m.head),
    mtp: f(mtpMacs),
    model,
    total: model + f(m.router) + f(mtpMacs),
  };
}

/** Training FLOPs per token (forward + backward, 6 per MAC) at sequence length `seqLen`, causal. */
export function trainFlopsPerToken(s: ModelShape, seqLen: number): FlopsBreakdown {
  const span = seqLen / 2;
  return breakdown(macs(s, span, false), s.mtpDepth * mtpModuleMacs(s, span), 6);
}

/**
 * Inference FLOPs per token (forward, 2 per MAC; MTP discarded). Prefill of a `ctx`-token prompt attends to
 * ctx/2 keys on average (naive MLA, compute-optimal for long prompts); a decode step at KV length `ctx` attends
 * to all ctx keys (absorbed MLA, memory-optimal).
 */
export function inferFlopsPerToken(s: ModelShape, ctx: number, phase: 'prefill' | 'decode'): FlopsBreakdown {
  const decode = phase === 'decode';
  return breakdown(macs(s, decode ? ctx : ctx / 2, decode), 0, 2);
}
