// Checkpoint interop with Hugging Face: the committed DeepseekV3ForCausalLM / LlamaForCausalLM fixtures
// (fixtures/make/deepseek_v3.py) give transformers' logits, and tinyseek models survive a save/load round trip
// in both layouts.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { noGrad } from '../../src/core/autograd.ts';
import { InputError } from '../../src/core/errors.ts';
import { intTensor, tensor } from '../../src/core/tensor.ts';
import { compareLogits, logitsCommand } from '../../src/cli/logits.ts';
import { loadCheckpoint, readCheckpointConfig, saveCheckpoint, saveHfCheckpoint } from '../../src/model/checkpoint.ts';
import { validateConfig, type ModelConfig } from '../../src/model/config.ts';
import { adaptHfTensors } from '../../src/model/hf-checkpoint.ts';
import { fromHfConfig, toHfConfig } from '../../src/model/hf-config.ts';
import { saveSafetensors } from '../../src/model/safetensors.ts';
import { Transformer } from '../../src/model/transformer.ts';
import { maxAbsDiff, randomModel, tinyV3 } from './util.ts';

const FIXTURES = join(import.meta.dirname, '../../fixtures');
const fixtureDirs = ['deepseek-v3', 'llama'].flatMap((family) => {
  const root = join(FIXTURES, family);
  return existsSync(root)
    ? readdirSync(root)
        .sort()
        .map((name) => join(root, name))
    : [];
});
const HAVE_FIXTURES = existsSync(join(FIXTURES, 'deepseek-v3'));
if (!HAVE_FIXTURES)
  console.warn(
    'fixtures/deepseek-v3/ is absent: run `python fixtures/make/deepseek_v3.py` (needs torch + transformers) to enable the transformers comparison',
  );

