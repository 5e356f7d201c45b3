// Hugging Face config.json ⇄ ModelConfig, for the two layouts tinyseek reads and writes: `deepseek_v3`
// (DeepseekV3ForCausalLM: MLA, DeepSeekMoE after first_k_dense_replace, sigmoid gate with e_score_correction_bias)
// and `llama` (the dense baseline). Keys follow transformers' DeepseekV3Config / LlamaConfig; rope scaling may be
// `rope_scaling` (transformers 4.x) or `rope_parameters` (5.x, which also carries rope_theta). Anything the
// miniature cannot reproduce exactly (other activations, attention biases, other RoPE types) is an InputError.
// Training-only knobs HF does not store (γ, and α unless `aux_loss_alpha` is there) take V3's values.
import { InputError } from '../core/errors.ts';
import { defaultMoe, validateConfig, type ModelConfig, type MoeConfig, type YarnScaling } from './config.ts';

type Json = Record<string, unknown>;

export const HF_MODEL_TYPES = ['deepseek_v3', 'llama'] as const;

function need(cfg: Json, key: string, file: string): number {
  const v = cfg[key];
  if (typeof v !== 'number' || !Number.isFinite(v))
    throw new InputError(`${file}: "${key}" must be a number, got ${JSON.stringify(v)}`);
  return v;
}

const opt = (cfg: Json, key: string): number | undefined =>
  typeof cfg[key] === 'number' ? (cfg[key] as number) : undefined;

function refuse(cfg: Json, file: string): void {
  const act = cfg.hidden_act ?? 'silu';
  if (act !== 'silu') throw new InputError(`${file}: hidden_act "${String(act)}" is not supported (SwiGLU uses silu)`);
  for (const k of ['attention_bias', 'mlp_bias'])
    if (cfg[k] === true) throw new InputError(`${file}: ${k} = true is not supported`);
}

/** The rope dict (rope_parameters or rope_scaling) and theta. */
function ropeOf(cfg: Json, file: string): { theta: number; scaling?: YarnScaling } {
  const params = (cfg.rope_parameters ?? cfg.rope_scaling ?? null) as Json | null;
  const theta = opt(cfg, 'rope_theta') ?? (params && typeof params.rope_theta === 'number' ? params.rope_theta : 10000);
  if (!params) return { theta };
  const type = params.rope_type ?? params.type ?? 'default';
  if (type === 'default') return { theta };
  if (type !== 'yarn')
    throw new InputError(`${file}: rope type "${String(type)}" is not supported (only default and yarn)`);
  if (params.truncate === false) throw new InputError(`${file}: yarn with truncate = false is not supported`);
  const y: YarnScaling = {
    type: 'yarn',
    factor: need(params, 'factor', `${file} (rope scaling)`),
    originalMaxPositionEmbeddings:
      opt(params, 'original_max_position_embeddings') ?? need(cfg, 'max_position_embeddings', file),
    betaFast: opt(params, 'beta_fast') || 32,
    betaSlow: opt(params, 'beta_slow') || 1,
  };
  const m = opt(params, 'mscale'),
    mAll = opt(params, 'mscale_all_dim'),
    af = opt(params, 'attention_factor');
  if (m !== undefined) y.mscale = m;
  if (mAll !== undefined) y.mscaleAllDim = mAll;
  if (af !== undefined) y.attentionFactor = af;
  return { theta, scaling: y };
}

