// ModelConfig with the DeepSeek sections: validated at the edge, absent by default, and the dense model pinned.
import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/core/errors.ts';
import { Rng } from '../../src/core/rng.ts';
import { defaultBackend, intTensor, setDefaultBackend } from '../../src/core/tensor.ts';
import { CpuBackend } from '../../src/backend/cpu/cpu-backend.ts';
import { defaultConfig, defaultMoe, parameterShapes, validateConfig } from '../../src/model/config.ts';
import { KVCache } from '../../src/model/kvcache.ts';
import { Transformer } from '../../src/model/transformer.ts';
import { tinyV3 } from './util.ts';

describe('ModelConfig', () => {
  it('keeps a dense config exactly as it was: no DeepSeek keys, Llama parameter names', () => {
    expect(Object.keys(validateConfig({})).sort()).toEqual(Object.keys(defaultConfig).sort());
    const names = [...parameterShapes(defaultConfig).keys()];
    expect(names.slice(0, 4)).toEqual([
      'model.embed_tokens.weight',
      'model.layers.0.input_layernorm.weight',
      'model.layers.0.self_attn.q_proj.weight',
      'model.layers.0.self_attn.k_proj.weight',
    ]);
    expect(names).toHaveLength(1 + 2 * 9 + 1);
  });

  it('pins the dense model: seed 7, default config, same logits as before MLA/MoE/MTP existed (float64 sums), and with float32 sums', async () => {
    const logits = () => Transformer.init(defaultConfig, new Rng(7)).forward(intTensor([1, 12, 30, 7, 2, 44], [1, 6]));
    const l = logits().dataSync();
    expect([l[0], l[100], l[323]]).toEqual([-0.10623151063919067, 0.05963980779051781, -0.01820390298962593]);
    expect(Array.from(l).reduce((a, b) => a + b, 0)).toBeCloseTo(19.496302482206374, 9);
    const before = defaultBackend(),
      f64 = new CpuBackend(1, { gemm: 'f64' });
    setDefaultBackend(f64);
    const h = logits().dataSync();
    setDefaultBackend(before);
    await f64.close();
    expect([h[0], h[100], h[323]]).toEqual([-0.10623151063919067, 0.0596398264169693, -0.018203912302851677]);
    expect(Array.from(h).reduce((a, b) => a + b, 0)).toBeCloseTo(19.496303233667277, 9);
  });

  it('fills a partial moe section with V3-style defaults', () => {
    const c = validateConfig({ ...tinyV3(), moe: { nRoutedExperts: 4, nActivatedExperts: 2 } });
    expect(c.moe).toEqual({ ...defaultMoe, nRoutedExperts: 4, nActivatedExperts: 2 });
  });

  it.each<[string, object, RegExp]>([
    ['an odd rope width', { mla: { ...tinyV3().mla!, qkRopeHeadDim: 3 } }, /mla\.qkRopeHeadDim 3 must be even/],
    ['a missing MLA width', { mla: { qLoraRank: 0, kvLoraRank: 4 } }, /mla\.qkNopeHeadDim must be an integer/],
    [
      'experts that do not split into groups',
      { moe: { ...tinyV3().moe!, nGroups: 4 } },
      /nRoutedExperts 6 is not divisible by nGroups 4/,
    ],
    [
      'more experts than the kept groups hold',
      { moe: { ...tinyV3().moe!, topkGroups: 1, nActivatedExperts: 3 } },
      /nActivatedExperts 3 exceeds the 2 experts in 1 kept group/,
    ],
    ['an unknown moe key', { moe: { ...tinyV3().moe!, capacity: 2 } }, /moe: unknown keys capacity/],
    ['a bad score function', { moe: { ...tinyV3().moe!, scoreFunc: 'relu' } }, /moe\.scoreFunc must be/],
    [
      'more dense layers than layers',
      { moe: { ...tinyV3().moe!, nDenseLayers: 3 } },
      /nDenseLayers 3 exceeds nLayers 2/,
    ],
    ['a negative γ', { moe: { ...tinyV3().moe!, biasUpdateSpeed: -1 } }, /biasUpdateSpeed must be ≥ 0/],
    ['another rope scaling', { ropeScaling: { type: 'linear', factor: 2 } }, /ropeScaling\.type must be 'yarn'/],
    ['a YaRN factor below 1', { ropeScaling: { type: 'yarn', factor: 0.5 } }, /ropeScaling\.factor must be ≥ 1/],
    ['a fractional MTP depth', { mtpDepth: 1.5 }, /mtpDepth must be an integer ≥ 0/],
  ])('refuses %s, naming the source', (_what, patch, message) => {
    const bad = () => validateConfig({ ...tinyV3(), ...patch }, 'runs/x/config.json');
    expect(bad).toThrow(InputError);
    expect(bad).toThrow(/^runs\/x\/config\.json: /);
    expect(bad).toThrow(message);
  });

  it('lets MLA heads ignore the MHA divisibility rules', () => {
    expect(() => validateConfig({ ...tinyV3(), dModel: 10, nHeads: 3, nKvHeads: 3 })).not.toThrow();
    expect(() => validateConfig({ ...tinyV3(), mla: undefined, dModel: 10, nHeads: 3, nKvHeads: 3 })).toThrow(
      /not divisible/,
    );
  });
});

describe('the KV cache', () => {
  it('rolls back to any earlier length and continues exactly as if the dropped tokens never came', () => {
    const c = tinyV3({ moe: undefined });
    const m = Transformer.init(c, new Rng(2), 'float64');
    const run = (ids: number[], cache: KVCache) =>
      Array.from(m.forward(intTensor(ids, [1, ids.length]), { cache }).dataSync());
    const clean = new KVCache(c.nLayers, c.maxSeqLen),
      rolled = new KVCache(c.nLayers, c.maxSeqLen);
    run([1, 2, 3], clean);
    run([1, 2, 3, 9, 9], rolled);
    rolled.truncate(3);
    expect(rolled.length).toBe(3);
    expect(rolled.numbersPerTokenInLayer(0)).toBe(c.mla!.kvLoraRank + c.mla!.qkRopeHeadDim);
    expect(run([4, 5], rolled)).toEqual(run([4, 5], clean));
    expect(() => rolled.truncate(6)).toThrow(/not in \[0, 5\]/);
    rolled.truncate(0);
    expect(rolled.numbersPerToken()).toBe(0);
  });
});
