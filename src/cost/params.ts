// Parameter accounting: total parameters (what must be stored, synced and optimised) and activated parameters
// (what one token multiplies through). For MoE only K_r routed + the shared experts are activated.
// MLA per layer: W^DQ d·d'_c + W^UQ,QR d'_c·n_h(d_nope+d_rope) + W^DKV,KR d·(d_c+d_rope) + W^UK,UV d_c·n_h(d_nope+d_v)
// + W^O n_h·d_v·d, plus the q/kv RMSNorms. V3 checks: 671.0B total / 37.5B activated with embedding and head
// (published 671B / 37B), attention 187.1M per layer, one expert 3·7168·2048 = 44.04M.
// Source: ../shared/reference/deepseek-v3-architecture.md §0–§1; DeepSeek-V3 inference/model.py.
import { isMoe, moeLayers, type ModelShape } from './shape.ts';

/** Matrix parameters of one attention block (no norms, no biases): equals its multiply-adds per token. */
export function attentionMatrixParams(s: ModelShape): number {
  if (s.attention !== 'mla') {
    const q = s.d * s.nHeads * s.headDim;
    const kv = 2 * s.d * s.nKvHeads * s.headDim;
    const o = s.nHeads * s.headDim * s.d;
    return q + kv + o;
  }
  const qk = s.qkNopeHeadDim + s.qkRopeHeadDim;
  // Without query compression (V2-Lite) a single W^Q maps d → n_h·(d_nope + d_rope).
  const q = s.qLoraRank > 0 ? s.d * s.qLoraRank + s.qLoraRank * s.nHeads * qk : s.d * s.nHeads * qk;
  const kvDown = s.d * (s.kvLoraRank + s.qkRopeHeadDim); // wkv_a: c^KV and the shared rope key k^R
  const kvUp = s.kvLoraRank * s.nHeads * (s.qkNopeHeadDim + s.vHeadDim); // wkv_b: W^UK and W^UV
  const o = s.nHeads * s.vHeadDim * s.d;
  return q + kvDown + kvUp + o;
}

/** Vector parameters of one attention block: QKV biases (Qwen2) and MLA's q_norm / kv_norm. */
export function attentionVectorParams(s: ModelShape): number {
  if (s.attention !== 'mla') return s.qkvBias ? (s.nHeads + 2 * s.nKvHeads) * s.headDim : 0;
  return s.qLoraRank + s.kvLoraRank;
}

/** One SwiGLU FFN of width `inter`: w1, w3 (d → inter) and w2 (inter → d). */
export const ffnParams = (s: ModelShape, inter: number): number => 3 * s.d * inter;

export interface ParamCount {
  embedding: number;
  /** Output head; 0 when tied to the embedding. */
  head: number;
  attention: number;
  denseFfn: number;
  routedExperts: number;
  sharedExperts: number;
  router: number;
  norms: number;
  /** The main model, without MTP modules (how DeepSeek quotes 671B). */
  total: number;
  /** Per token, counting embedding and head (how 37B is quoted; the V3 README's 36.7B differs by ~2%). */
  activated: number;
  /** Activated matrix parameters, without the embedding lookup: the N of 6·N·D. */
  activatedMatmul: number;
  /** All MTP modules together (V3: each an MLA + MoE block, eh_proj 2d→d, two norms; embedding/head shared). */
  mtp: number;
  /** Routed-expert parameters, main model: what EP shards (shared experts are replicated like dense weights). */
  expertTotal: number;
}

/** Parameters of one transformer block's FFN: all of it, and what one token activates. */
function moeBlock(s: ModelShape): { all: number; active: number; routed: number; shared: number; router: number } {
  const expert = ffnParams(s, s.moeInterDim);
  const routed = s.nRoutedExperts * expert;
  const shared = s.nSharedExperts * expert;
  const router = s.nRoutedExperts * s.d; // the gate's affinity vectors e_i
  return {
    all: routed + shared + router,
    active: (s.nActivatedExperts + s.nSharedExperts) * expert + router,
    routed,
    shared,
    router,
  };
}

export function countParams(s: ModelShape): ParamCount {
  const embedding = s.vocab * s.d;
  const head = s.tieEmbeddings ? 0 : s.vocab * s.d;
  const attnBlock = attentionMatrixParams(s) + attentionVectorParams(s);
  const attention = s.nLayers * attnBlock;
  const denseFfn = s.nDenseLayers * ffnParams(s, s.dFF);
  const moe = isMoe(s) ? moeBlock(s) : { all: 0, active: 0, routed: 0, shared: 0, router: 0 };
  const nMoe = moeLayers(s);
  const norms = s.nLayers * 2 * s.d + s.d; // attn_norm, ffn_norm per layer; final norm
  const total = embedding + head + attention + denseFfn + nMoe * moe.all + norms;
  const activated = embedding + (s.tieEmbeddings ? embedding : head) + attention + denseFfn + nMoe * moe.active + norms;
  const activatedMatmul =
    (s.tieEmbeddings ? embedding : head) + s.nLayers * attentionMatrixParams(s) + denseFfn + nMoe * moe.active;
  // An MTP module is one more block of the same kind as the last layer, plus M_k (2d → d) and its norms.
  const mtpBlock = attnBlock + (isMoe(s) ? moe.all : ffnParams(s, s.dFF)) + 2 * s.d * s.d + 2 * s.d + 2 * s.d + s.d;
  return {
    embedding,
    head,
    attention,
    denseFfn,
    routedExperts: nMoe * moe.routed,
    sharedExperts: nMoe * moe.shared,
    router: nMoe * moe.router,
    norms,
    total,
    activated,
    activatedMatmul,
    mtp: s.mtpDepth * mtpBlock,
    expertTotal: nMoe * moe.routed,
  };
}
