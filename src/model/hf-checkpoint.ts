// Hugging Face checkpoint directories: config.json (model_type deepseek_v3 or llama) + model.safetensors (or a
// sharded model.safetensors.index.json). tinyseek's parameter names already are HF's (model.embed_tokens.weight,
// model.layers.<l>.self_attn.kv_b_proj.weight, ….mlp.gate.e_score_correction_bias, lm_head.weight), so loading is
// a check plus three adaptations: transformers 5 stores each layer's routed experts fused (experts.gate_up_proj
// [E, 2I, d] with gate first, experts.down_proj [E, d, I]) and we split them; the MTP layers of real V3 weights
// (model.layers.<L+k−1>: enorm, hnorm, eh_proj, shared_head) are kept when present, minus their copies of the
// shared embedding and head; buffers such as rotary inv_freq are skipped. FP8 block-quantised weights are refused.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '../core/errors.ts';
import { writeJsonAtomic } from '../core/fsio.ts';
import type { ModelConfig } from './config.ts';
import { fromHfConfig, toHfConfig } from './hf-config.ts';
import { loadSafetensors, saveSafetensors, type SafeTensor } from './safetensors.ts';
import { Transformer } from './transformer.ts';
import { paramsFromTensors, toSafeTensors, type LoadOptions } from './weights.ts';

const WEIGHTS = 'model.safetensors';
const INDEX = 'model.safetensors.index.json';

/** Every tensor of a directory: one model.safetensors, or the shards a model.safetensors.index.json names. */
export function readHfTensors(dir: string): { tensors: Record<string, SafeTensor>; source: string } {
  const single = join(dir, WEIGHTS),
    index = join(dir, INDEX);
  if (existsSync(single)) return { tensors: loadSafetensors(single).tensors, source: single };
  if (!existsSync(index)) throw new InputError(`${dir}: neither ${WEIGHTS} nor ${INDEX} found`);
  let map: unknown;
  try {
    map = (JSON.parse(readFileSync(index, 'utf8')) as { weight_map?: unknown }).weight_map;
  } catch (e) {
    throw new InputError(`${index}: not valid JSON (${(e as Error).message})`);
  }
  if (typeof map !== 'object' || map === null) throw new InputError(`${index}: missing "weight_map"`);
  const tensors: Record<string, SafeTensor> = {};
  for (const shard of [...new Set(Object.values(map as Record<string, string>))].sort()) {
    if (typeof shard !== 'string' || shard.includes('/') || shard.includes('\\'))
      throw new InputError(`${index}: bad shard name ${JSON.stringify(shard)}`);
    Object.assign(tensors, loadSafetensors(join(dir, shard)).tensors);
  }
  return { tensors, source: index };
}

/** Rows [from, to) of a 3-d tensor's entry e, as a 2-d tensor: data[e, from:to, :]. */
function rows(t: SafeTensor, e: number, from: number, to: number): SafeTensor {
  const [, r, c] = t.shape as [number, number, number];
  const data = t.data as Float32Array | Float64Array;
  return { dtype: t.dtype, shape: [to - from, c], data: data.slice((e * r + from) * c, (e * r + to) * c) };
}

/** HF tensors → tinyseek names for `config`: split fused experts, drop what the model does not hold. */
export function adaptHfTensors(src: Record<string, SafeTensor>, config: ModelConfig): Record<string, SafeTensor> {
  const out: Record<string, SafeTensor> = {};
  for (const [name, t] of Object.entries(src)) {
    const fused = /^(model\.layers\.\d+\.mlp\.experts)\.(gate_up_proj|down_proj)(\.weight)?$/.exec(name);
    if (fused && t.shape.length === 3) {
      const [E, a] = t.shape as [number, number, number];
      for (let e = 0; e < E; e++) {
        if (fused[2] === 'down_proj') out[`${fused[1]}.${e}.down_proj.weight`] = rows(t, e, 0, a);
        else {
          out[`${fused[1]}.${e}.gate_proj.weight`] = rows(t, e, 0, a / 2);
          out[`${fused[1]}.${e}.up_proj.weight`] = rows(t, e, a / 2, a);
        }
      }
      continue;
    }
    if (name.endsWith('rotary_emb.inv_freq')) continue;
    const layer = /^model\.layers\.(\d+)\.(embed_tokens\.weight|shared_head\.head\.weight)$/.exec(name);
    if (layer && Number(layer[1]) >= config.nLayers) continue; // an MTP layer's copy of the shared embedding / head
    if (name === 'lm_head.weight' && config.tieEmbeddings) continue;
    out[name] = t;
  }
  return out;
}

/** A model from an HF directory whose config.json was already parsed (`raw`). */
export function loadHfCheckpoint(
  dir: string,
  raw: unknown,
  opts: LoadOptions = {},
): { model: Transformer; meta: Record<string, unknown> } {
  const configFile = join(dir, 'config.json');
  let config = fromHfConfig(raw, configFile);
  const { tensors, source } = readHfTensors(dir);
  // num_nextn_predict_layers counts MTP modules the weights may or may not carry (transformers drops them).
  let depth = 0;
  while (depth < (config.mtpDepth ?? 0) && `model.layers.${config.nLayers + depth}.eh_proj.weight` in tensors) depth++;
  config = { ...config, mtpDepth: depth };
  if (depth === 0) delete config.mtpDepth;
  const params = paramsFromTensors(adaptHfTensors(tensors, config), config, source, opts);
  return {
    model: new Transformer(config, params),
    meta: { format: 'hf', modelType: (raw as { model_type: string }).model_type },
  };
}

/**
 * Write `model` as an HF directory (config.json + model.safetensors, float32): deepseek_v3 with MLA, else llama.
 * `extra` adds config keys (e.g. bos_token_id); `meta` goes under "tinyseek".
 */
export async function saveHfCheckpoint(
  dir: string,
  model: Transformer,
  meta: Record<string, unknown> = {},
  extra: Record<string, unknown> = {},
): Promise<void> {
  const hf = { ...toHfConfig(model.config), ...extra }; // refuses configs with no HF layout before anything is written
  saveSafetensors(join(dir, WEIGHTS), await toSafeTensors(model.params), { format: 'pt', producer: 'tinyseek' });
  writeJsonAtomic(join(dir, 'config.json'), Object.keys(meta).length ? { ...hf, tinyseek: meta } : hf);
}