/** A ModelConfig from a parsed HF config.json; `file` names it in errors. mtpDepth = num_nextn_predict_layers. */
export function fromHfConfig(raw: unknown, file: string): ModelConfig {
  if (typeof raw !== 'object' || raw === null) throw new InputError(`${file}: expected a JSON object`);
  const cfg = raw as Json;
  const type = cfg.model_type;
  if (!HF_MODEL_TYPES.includes(type as (typeof HF_MODEL_TYPES)[number]))
    throw new InputError(`${file}: model_type ${JSON.stringify(type)} is not supported (${HF_MODEL_TYPES.join(', ')})`);
  refuse(cfg, file);
  const { theta, scaling } = ropeOf(cfg, file);
  const heads = need(cfg, 'num_attention_heads', file),
    d = need(cfg, 'hidden_size', file);
  const base: Partial<ModelConfig> = {
    vocabSize: need(cfg, 'vocab_size', file),
    dModel: d,
    nLayers: need(cfg, 'num_hidden_layers', file),
    nHeads: heads,
    nKvHeads: opt(cfg, 'num_key_value_heads') ?? heads,
    dFF: need(cfg, 'intermediate_size', file),
    maxSeqLen: need(cfg, 'max_position_embeddings', file),
    ropeTheta: theta,
    normEps: opt(cfg, 'rms_norm_eps') ?? 1e-6,
    tieEmbeddings: cfg.tie_word_embeddings === true,
    initStd: opt(cfg, 'initializer_range') ?? 0.02,
  };
  if (scaling) base.ropeScaling = scaling;
  if (type === 'llama') {
    const hd = opt(cfg, 'head_dim');
    if (hd !== undefined && hd !== d / heads)
      throw new InputError(`${file}: head_dim ${hd} ≠ hidden_size / num_attention_heads is not supported`);
    return validateConfig({ ...base, ropeStyle: 'half' }, file);
  }
  // deepseek_v3
  if (base.nKvHeads !== heads)
    throw new InputError(
      `${file}: num_key_value_heads must equal num_attention_heads for MLA (transformers repeats the per-head keys otherwise)`,
    );
  if (cfg.scoring_func !== undefined && cfg.scoring_func !== 'sigmoid')
    throw new InputError(
      `${file}: scoring_func "${String(cfg.scoring_func)}" is not what DeepseekV3 computes (sigmoid)`,
    );
  if ((opt(cfg, 'moe_layer_freq') ?? 1) !== 1) throw new InputError(`${file}: moe_layer_freq ≠ 1 is not supported`);
  const nLayers = base.nLayers!,
    nDense = Math.min(opt(cfg, 'first_k_dense_replace') ?? 0, nLayers);
  const moe: MoeConfig = {
    nRoutedExperts: need(cfg, 'n_routed_experts', file),
    nSharedExperts: need(cfg, 'n_shared_experts', file),
    nActivatedExperts: need(cfg, 'num_experts_per_tok', file),
    moeInterDim: need(cfg, 'moe_intermediate_size', file),
    nDenseLayers: nDense,
    nGroups: opt(cfg, 'n_group') ?? 1,
    topkGroups: opt(cfg, 'topk_group') ?? 1,
    routeScale: opt(cfg, 'routed_scaling_factor') ?? 1,
    scoreFunc: 'sigmoid',
    normTopkProb: cfg.norm_topk_prob !== false,
    biasUpdateSpeed: defaultMoe.biasUpdateSpeed,
    seqAuxAlpha: opt(cfg, 'aux_loss_alpha') ?? defaultMoe.seqAuxAlpha,
  };
  return validateConfig(
    {
      ...base,
      ropeStyle: cfg.rope_interleave === false ? 'half' : 'interleaved',
      mla: {
        qLoraRank: opt(cfg, 'q_lora_rank') ?? 0,
        kvLoraRank: need(cfg, 'kv_lora_rank', file),
        qkNopeHeadDim: need(cfg, 'qk_nope_head_dim', file),
        qkRopeHeadDim: need(cfg, 'qk_rope_head_dim', file),
        vHeadDim: need(cfg, 'v_head_dim', file),
      },
      // All layers dense (first_k_dense_replace ≥ num_hidden_layers): no MoE section at all.
      ...(nDense < nLayers ? { moe } : {}),
      mtpDepth: opt(cfg, 'num_nextn_predict_layers') ?? 0,
    },
    file,
  );
}

