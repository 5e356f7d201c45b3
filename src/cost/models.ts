// Published model shapes the presets and lessons start from. The same numbers are in the HF config.json files
// under fixtures/cost/hf/, and a test checks that both routes agree.
// Sources: DeepSeek-V3 inference/configs/config_671B.json and config_236B.json
// (../shared/reference/deepseek-v3-architecture.md §0); Llama 3.1 405B and Qwen2.5-72B model cards / configs.
import { defineShape, type ModelShape } from './shape.ts';

/** DeepSeek-V3 (671B / 37B): 61 layers, MLA, 1 shared + 256 routed experts (top-8), MTP depth 1 (V3 §4.2). */
export const DEEPSEEK_V3: ModelShape = defineShape({
  name: 'DeepSeek-V3',
  d: 7168,
  nLayers: 61,
  nHeads: 128,
  vocab: 129280,
  dFF: 18432,
  attention: 'mla',
  qLoraRank: 1536,
  kvLoraRank: 512,
  qkNopeHeadDim: 128,
  qkRopeHeadDim: 64,
  vHeadDim: 128,
  nDenseLayers: 3,
  nRoutedExperts: 256,
  nSharedExperts: 1,
  nActivatedExperts: 8,
  moeInterDim: 2048,
  nExpertGroups: 8,
  nLimitedGroups: 4,
  mtpDepth: 1,
});

/** DeepSeek-V2 (236B / 21B): 60 layers, MLA, 2 shared + 160 routed experts (top-6), no MTP (V2 §3.1.2). */
export const DEEPSEEK_V2: ModelShape = defineShape({
  name: 'DeepSeek-V2',
  d: 5120,
  nLayers: 60,
  nHeads: 128,
  vocab: 102400,
  dFF: 12288,
  attention: 'mla',
  qLoraRank: 1536,
  kvLoraRank: 512,
  qkNopeHeadDim: 128,
  qkRopeHeadDim: 64,
  vHeadDim: 128,
  nDenseLayers: 1,
  nRoutedExperts: 160,
  nSharedExperts: 2,
  nActivatedExperts: 6,
  moeInterDim: 1536,
  nExpertGroups: 8,
  nLimitedGroups: 3,
});

/** Llama 3.1 405B: dense, GQA 128 heads / 8 KV heads, 126 layers, FFN 53248, vocab 128256. */
export const LLAMA_31_405B: ModelShape = defineShape({
  name: 'Llama-3.1-405B',
  d: 16384,
  nLayers: 126,
  nHeads: 128,
  nKvHeads: 8,
  headDim: 128,
  vocab: 128256,
  dFF: 53248,
});

/** Qwen2.5-72B: dense, GQA 64 / 8 heads with QKV bias, 80 layers, FFN 29568, vocab 152064. */
export const QWEN25_72B: ModelShape = defineShape({
  name: 'Qwen2.5-72B',
  d: 8192,
  nLayers: 80,
  nHeads: 64,
  nKvHeads: 8,
  headDim: 128,
  vocab: 152064,
  dFF: 29568,
  qkvBias: true,
});

export const MODEL_PRESETS: Readonly<Record<string, ModelShape>> = {
  'deepseek-v3': DEEPSEEK_V3,
  'deepseek-v2': DEEPSEEK_V2,
  'llama-3.1-405b': LLAMA_31_405B,
  'qwen2.5-72b': QWEN25_72B,
};
