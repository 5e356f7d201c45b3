// Hugging Face config.json → ModelShape, for `tinyseek cost model --config`. Reads the keys transformers uses
// for DeepSeek-V2/V3 (MLA + DeepSeekMoE), Llama, Mistral, Qwen2/Qwen3 (dense, GQA) and Mixtral, Qwen2-MoE,
// Qwen3-MoE. A file with tinyseek field names (d, nLayers, ...) is read as a tinyseek ModelConfig instead.
// Every missing or mistyped key is an InputError naming the file and the key.
// Source: transformers configuration_deepseek_v3.py / configuration_llama.py key names; fixtures/cost/hf/.
import { readFileSync } from 'node:fs';
import { InputError } from '../core/errors.ts';
import { defineShape, shapeFromPlain, type ModelShape, type ShapeInput } from './shape.ts';

type Json = Record<string, unknown>;

/** Typed access to a config's keys, with errors that name the file. */
function reader(cfg: Json, file: string) {
  const num = (key: string, fallback?: number, min = 1): number => {
    const v = cfg[key];
    if (v === undefined || v === null) {
      if (fallback !== undefined) return fallback;
      throw new InputError(`${file}: missing key '${key}'`);
    }
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min)
      throw new InputError(`${file}: key '${key}' must be a whole number ≥ ${min}, got ${JSON.stringify(v)}`);
    return v;
  };
  const flag = (key: string, fallback: boolean): boolean => {
    const v = cfg[key];
    if (v === undefined || v === null) return fallback;
    if (typeof v !== 'boolean')
      throw new InputError(`${file}: key '${key}' must be true or false, got ${JSON.stringify(v)}`);
    return v;
  };
  return { num, flag };
}

function common(cfg: Json, file: string, r: ReturnType<typeof reader>): ShapeInput {
  const d = r.num('hidden_size');
  const nHeads = r.num('num_attention_heads');
  return {
    name: typeof cfg._name_or_path === 'string' && cfg._name_or_path ? cfg._name_or_path : file,
    d,
    nLayers: r.num('num_hidden_layers'),
    nHeads,
    vocab: r.num('vocab_size'),
    tieEmbeddings: r.flag('tie_word_embeddings', false),
  };
}

function deepseek(cfg: Json, file: string, r: ReturnType<typeof reader>): ShapeInput {
  if (r.num('moe_layer_freq', 1) !== 1) throw new InputError(`${file}: moe_layer_freq other than 1 is not supported`);
  const nRouted = r.num('n_routed_experts', 0, 0);
  const base = common(cfg, file, r);
  return {
    ...base,
    dFF: r.num('intermediate_size'),
    attention: 'mla',
    qLoraRank: r.num('q_lora_rank', 0, 0), // null in V2-Lite: no query compression
    kvLoraRank: r.num('kv_lora_rank'),
    qkNopeHeadDim: r.num('qk_nope_head_dim'),
    qkRopeHeadDim: r.num('qk_rope_head_dim', 0, 0),
    vHeadDim: r.num('v_head_dim'),
    nDenseLayers: nRouted > 0 ? r.num('first_k_dense_replace', 0, 0) : base.nLayers,
    nRoutedExperts: nRouted,
    nSharedExperts: nRouted > 0 ? r.num('n_shared_experts', 0, 0) : 0,
    nActivatedExperts: nRouted > 0 ? r.num('num_experts_per_tok') : 0,
    moeInterDim: nRouted > 0 ? r.num('moe_intermediate_size') : 0,
    nExpertGroups: nRouted > 0 ? r.num('n_group', 1) : 1,
    nLimitedGroups: nRouted > 0 ? r.num('topk_group', 1) : 1,
    mtpDepth: r.num('num_nextn_predict_layers', 0, 0),
  };
}

function gqa(cfg: Json, file: string, r: ReturnType<typeof reader>, qkvBias: boolean): ShapeInput {
  const base = common(cfg, file, r);
  const nKvHeads = r.num('num_key_value_heads', base.nHeads);
  return {
    ...base,
    attention: nKvHeads === base.nHeads ? 'mha' : 'gqa',
    nKvHeads,
    headDim: r.num('head_dim', Math.floor(base.d / base.nHeads)),
    qkvBias: r.flag('attention_bias', qkvBias),
  };
}

/** MoE families whose every layer is sparse (Mixtral, Qwen2-MoE, Qwen3-MoE). */
function sparseAll(cfg: Json, file: string, r: ReturnType<typeof reader>, kind: string): ShapeInput {
  const mixtral = kind === 'mixtral';
  const base = gqa(cfg, file, r, kind === 'qwen2_moe');
  if (r.num('decoder_sparse_step', 1) !== 1 || (Array.isArray(cfg.mlp_only_layers) && cfg.mlp_only_layers.length > 0))
    throw new InputError(
      `${file}: decoder_sparse_step / mlp_only_layers (mixed dense and MoE layers) are not supported`,
    );
  const moeInterDim = mixtral ? r.num('intermediate_size') : r.num('moe_intermediate_size');
  const sharedWidth = kind === 'qwen2_moe' ? r.num('shared_expert_intermediate_size', 0, 0) : 0;
  if (sharedWidth % moeInterDim !== 0)
    throw new InputError(
      `${file}: shared_expert_intermediate_size (${sharedWidth}) must be a multiple of moe_intermediate_size (${moeInterDim})`,
    );
  return {
    ...base,
    nDenseLayers: 0,
    nRoutedExperts: mixtral ? r.num('num_local_experts') : r.num('num_experts'),
    nActivatedExperts: r.num('num_experts_per_tok'),
    moeInterDim,
    nSharedExperts: sharedWidth / moeInterDim,
  };
}