function ropeJson(y: YarnScaling | undefined): Json | null {
  if (!y) return null;
  const r: Json = {
    type: 'yarn',
    rope_type: 'yarn',
    factor: y.factor,
    original_max_position_embeddings: y.originalMaxPositionEmbeddings,
    beta_fast: y.betaFast,
    beta_slow: y.betaSlow,
  };
  if (y.mscale !== undefined) r.mscale = y.mscale;
  if (y.mscaleAllDim !== undefined) r.mscale_all_dim = y.mscaleAllDim;
  if (y.attentionFactor !== undefined) r.attention_factor = y.attentionFactor;
  return r;
}

/** The HF config.json for a model: deepseek_v3 when it has MLA, llama when it is dense; else an InputError. */
export function toHfConfig(c: ModelConfig): Json {
  const common: Json = {
    vocab_size: c.vocabSize,
    hidden_size: c.dModel,
    intermediate_size: c.dFF,
    num_hidden_layers: c.nLayers,
    num_attention_heads: c.nHeads,
    max_position_embeddings: c.maxSeqLen,
    rms_norm_eps: c.normEps,
    rope_theta: c.ropeTheta,
    rope_scaling: ropeJson(c.ropeScaling),
    tie_word_embeddings: c.tieEmbeddings,
    initializer_range: c.initStd,
    hidden_act: 'silu',
    attention_bias: false,
    torch_dtype: 'float32',
  };
  if (!c.mla) {
    if (c.moe) throw new InputError('an MoE model without MLA has no Hugging Face layout here (deepseek_v3 needs MLA)');
    if (c.ropeStyle !== 'half') throw new InputError("a dense model with ropeStyle 'interleaved' has no Llama layout");
    if (c.mtpDepth) throw new InputError('MTP modules need the deepseek_v3 layout (a model with MLA)');
    return {
      architectures: ['LlamaForCausalLM'],
      model_type: 'llama',
      ...common,
      num_key_value_heads: c.nKvHeads,
      mlp_bias: false,
    };
  }
  const m = c.mla,
    moe = c.moe;
  if (moe && moe.scoreFunc !== 'sigmoid')
    throw new InputError("DeepseekV3 computes a sigmoid gate; a 'softmax' (V2) gate has no deepseek_v3 layout");
  return {
    architectures: ['DeepseekV3ForCausalLM'],
    model_type: 'deepseek_v3',
    ...common,
    num_key_value_heads: c.nHeads,
    q_lora_rank: m.qLoraRank > 0 ? m.qLoraRank : null,
    kv_lora_rank: m.kvLoraRank,
    qk_nope_head_dim: m.qkNopeHeadDim,
    qk_rope_head_dim: m.qkRopeHeadDim,
    v_head_dim: m.vHeadDim,
    rope_interleave: c.ropeStyle === 'interleaved',
    // A model without MoE is all dense layers: first_k_dense_replace = num_hidden_layers (the MoE sizes are unused).
    n_routed_experts: moe?.nRoutedExperts ?? 1,
    n_shared_experts: moe?.nSharedExperts ?? 1,
    num_experts_per_tok: moe?.nActivatedExperts ?? 1,
    moe_intermediate_size: moe?.moeInterDim ?? 1,
    first_k_dense_replace: moe?.nDenseLayers ?? c.nLayers,
    n_group: moe?.nGroups ?? 1,
    topk_group: moe?.topkGroups ?? 1,
    routed_scaling_factor: moe?.routeScale ?? 1,
    norm_topk_prob: moe?.normTopkProb ?? true,
    scoring_func: 'sigmoid',
    topk_method: 'noaux_tc',
    aux_loss_alpha: moe?.seqAuxAlpha ?? 0,
    seq_aux: true,
    num_nextn_predict_layers: c.mtpDepth ?? 0,
  };
}
