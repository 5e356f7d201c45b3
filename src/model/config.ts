// ModelConfig: every knob of the decoder-only transformer, typed and validated at the edge.
//
// The dense baseline is Llama-style (pre-RMSNorm, RoPE, GQA-capable attention, SwiGLU FFN), the same skeleton
// DeepSeek-V3 extends with MLA, MoE and MTP. Names follow Hugging Face's config keys in camelCase so that a
// `config.json` maps one to one.
// The DeepSeek parts are optional sections, absent in a dense config (so dense configs and checkpoints are
// unchanged): `mla` (multi-head latent attention, V2 §2.1), `moe` (DeepSeekMoE, V3 §2.1.2), `mtpDepth`
// (multi-token prediction, V3 §2.2) and `ropeScaling` (YaRN, V3 §4.3). Names are the reference code's
// (inference/model.py ModelArgs); reference/deepseek-v3-architecture.md §0–3 lists V3's values.
import { InputError } from '../core/errors.ts';
import { validateMla, validateMoe, validateYarn } from './config-sections.ts';

export { defaultMoe, defaultYarn } from './config-sections.ts';

/** Multi-head latent attention: low-rank query and key/value paths plus one decoupled RoPE key. */
export interface MlaConfig {
  /** Rank of the query latent c^Q (V3: 1536); 0 = no query compression, one wq (V2-Lite). */
  qLoraRank: number;
  /** Rank of the key/value latent c^KV, the number the cache keeps per token (V3: 512). */
  kvLoraRank: number;
  /** Per-head query/key width without position (V3: 128). */
  qkNopeHeadDim: number;
  /** Width of the RoPE part of queries and of the one RoPE key shared by all heads (V3: 64). */
  qkRopeHeadDim: number;
  /** Per-head value width (V3: 128). */
  vHeadDim: number;
}

/** DeepSeekMoE: fine-grained routed experts plus always-on shared experts, after nDenseLayers dense FFNs. */
export interface MoeConfig {
  nRoutedExperts: number;
  nSharedExperts: number;
  /** Routed experts per token (K_r; V3: 8). */
  nActivatedExperts: number;
  /** Width of one expert's SwiGLU (V3: 2048); the shared experts form one MLP of nSharedExperts·moeInterDim. */
  moeInterDim: number;
  /** The first nDenseLayers layers keep the dense FFN of width dFF (V3: 3). */
  nDenseLayers: number;
  /** Group-limited routing: experts split into nGroups groups, a token may use only topkGroups of them. */
  nGroups: number;
  topkGroups: number;
  /** Multiplies the routed experts' weights (V3: 2.5, V2: 16). */
  routeScale: number;
  /** 'sigmoid' (V3: s = σ(u·e), chosen by s + b, weights normalised) or 'softmax' (V2). */
  scoreFunc: 'softmax' | 'sigmoid';
  /** Normalise the chosen weights to sum 1 before routeScale (HF norm_topk_prob; V3 true, V2 false). */
  normTopkProb: boolean;
  /** Bias update speed γ of auxiliary-loss-free balancing (V3: 0.001; 0 turns it off). */
  biasUpdateSpeed: number;
  /** Weight α of the complementary sequence-wise balance loss (V3: 0.0001; 0 turns it off). */
  seqAuxAlpha: number;
}

/** YaRN RoPE extension (HF rope_scaling with type "yarn"); optional keys keep HF's absent-vs-0 meaning. */
export interface YarnScaling {
  type: 'yarn';
  /** Context extension factor s (V3: 40). */
  factor: number;
  /** Context length the model was pretrained at (V3: 4096). */
  originalMaxPositionEmbeddings: number;
  betaFast: number;
  betaSlow: number;
  mscale?: number;
  mscaleAllDim?: number;
  /** Explicit cos/sin scale; default derived from mscale / mscaleAllDim as HF does. */
  attentionFactor?: number;
}