const tmp = mkdtempSync(join(tmpdir(), 'tinyseek-hf-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const expectedOf = (dir: string) =>
  JSON.parse(readFileSync(join(dir, 'expected.json'), 'utf8')) as { ids: number[]; logits: number[][] };
const logitsOf = (m: Transformer, ids: number[], impl: 'naive' | 'absorbed' = 'absorbed') =>
  noGrad(() => m.forward(intTensor(ids, [1, ids.length]), { mlaImpl: impl }).dataSync());

describe.skipIf(!HAVE_FIXTURES)('tiny transformers checkpoints (fixtures/deepseek-v3, fixtures/llama)', () => {
  it.each(fixtureDirs.map((d) => [d.slice(FIXTURES.length + 1), d]))(
    '%s gives transformers’ logits within 1e-4 (float32, both MLA forms)',
    (_name, dir) => {
      const { model } = loadCheckpoint(dir);
      const exp = expectedOf(dir);
      for (const impl of ['absorbed', 'naive'] as const)
        expect(compareLogits(logitsOf(model, exp.ids, impl), exp.logits).maxRel).toBeLessThan(1e-4);
    },
  );

  it('exercise what they are for: query latent or not, interleaved or half RoPE, YaRN, a bias that moves the choice', () => {
    const cfg = (name: string) => loadCheckpoint(join(FIXTURES, 'deepseek-v3', name)).model.config;
    expect(cfg('q-lora').mla!.qLoraRank).toBeGreaterThan(0);
    expect(cfg('q-lora').ropeStyle).toBe('interleaved');
    expect(cfg('no-q-lora').mla!.qLoraRank).toBe(0);
    expect(cfg('no-q-lora').ropeStyle).toBe('half');
    expect(cfg('yarn').ropeScaling?.factor).toBe(4);
    // Each feature changes the logits well beyond the tolerance, so the match above is not an accident.
    const drift = (name: string, change: (c: ModelConfig) => ModelConfig, params?: (m: Transformer) => void) => {
      const dir = join(FIXTURES, 'deepseek-v3', name),
        { model } = loadCheckpoint(dir),
        exp = expectedOf(dir);
      params?.(model);
      const other = new Transformer(change(model.config), model.params);
      return compareLogits(logitsOf(other, exp.ids), exp.logits).maxRel;
    };
    expect(drift('yarn', (c) => ({ ...c, ropeScaling: undefined }))).toBeGreaterThan(1e-3);
    expect(
      drift('yarn-mscale', (c) => ({ ...c, ropeScaling: { ...c.ropeScaling!, mscale: undefined } })),
    ).toBeGreaterThan(1e-3);
    expect(drift('q-lora', (c) => ({ ...c, ropeStyle: 'half' }))).toBeGreaterThan(1e-3);
    expect(
      drift(
        'bias',
        (c) => c,
        (m) => {
          const name = 'model.layers.1.mlp.gate.e_score_correction_bias';
          m.params.set(name, tensor(new Float32Array(m.p(name).size), m.p(name).shape));
        },
      ),
    ).toBeGreaterThan(1e-3);
  });

  it('`tinyseek logits --expected` reports a match, and --json prints the logits', async () => {
    const dir = join(FIXTURES, 'deepseek-v3', 'bias');
    const out: string[] = [];
    const io = { out: (s: string) => void out.push(s), err: (s: string) => void out.push(s), isTTY: false };
    expect(await logitsCommand.run(['--model', dir, '--expected', join(dir, 'expected.json')], io)).toBe(0);
    expect(out.join('')).toMatch(/match: max \|Δ\| .* relative .*tolerance 0\.0001/);
    out.length = 0;
    expect(await logitsCommand.run(['--model', dir, '--ids', '1,5,9', '--json'], io)).toBe(0);
    const printed = JSON.parse(out.join('')) as { ids: number[]; logits: number[][] };
    expect(printed.ids).toEqual([1, 5, 9]);
    expect(compareLogits(printed.logits.flat(), expectedOf(dir).logits.slice(0, 3)).maxRel).toBeLessThan(1e-4);
  });
});

describe('Hugging Face layout', () => {
  const v3 = (over: Partial<ModelConfig> = {}) =>
    validateConfig({
      ...tinyV3({ maxSeqLen: 64, vocabSize: 31 }),
      mtpDepth: 1,
      ropeScaling: {
        type: 'yarn',
        factor: 4,
        originalMaxPositionEmbeddings: 16,
        betaFast: 32,
        betaSlow: 1,
        mscale: 1,
        mscaleAllDim: 0.7,
      },
      ...over,
    });

  it('round-trips a V3 model (MLA, MoE with bias, MTP, YaRN) through config.json + model.safetensors', async () => {
    const m = randomModel(v3(), 1),
      dir = join(tmp, 'v3');
    await saveHfCheckpoint(dir, m, { step: 3 });
    const raw = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'));
    expect(raw).toMatchObject({
      model_type: 'deepseek_v3',
      q_lora_rank: 6,
      kv_lora_rank: 5,
      n_group: 3,
      topk_group: 2,
      first_k_dense_replace: 1,
      rope_interleave: true,
      num_nextn_predict_layers: 1,
      routed_scaling_factor: 2.5,
    });
    expect(raw.rope_scaling).toMatchObject({
      type: 'yarn',
      factor: 4,
      original_max_position_embeddings: 16,
      mscale_all_dim: 0.7,
    });
    const { model, meta } = loadCheckpoint(dir, { dtype: 'float64' });
    expect(meta.format).toBe('hf');
    expect(model.config).toEqual(m.config); // γ is not in HF's config: V3's 0.001 comes back, as tinyV3 set it
    const ids = [1, 2, 3, 4, 5, 6];
    expect(maxAbsDiff(logitsOf(model, ids), logitsOf(m, ids))).toBeLessThan(1e-5); // float32 on disk
    expect(model.p('model.layers.2.eh_proj.weight').shape).toEqual([16, 32]);
    expect(model.p('model.layers.1.mlp.gate.e_score_correction_bias').requiresGrad).toBe(false);
  });

  it('maps configs both ways: no query latent is q_lora_rank null, dense models are llama', () => {
    for (const c of [
      v3({ mla: { ...tinyV3().mla!, qLoraRank: 0 }, ropeStyle: 'half', mtpDepth: undefined, ropeScaling: undefined }),
      v3({ moe: undefined }),
    ]) {
      const back = fromHfConfig(toHfConfig(c), 'test');
      expect(back.mla).toEqual(c.mla);
      expect(back.ropeStyle).toBe(c.ropeStyle);
      expect(back.moe === undefined ? 'none' : back.moe.nDenseLayers).toBe(
        c.moe === undefined ? 'none' : c.moe.nDenseLayers,
      );
    }
    expect(toHfConfig(v3({ mla: { ...tinyV3().mla!, qLoraRank: 0 } })).q_lora_rank).toBeNull();
    const dense = validateConfig({ vocabSize: 20, dModel: 16, nHeads: 4, nKvHeads: 2 });
    expect(toHfConfig(dense)).toMatchObject({ model_type: 'llama', num_key_value_heads: 2 });
    expect(fromHfConfig(toHfConfig(dense), 'test')).toEqual(dense);
  });

  it('reads transformers 5 configs (rope_parameters) and fused expert tensors', () => {
    const hf = {
      ...toHfConfig(v3({ mtpDepth: undefined })),
      rope_scaling: undefined,
      rope_theta: undefined,
      rope_parameters: { rope_type: 'yarn', rope_theta: 5000, factor: 2, original_max_position_embeddings: 32 },
    };
    const c = fromHfConfig(hf, 'cfg');
    expect(c.ropeTheta).toBe(5000);
    expect(c.ropeScaling).toMatchObject({ factor: 2, originalMaxPositionEmbeddings: 32, betaFast: 32, betaSlow: 1 });
    // experts.gate_up_proj [E, 2I, d] (gate rows first) and experts.down_proj [E, d, I]
    const E = 2,
      I = 2,
      d = 3;
    const gu = Float32Array.from({ length: E * 2 * I * d }, (_, i) => i),
      dn = Float32Array.from({ length: E * d * I }, (_, i) => 100 + i);
    const out = adaptHfTensors(
      {
        'model.layers.1.mlp.experts.gate_up_proj': { dtype: 'F32', shape: [E, 2 * I, d], data: gu },
        'model.layers.1.mlp.experts.down_proj': { dtype: 'F32', shape: [E, d, I], data: dn },
        'model.rotary_emb.inv_freq': { dtype: 'F32', shape: [2], data: new Float32Array(2) },
      },
      c,
    );
    expect(Object.keys(out).sort()).toEqual(
      ['down_proj', 'gate_proj', 'up_proj']
        .flatMap((w) => [0, 1].map((e) => `model.layers.1.mlp.experts.${e}.${w}.weight`))
        .sort(),
    );
    const values = (name: string) => Array.from(out[`model.layers.1.mlp.experts.${name}.weight`]!.data as Float32Array);
    expect(values('1.gate_proj')).toEqual([12, 13, 14, 15, 16, 17]);
    expect(values('1.up_proj')).toEqual([18, 19, 20, 21, 22, 23]);
    expect(values('0.down_proj')).toEqual([100, 101, 102, 103, 104, 105]);
  });

  it('loads weights without the MTP layers that num_nextn_predict_layers announces (as transformers saves them)', async () => {
    const m = randomModel(v3({ mtpDepth: undefined }), 2),
      dir = join(tmp, 'no-mtp');
    await saveHfCheckpoint(dir, m);
    const raw = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'));
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ ...raw, num_nextn_predict_layers: 1 }));
    expect(loadCheckpoint(dir).model.config.mtpDepth).toBeUndefined();
  });

  it('refuses what it cannot reproduce, naming the file', async () => {
    const dir = join(tmp, 'bad');
    const m = randomModel(v3({ mtpDepth: undefined }), 3);
    await saveHfCheckpoint(dir, m);
    const raw = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'));
    const bad = (patch: object, message: RegExp) => {
      writeFileSync(join(dir, 'config.json'), JSON.stringify({ ...raw, ...patch }));
      expect(() => loadCheckpoint(dir)).toThrow(InputError);
      expect(() => loadCheckpoint(dir)).toThrow(message);
    };
    bad({ model_type: 'gpt2' }, /config\.json: model_type "gpt2" is not supported/);
    bad({ hidden_act: 'gelu' }, /hidden_act "gelu"/);
    bad({ rope_scaling: { type: 'llama3', factor: 8 } }, /rope type "llama3"/);
    bad({ num_key_value_heads: 1 }, /num_key_value_heads must equal/);
    bad({ kv_lora_rank: 4 }, /model\.safetensors: .*kv_a_proj_with_mqa.* has shape/);
    writeFileSync(join(dir, 'config.json'), JSON.stringify(raw));
    saveSafetensors(join(dir, 'model.safetensors'), {
      'model.norm.weight': { dtype: 'F32', shape: [16], data: new Float32Array(16) },
    });
    expect(() => loadCheckpoint(dir)).toThrow(/missing \d+ tensor\(s\) the config needs/);
    expect(() => toHfConfig(validateConfig({ ...tinyV3(), mla: undefined }))).toThrow(/MoE model without MLA/);
    expect(() => toHfConfig(v3({ moe: { ...tinyV3().moe!, scoreFunc: 'softmax' } }))).toThrow(/softmax/);
  });
});

