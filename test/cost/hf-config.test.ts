import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/core/errors.ts';
import { loadModelConfig, shapeFromHfConfig } from '../../src/cost/hf-config.ts';
import { MODEL_PRESETS } from '../../src/cost/models.ts';
import { countParams } from '../../src/cost/params.ts';
import { sameArchitecture } from '../../src/cost/shape.ts';

const llama = {
  model_type: 'llama',
  hidden_size: 64,
  intermediate_size: 128,
  num_hidden_layers: 2,
  num_attention_heads: 8,
  num_key_value_heads: 2,
  vocab_size: 100,
};

function tempFile(name: string, text: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'hf-')), name);
  writeFileSync(path, text);
  return path;
}

describe('Hugging Face config.json', () => {
  it('reads the four fixtures into the same shapes as the presets', () => {
    for (const id of ['deepseek-v3', 'deepseek-v2', 'llama-3.1-405b', 'qwen2.5-72b']) {
      const s = loadModelConfig(`fixtures/cost/hf/${id}/config.json`);
      expect(sameArchitecture(s, MODEL_PRESETS[id]!)).toBe(true);
      expect(s.mtpDepth).toBe(MODEL_PRESETS[id]!.mtpDepth);
    }
  });

  it('gives 671B / 37.6B for the DeepSeek-V3 config', () => {
    const c = countParams(loadModelConfig('fixtures/cost/hf/deepseek-v3/config.json'));
    expect(c.total / 1e9).toBeCloseTo(671.03, 2);
    expect(c.activated / 1e9).toBeCloseTo(37.55, 2);
  });

  it("reads GQA, an explicit head_dim and Qwen2's implicit QKV bias", () => {
    expect(shapeFromHfConfig(llama, 'c.json')).toMatchObject({
      attention: 'gqa',
      nKvHeads: 2,
      headDim: 8,
      qkvBias: false,
    });
    expect(shapeFromHfConfig({ ...llama, model_type: 'qwen3', head_dim: 16 }, 'c.json').headDim).toBe(16);
    expect(shapeFromHfConfig({ ...llama, model_type: 'qwen2' }, 'c.json').qkvBias).toBe(true);
  });

  it('reads Mixtral and Qwen2-MoE experts, shared experts included', () => {
    const mixtral = shapeFromHfConfig(
      { ...llama, model_type: 'mixtral', num_local_experts: 8, num_experts_per_tok: 2 },
      'c.json',
    );
    expect(mixtral).toMatchObject({
      nRoutedExperts: 8,
      nActivatedExperts: 2,
      moeInterDim: 128,
      nDenseLayers: 0,
      nSharedExperts: 0,
    });
    const qwen = shapeFromHfConfig(
      {
        ...llama,
        model_type: 'qwen2_moe',
        num_experts: 60,
        num_experts_per_tok: 4,
        moe_intermediate_size: 32,
        shared_expert_intermediate_size: 128,
      },
      'c.json',
    );
    expect(qwen).toMatchObject({ nRoutedExperts: 60, nSharedExperts: 4, qkvBias: true });
  });

  it("reads V2-Lite's null q_lora_rank as no query compression", () => {
    const lite = {
      ...JSON.parse(JSON.stringify(llama)),
      model_type: 'deepseek_v2',
      num_attention_heads: 16,
      num_key_value_heads: 16,
      q_lora_rank: null,
      kv_lora_rank: 512,
      qk_nope_head_dim: 128,
      qk_rope_head_dim: 64,
      v_head_dim: 128,
      n_routed_experts: 64,
      n_shared_experts: 2,
      num_experts_per_tok: 6,
      moe_intermediate_size: 1408,
      first_k_dense_replace: 1,
    };
    expect(shapeFromHfConfig(lite, 'lite.json')).toMatchObject({ qLoraRank: 0, attention: 'mla', nRoutedExperts: 64 });
  });

  it('names the file and the key that is missing or mistyped', () => {
    const { vocab_size: _, ...noVocab } = llama;
    expect(() => shapeFromHfConfig(noVocab, 'x/config.json')).toThrow("x/config.json: missing key 'vocab_size'");
    expect(() => shapeFromHfConfig({ ...llama, hidden_size: '64' }, 'x/config.json')).toThrow(
      /key 'hidden_size' must be a whole number/,
    );
    expect(() => shapeFromHfConfig({ ...llama, tie_word_embeddings: 'yes' }, 'x/config.json')).toThrow(
      /'tie_word_embeddings' must be true or false/,
    );
    expect(() => shapeFromHfConfig({ ...llama, model_type: 'gpt2' }, 'x/config.json')).toThrow(
      /model_type "gpt2" is not supported \(supported: deepseek_v2/,
    );
    expect(() => shapeFromHfConfig({ ...llama, num_key_value_heads: 3 }, 'x/config.json')).toThrow(InputError);
  });

  it('loads a tinyseek ModelConfig, and refuses files that are neither', () => {
    expect(
      loadModelConfig(tempFile('config.json', JSON.stringify({ d: 32, nLayers: 2, nHeads: 4, vocab: 20 }))).d,
    ).toBe(32);
    expect(() => loadModelConfig(tempFile('config.json', '{"hello": 1}'))).toThrow(/neither a Hugging Face config/);
    expect(() => loadModelConfig(tempFile('config.json', '[1, 2'))).toThrow(/not valid JSON/);
    expect(() => loadModelConfig('missing/config.json')).toThrow(
      'missing/config.json: cannot read model config (ENOENT)',
    );
  });
});