export interface ModelConfig {
  vocabSize: number;
  dModel: number;
  nLayers: number;
  nHeads: number;
  /** Key/value heads (GQA): nHeads for multi-head attention, 1 for multi-query. */
  nKvHeads: number;
  /** Hidden width of the SwiGLU FFN. */
  dFF: number;
  maxSeqLen: number;
  ropeTheta: number;
  /** Channel pairing of RoPE: 'half' (HF) or 'interleaved' (DeepSeek reference code). */
  ropeStyle: 'half' | 'interleaved';
  normEps: number;
  /** Share the token embedding with the LM head. */
  tieEmbeddings: boolean;
  /** Std of the normal initialisation. */
  initStd: number;
  /** Multi-head latent attention instead of MHA/GQA (absent: MHA/GQA). */
  mla?: MlaConfig;
  /** DeepSeekMoE FFNs after the first moe.nDenseLayers layers (absent: dense everywhere). */
  moe?: MoeConfig;
  /** Number D of sequential MTP modules (absent or 0: none). */
  mtpDepth?: number;
  /** MTP loss weight λ: L = L_main + λ/D · Σ_k L_MTP^k (V3: 0.3, later 0.1). */
  mtpLambda?: number;
  /** YaRN RoPE scaling (absent: plain RoPE). */
  ropeScaling?: YarnScaling;
}

export const defaultConfig: ModelConfig = {
  vocabSize: 54,
  dModel: 64,
  nLayers: 2,
  nHeads: 4,
  nKvHeads: 4,
  dFF: 176,
  maxSeqLen: 128,
  ropeTheta: 10000,
  ropeStyle: 'half',
  normEps: 1e-5,
  tieEmbeddings: true,
  initStd: 0.02,
};

const positiveInts: (keyof ModelConfig)[] = [
  'vocabSize',
  'dModel',
  'nLayers',
  'nHeads',
  'nKvHeads',
  'dFF',
  'maxSeqLen',
];
const optionalKeys = ['mla', 'moe', 'mtpDepth', 'mtpLambda', 'ropeScaling'];

/** Check a config (from flags or a file); `source` names where it came from in the error. */
export function validateConfig(c: unknown, source = 'model config'): ModelConfig {
  if (typeof c !== 'object' || c === null) throw new InputError(`${source}: expected an object`);
  const cfg = { ...defaultConfig, ...(c as Partial<ModelConfig>) };
  const bad = (what: string) => new InputError(`${source}: ${what}`);
  for (const k of positiveInts) {
    const v = cfg[k];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 1)
      throw bad(`${k} must be a positive integer, got ${JSON.stringify(v)}`);
  }
  if (cfg.mla === undefined) {
    // MLA sizes its heads by its own widths; these hold for MHA/GQA only.
    if (cfg.dModel % cfg.nHeads !== 0) throw bad(`dModel ${cfg.dModel} is not divisible by nHeads ${cfg.nHeads}`);
    if (cfg.nHeads % cfg.nKvHeads !== 0) throw bad(`nHeads ${cfg.nHeads} is not divisible by nKvHeads ${cfg.nKvHeads}`);
    if ((cfg.dModel / cfg.nHeads) % 2 !== 0) throw bad(`head dim ${cfg.dModel / cfg.nHeads} must be even for RoPE`);
  }
  if (!(cfg.ropeTheta > 1)) throw bad(`ropeTheta must be > 1, got ${cfg.ropeTheta}`);
  if (cfg.ropeStyle !== 'half' && cfg.ropeStyle !== 'interleaved')
    throw bad(`ropeStyle must be 'half' or 'interleaved', got ${JSON.stringify(cfg.ropeStyle)}`);
  if (!(cfg.normEps > 0 && cfg.normEps < 1)) throw bad(`normEps must be in (0, 1), got ${cfg.normEps}`);
  if (typeof cfg.tieEmbeddings !== 'boolean') throw bad('tieEmbeddings must be true or false');
  if (!(cfg.initStd > 0)) throw bad(`initStd must be > 0, got ${cfg.initStd}`);
  const known = new Set([...Object.keys(defaultConfig), ...optionalKeys]);
  const extra = Object.keys(c as object).filter((k) => !known.has(k));
  if (extra.length) throw bad(`unknown keys ${extra.join(', ')}`);
  if (cfg.mla !== undefined) cfg.mla = validateMla(cfg.mla, bad);
  if (cfg.moe !== undefined) cfg.moe = validateMoe(cfg.moe, cfg.nLayers, bad);
  if (cfg.ropeScaling !== undefined) cfg.ropeScaling = validateYarn(cfg.ropeScaling, bad);
  if (cfg.mtpDepth !== undefined && !(Number.isInteger(cfg.mtpDepth) && cfg.mtpDepth >= 0))
    throw bad(`mtpDepth must be an integer ≥ 0, got ${JSON.stringify(cfg.mtpDepth)}`);
  if (cfg.mtpLambda !== undefined && !(typeof cfg.mtpLambda === 'number' && cfg.mtpLambda >= 0))
    throw bad(`mtpLambda must be ≥ 0, got ${JSON.stringify(cfg.mtpLambda)}`);
  return cfg;
}