describe('tinyseek checkpoints of DeepSeek-style models', () => {
  it('round-trip exactly (config sections, the bias buffer, MTP modules)', async () => {
    const m = randomModel(validateConfig({ ...tinyV3(), mtpDepth: 2 }), 4),
      dir = join(tmp, 'ts');
    await saveCheckpoint(dir, m, { seed: 4 });
    const { config, meta } = readCheckpointConfig(dir);
    expect(config).toEqual(m.config);
    expect(meta.seed).toBe(4);
    const { model } = loadCheckpoint(dir, { dtype: 'float64' });
    const ids = [3, 1, 4, 1, 5];
    expect(maxAbsDiff(logitsOf(model, ids), logitsOf(m, ids))).toBeLessThan(1e-5);
    expect(model.p('model.layers.3.mlp.gate.e_score_correction_bias').requiresGrad).toBe(false);
  });

  it('refuse an invalid DeepSeek section with the file and the key', async () => {
    const dir = join(tmp, 'bad-ts');
    await saveCheckpoint(dir, randomModel(tinyV3(), 5));
    const raw = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'));
    writeFileSync(
      join(dir, 'config.json'),
      JSON.stringify({ ...raw, model: { ...raw.model, moe: { ...raw.model.moe, topkGroups: 9 } } }),
    );
    expect(() => loadCheckpoint(dir)).toThrow(/config\.json: moe\.topkGroups 9 exceeds nGroups 3/);
  });
});