export const SUPPORTED_MODEL_TYPES = [
  'deepseek_v2',
  'deepseek_v3',
  'llama',
  'mistral',
  'qwen2',
  'qwen3',
  'mixtral',
  'qwen2_moe',
  'qwen3_moe',
] as const;

/** Converts a parsed HF config object; `file` names it in errors. */
export function shapeFromHfConfig(cfg: Json, file: string): ModelShape {
  const r = reader(cfg, file);
  const type = cfg.model_type;
  let input: ShapeInput;
  switch (type) {
    case 'deepseek_v2':
    case 'deepseek_v3':
      input = deepseek(cfg, file, r);
      break;
    case 'llama':
    case 'mistral':
    case 'qwen3':
      input = { ...gqa(cfg, file, r, false), dFF: r.num('intermediate_size') };
      break;
    case 'qwen2': // Qwen2 always puts biases on q, k and v.
      input = { ...gqa(cfg, file, r, true), dFF: r.num('intermediate_size') };
      break;
    case 'mixtral':
    case 'qwen2_moe':
    case 'qwen3_moe':
      input = sparseAll(cfg, file, r, type);
      break;
    default:
      throw new InputError(
        `${file}: model_type ${JSON.stringify(type)} is not supported (supported: ${SUPPORTED_MODEL_TYPES.join(', ')})`,
      );
  }
  return defineShape(input, file);
}

/**
 * The shape of a tinyseek run directory's config.json ({"model": {vocabSize, dModel, …}, …}): the model section
 * renamed field by field (cost/ reads no model code, so the names are mapped here rather than imported).
 */
export function shapeFromRunConfig(run: Json, file: string): ModelShape {
  const m = run.model as Json;
  if (typeof m !== 'object' || m === null || Array.isArray(m))
    throw new InputError(`${file}: "model" must be an object`);
  const mla = m.mla as Json | undefined,
    moe = m.moe as Json | undefined;
  const plain: Json = {
    name: 'tinyseek run',
    d: m.dModel,
    nLayers: m.nLayers,
    nHeads: m.nHeads,
    vocab: m.vocabSize,
    dFF: m.dFF,
    tieEmbeddings: m.tieEmbeddings,
    mtpDepth: m.mtpDepth ?? 0,
  };
  if (mla) {
    Object.assign(plain, {
      attention: 'mla',
      qLoraRank: mla.qLoraRank,
      kvLoraRank: mla.kvLoraRank,
      qkNopeHeadDim: mla.qkNopeHeadDim,
      qkRopeHeadDim: mla.qkRopeHeadDim,
      vHeadDim: mla.vHeadDim,
    });
  } else {
    const nHeads = m.nHeads as number,
      nKv = (m.nKvHeads as number | undefined) ?? nHeads;
    Object.assign(plain, {
      attention: nKv === nHeads ? 'mha' : 'gqa',
      nKvHeads: nKv,
      headDim: typeof m.dModel === 'number' ? m.dModel / nHeads : undefined,
    });
  }
  if (moe) {
    Object.assign(plain, {
      nRoutedExperts: moe.nRoutedExperts,
      nSharedExperts: moe.nSharedExperts,
      nActivatedExperts: moe.nActivatedExperts,
      moeInterDim: moe.moeInterDim,
      nDenseLayers: moe.nDenseLayers,
      nExpertGroups: moe.nGroups,
      nLimitedGroups: moe.topkGroups,
    });
  } else plain.nDenseLayers = m.nLayers;
  for (const k of Object.keys(plain)) if (plain[k] === undefined) delete plain[k];
  return shapeFromPlain(plain, file);
}

/**
 * Reads a model config file: a Hugging Face config.json (has model_type), a tinyseek run directory's
 * config.json (has a "model" section) or a cost-model shape written by hand (has d and nLayers).
 */
export function loadModelConfig(file: string): ModelShape {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new InputError(
      `${file}: cannot read model config (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`,
    );
  }
  let cfg: unknown;
  try {
    cfg = JSON.parse(text);
  } catch (e) {
    throw new InputError(`${file}: not valid JSON (${(e as Error).message})`);
  }
  if (typeof cfg !== 'object' || cfg === null || Array.isArray(cfg))
    throw new InputError(`${file}: expected a JSON object`);
  const obj = cfg as Json;
  if ('model_type' in obj) return shapeFromHfConfig(obj, file);
  if ('model' in obj) return shapeFromRunConfig(obj, file);
  if ('d' in obj && 'nLayers' in obj) return shapeFromPlain(obj, file);
  throw new InputError(
    `${file}: neither a Hugging Face config (no 'model_type'), a tinyseek run's config.json (no 'model') nor a cost shape (no 'd'/'nLayers')`,
  );
}
