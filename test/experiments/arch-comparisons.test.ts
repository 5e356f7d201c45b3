// The mla-cache and moe-vs-dense experiments compare what they say they compare. mla-cache's comparison is fair and its cache column is what each attention keeps: the variants'
// parameter counts are matched to MHA's, and the measured cache (after a prefill) is the analytic count per token
// over the layers: 2·H_kv·d_h for K and V (MHA, GQA, MQA), d_c + d_h^R for MLA's latent and shared RoPE key.
import { describe, expect, it } from 'vitest';
import { measuredCacheNumbers, mlaCacheModel } from '../../src/experiments/mla-cache.ts';
import { moeVsDenseModels } from '../../src/experiments/moe-vs-dense.ts';
import { Rng } from '../../src/core/rng.ts';
import { activatedParameterCount, parameterCount } from '../../src/model/config.ts';
import { Transformer } from '../../src/model/transformer.ts';

describe('mla-cache', () => {
  it('caches 2·H_kv·d_h numbers per token and layer with K and V, d_c + d_h^R with MLA, at matched parameters', () => {
    const mha = parameterCount(mlaCacheModel('mha'));
    for (const v of ['mha', 'gqa', 'mqa', 'mla'] as const) {
      const c = mlaCacheModel(v);
      const perLayer = c.mla ? c.mla.kvLoraRank + c.mla.qkRopeHeadDim : 2 * c.nKvHeads * (c.dModel / c.nHeads);
      expect(measuredCacheNumbers(Transformer.init(c, new Rng(1))), v).toBe(c.nLayers * perLayer);
      expect(Math.abs(parameterCount(c) - mha) / mha, v).toBeLessThan(0.01);
    }
    const per = (v: 'mha' | 'gqa' | 'mqa' | 'mla') =>
      measuredCacheNumbers(Transformer.init(mlaCacheModel(v), new Rng(2)));
    expect([per('gqa') / per('mha'), per('mqa') / per('mha'), per('mla') / per('mqa')]).toEqual([0.5, 0.25, 1]);
  });
});

describe('moe-vs-dense', () => {
  it('compares at equal activated parameters: they differ by the gate alone, while the MoE holds 3× the FFN', () => {
    const { dense, moe } = moeVsDenseModels();
    const gate = moe.nLayers * moe.moe!.nRoutedExperts * moe.dModel;
    expect(activatedParameterCount(moe) - activatedParameterCount(dense)).toBe(gate);
    // beyond the gate, the experts hold two more dense FFNs' worth, and each layer keeps its balancing bias (E)
    const layers = (c: typeof dense) => parameterCount(c) - parameterCount({ ...c, nLayers: 0 });
    const denseFfn = layers(dense) - layers({ ...dense, dFF: 0 });
    const bias = moe.nLayers * moe.moe!.nRoutedExperts;
    expect(parameterCount(moe) - parameterCount(dense)).toBe(2 * denseFfn + gate + bias);
  });
});