export const headDim = (c: ModelConfig): number => c.dModel / c.nHeads;

/** Whether layer l (main layers 0..nLayers−1, MTP blocks after them) has a DeepSeekMoE FFN. */
export const isMoeLayer = (c: ModelConfig, l: number): boolean => c.moe !== undefined && l >= c.moe.nDenseLayers;

/** The attention layout in words: 'mla', or 'mha' / 'gqa' / 'mqa' by the number of key/value heads. */
export function attentionKind(c: ModelConfig): 'mha' | 'gqa' | 'mqa' | 'mla' {
  if (c.mla) return 'mla';
  return c.nKvHeads === c.nHeads ? 'mha' : c.nKvHeads === 1 ? 'mqa' : 'gqa';
}

/** Numbers a KV cache holds per token per layer: 2·Hkv·d_h (MHA/GQA/MQA) or d_c + d_h^R (MLA, V2 Table 1). */
export function cacheNumbersPerTokenPerLayer(c: ModelConfig): number {
  return c.mla ? c.mla.kvLoraRank + c.mla.qkRopeHeadDim : 2 * c.nKvHeads * headDim(c);
}

function attentionShapes(c: ModelConfig, p: string, s: Map<string, number[]>): void {
  if (!c.mla) {
    const hd = headDim(c);
    s.set(p + 'self_attn.q_proj.weight', [c.nHeads * hd, c.dModel]);
    s.set(p + 'self_attn.k_proj.weight', [c.nKvHeads * hd, c.dModel]);
    s.set(p + 'self_attn.v_proj.weight', [c.nKvHeads * hd, c.dModel]);
    s.set(p + 'self_attn.o_proj.weight', [c.dModel, c.nHeads * hd]);
    return;
  }
  // HF DeepseekV3Attention names; model.py calls them wq_a, q_norm, wq_b (or wq), wkv_a, kv_norm, wkv_b, wo.
  const m = c.mla,
    qk = m.qkNopeHeadDim + m.qkRopeHeadDim;
  if (m.qLoraRank > 0) {
    s.set(p + 'self_attn.q_a_proj.weight', [m.qLoraRank, c.dModel]);
    s.set(p + 'self_attn.q_a_layernorm.weight', [m.qLoraRank]);
    s.set(p + 'self_attn.q_b_proj.weight', [c.nHeads * qk, m.qLoraRank]);
  } else {
    s.set(p + 'self_attn.q_proj.weight', [c.nHeads * qk, c.dModel]);
  }
  s.set(p + 'self_attn.kv_a_proj_with_mqa.weight', [m.kvLoraRank + m.qkRopeHeadDim, c.dModel]);
  s.set(p + 'self_attn.kv_a_layernorm.weight', [m.kvLoraRank]);
  s.set(p + 'self_attn.kv_b_proj.weight', [c.nHeads * (m.qkNopeHeadDim + m.vHeadDim), m.kvLoraRank]);
  s.set(p + 'self_attn.o_proj.weight', [c.dModel, c.nHeads * m.vHeadDim]);
}

function mlpShapes(p: string, d: number, width: number, s: Map<string, number[]>): void {
  s.set(p + 'gate_proj.weight', [width, d]);
  s.set(p + 'up_proj.weight', [width, d]);
  s.set(p + 'down_proj.weight', [d, width]);
}

/** Shapes of one decoder block (attention + FFN) under prefix p = "model.layers.<l>.". */
function blockShapes(c: ModelConfig, l: number, p: string, s: Map<string, number[]>): void {
  s.set(p + 'input_layernorm.weight', [c.dModel]);
  attentionShapes(c, p, s);
  s.set(p + 'post_attention_layernorm.weight', [c.dModel]);
  if (!isMoeLayer(c, l)) return mlpShapes(p + 'mlp.', c.dModel, c.dFF, s);
  const m = c.moe!;
  s.set(p + 'mlp.gate.weight', [m.nRoutedExperts, c.dModel]);
  s.set(p + 'mlp.gate.e_score_correction_bias', [m.nRoutedExperts]);
  // The routed experts stacked, one tensor per projection (checkpoint files keep one per expert: weights.ts).
  s.set(p + 'mlp.experts.gate_proj.weight', [m.nRoutedExperts, m.moeInterDim, c.dModel]);
  s.set(p + 'mlp.experts.up_proj.weight', [m.nRoutedExperts, m.moeInterDim, c.dModel]);
  s.set(p + 'mlp.experts.down_proj.weight', [m.nRoutedExperts, c.dModel, m.moeInterDim]);
  if (m.nSharedExperts > 0) mlpShapes(p + 'mlp.shared_experts.', c.dModel, m.nSharedExperts * m.moeInterDim, s);
}

/** Parameter shapes by checkpoint name (HF Llama / DeepseekV3 layout: linear weights are [out, in]). */
export function parameterShapes(c: ModelConfig): Map<string, number[]> {
  const s = new Map<string, number[]>();
  s.set('model.embed_tokens.weight', [c.vocabSize, c.dModel]);
  for (let i = 0; i < c.nLayers; i++) blockShapes(c, i, `model.layers.${i}.`, s);
  s.set('model.norm.weight', [c.dModel]);
  if (!c.tieEmbeddings) s.set('lm_head.weight', [c.vocabSize, c.dModel]);
  // MTP module k is stored as layer nLayers+k−1, as in the released V3 weights (model.layers.61); its
  // embedding and output head are the main model's (shared), so they are not stored again.
  for (let k = 1; k <= (c.mtpDepth ?? 0); k++) {
    const l = c.nLayers + k - 1,
      p = `model.layers.${l}.`;
    s.set(p + 'enorm.weight', [c.dModel]);
    s.set(p + 'hnorm.weight', [c.dModel]);
    s.set(p + 'eh_proj.weight', [c.dModel, 2 * c.dModel]);
    blockShapes(c, l, p, s);
    s.set(p + 'shared_head.norm.weight', [c.dModel]);
  }
  return s;
}

export function parameterCount(c: ModelConfig): number {
  let n = 0;
  for (const shape of parameterShapes(c).values()) n += shape.reduce((a, b) => a * b, 1);
  return n;
}

/**
 * Parameters one token uses in a forward pass of the main model: everything except the routed experts it
 * is not sent to (and the MTP modules). Embedding and head both count, as in V3's "37B activated".
 */
export function activatedParameterCount(c: ModelConfig): number {
  let n = 0;
  for (const [name, shape] of parameterShapes(c)) {
    const size = shape.reduce((a, b) => a * b, 1);
    const layer = /^model\.layers\.(\d+)\./.exec(name);
    if (layer && Number(layer[1]) >= c.nLayers) continue; // MTP module
    if (name.endsWith('e_score_correction_bias')) continue; // a routing offset, not a weight
    // K of the N_r equally sized experts of a stacked [N_r, ...] tensor
    n += name.includes('.mlp.experts.') ? (size / c.moe!.nRoutedExperts) * c.moe!.nActivatedExperts : size;
  }
  return n;
}
