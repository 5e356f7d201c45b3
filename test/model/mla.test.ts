// Multi-head latent attention: the absorbed form is the naive form, the cache holds only the latent and the
// RoPE key, and gradients match central differences.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { noGrad } from '../../src/core/autograd.ts';
import { Rng } from '../../src/core/rng.ts';
import { intTensor, randn, type Tensor } from '../../src/core/tensor.ts';
import {
  attentionKind,
  cacheNumbersPerTokenPerLayer,
  validateConfig,
  type ModelConfig,
} from '../../src/model/config.ts';
import { KVCache } from '../../src/model/kvcache.ts';
import { mlaAttention, mlaSoftmaxScale, type MlaImpl } from '../../src/model/mla.ts';
import { gradcheck } from '../helpers/gradcheck.ts';
import { leaves, maxAbs, maxAbsDiff, proj, randomModel, tinyV3, withParams } from './util.ts';

const mlaArb = fc.record({
  nHeads: fc.integer({ min: 1, max: 3 }),
  qLoraRank: fc.constantFrom(0, 3, 5),
  kvLoraRank: fc.integer({ min: 2, max: 6 }),
  qkNopeHeadDim: fc.integer({ min: 1, max: 4 }),
  qkRopeHeadDim: fc.constantFrom(2, 4),
  vHeadDim: fc.integer({ min: 1, max: 4 }),
  interleaved: fc.boolean(),
  yarn: fc.boolean(),
  seed: fc.integer({ min: 0, max: 1e6 }),
});

type MlaArgs = typeof mlaArb extends fc.Arbitrary<infer R> ? R : never;

function mlaConfig(a: MlaArgs): ModelConfig {
  const { nHeads, qLoraRank, kvLoraRank, qkNopeHeadDim, qkRopeHeadDim, vHeadDim, interleaved, yarn } = a;
  return tinyV3({
    nLayers: 1,
    nHeads,
    nKvHeads: nHeads,
    dModel: 8,
    moe: undefined,
    ropeStyle: interleaved ? 'interleaved' : 'half',
    mla: { qLoraRank, kvLoraRank, qkNopeHeadDim, qkRopeHeadDim, vHeadDim },
    ropeScaling: yarn
      ? {
          type: 'yarn',
          factor: 4,
          originalMaxPositionEmbeddings: 8,
          betaFast: 32,
          betaSlow: 1,
          mscale: 1,
          mscaleAllDim: 0.8,
        }
      : undefined,
  });
}

describe('MLA absorbed attention', () => {
  it('equals the naive form for any weights and positions', () => {
    fc.assert(
      fc.property(
        mlaArb,
        fc.integer({ min: 1, max: 2 }),
        fc.array(fc.integer({ min: 0, max: 31 }), { minLength: 1, maxLength: 5 }),
        (a, B, pos) => {
          const c = mlaConfig(a),
            m = randomModel(c, a.seed),
            T = pos.length;
          const h = randn([B * T, c.dModel], new Rng(a.seed).child('h'), 1, { dtype: 'float64' });
          const positions = intTensor(Array.from({ length: B }, () => pos).flat());
          const run = (impl: MlaImpl) => noGrad(() => m.attention(0, h, B, T, positions, { mlaImpl: impl })).dataSync();
          const naive = run('naive'),
            absorbed = run('absorbed');
          expect(maxAbs(naive)).toBeGreaterThan(1e-6); // a non-trivial output (small weights can make it ~1e-3)
          expect(maxAbsDiff(naive, absorbed)).toBeLessThan(1e-12 * Math.max(1, maxAbs(naive)) * 100);
        },
      ),
      { numRuns: 40 },
    );
  });

  it('equals the naive form when decoding from a cache, step by step', () => {
    fc.assert(
      fc.property(mlaArb, fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 3 }), (a, prefill, steps) => {
        const c = { ...mlaConfig(a), nLayers: 2 },
          m = randomModel(validateConfig(c), a.seed);
        const ids = Array.from({ length: prefill + steps }, (_, i) => (a.seed + 7 * i) % c.vocabSize);
        const decode = (impl: MlaImpl) =>
          noGrad(() => {
            const cache = new KVCache(c.nLayers, c.maxSeqLen),
              out: number[] = [];
            out.push(...m.forward(intTensor(ids.slice(0, prefill), [1, prefill]), { cache, mlaImpl: impl }).dataSync());
            for (let s = prefill; s < ids.length; s++)
              out.push(...m.forward(intTensor([ids[s]!], [1, 1]), { cache, mlaImpl: impl }).dataSync());
            return out;
          });
        const full = noGrad(() => m.forward(intTensor(ids, [1, ids.length]), { mlaImpl: 'naive' }).dataSync());
        expect(maxAbsDiff(decode('absorbed'), full)).toBeLessThan(1e-10);
        expect(maxAbsDiff(decode('naive'), full)).toBeLessThan(1e-10);
      }),
      { numRuns: 15 },
    );
  });

  it('uses the softmax scale 1/√(d_nope + d_rope), times mscale² under YaRN (V3: 0.13523)', () => {
    const v3 = validateConfig({
      dModel: 64,
      nHeads: 4,
      nKvHeads: 4,
      mla: { qLoraRank: 1536, kvLoraRank: 512, qkNopeHeadDim: 128, qkRopeHeadDim: 64, vHeadDim: 128 },
    });
    expect(mlaSoftmaxScale(v3)).toBeCloseTo(192 ** -0.5, 12);
    const yarn = validateConfig({
      ...v3,
      ropeScaling: {
        type: 'yarn',
        factor: 40,
        originalMaxPositionEmbeddings: 4096,
        betaFast: 32,
        betaSlow: 1,
        mscale: 1,
        mscaleAllDim: 1,
      },
    });
    expect(mlaSoftmaxScale(yarn)).toBeCloseTo(0.13523, 5);
  });
});

describe('the MLA KV cache', () => {
  it('holds exactly kvLoraRank + qkRopeHeadDim numbers per token per layer, in both forms', () => {
    fc.assert(
      fc.property(
        mlaArb,
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 1, max: 5 }),
        fc.constantFrom<MlaImpl>('naive', 'absorbed'),
        (a, B, T, impl) => {
          const c = validateConfig({ ...mlaConfig(a), nLayers: 3 }),
            m = randomModel(c, a.seed);
          const cache = new KVCache(c.nLayers, c.maxSeqLen);
          noGrad(() =>
            m.forward(
              intTensor(
                Array.from({ length: B * T }, (_, i) => i % c.vocabSize),
                [B, T],
              ),
              { cache, mlaImpl: impl },
            ),
          );
          for (let l = 0; l < c.nLayers; l++)
            expect(cache.numbersPerTokenInLayer(l)).toBe(c.mla!.kvLoraRank + c.mla!.qkRopeHeadDim);
          expect(cache.numbersPerToken()).toBe(c.nLayers * cacheNumbersPerTokenPerLayer(c));
        },
      ),
      { numRuns: 20 },
    );
  });

  it('is smaller than MHA, GQA and MQA caches of the same heads, each measured as cached', () => {
    const measured = (c: ModelConfig): number => {
      const m = randomModel(c, 3),
        cache = new KVCache(c.nLayers, c.maxSeqLen);
      noGrad(() => m.forward(intTensor([1, 2, 3, 4], [1, 4]), { cache }));
      return cache.numbersPerTokenInLayer(0);
    };
    const dense = (nKvHeads: number) =>
      validateConfig({ ...tinyV3({ moe: undefined }), mla: undefined, dModel: 32, nHeads: 4, nKvHeads });
    const rows = [dense(4), dense(2), dense(1), tinyV3({ moe: undefined, dModel: 32, nHeads: 4, nKvHeads: 4 })];
    expect(rows.map(attentionKind)).toEqual(['mha', 'gqa', 'mqa', 'mla']);
    const numbers = rows.map(measured);
    expect(numbers).toEqual(rows.map(cacheNumbersPerTokenPerLayer));
    expect(numbers).toEqual([2 * 4 * 8, 2 * 2 * 8, 2 * 1 * 8, 5 + 4]);
  });
});

describe('MLA gradients', () => {
  const c = tinyV3({
    nLayers: 1,
    dModel: 4,
    nHeads: 2,
    nKvHeads: 2,
    moe: undefined,
    mla: { qLoraRank: 3, kvLoraRank: 3, qkNopeHeadDim: 2, qkRopeHeadDim: 2, vHeadDim: 2 },
  });
  const like = randomModel(c, 11);
  const positions = intTensor([0, 2, 3]);
  const attnParams = (ps: Tensor[]) => ps.filter((p) => p.name!.includes('self_attn'));
  it.each<[string, MlaImpl, boolean]>([
    ['naive, query latent', 'naive', true],
    ['absorbed, query latent', 'absorbed', true],
    ['naive, YaRN, no query latent', 'naive', false],
    ['absorbed, YaRN, no query latent', 'absorbed', false],
  ])('match central differences (%s)', (_n, impl, qLora) => {
    const cfg = qLora
      ? c
      : validateConfig({
          ...c,
          mla: { ...c.mla!, qLoraRank: 0 },
          ropeScaling: {
            type: 'yarn',
            factor: 4,
            originalMaxPositionEmbeddings: 2,
            betaFast: 32,
            betaSlow: 1,
            mscaleAllDim: 1,
          },
        });
    const model = qLora ? like : randomModel(cfg, 12);
    const ps = leaves(model),
      h = randn([3, 4], new Rng(5).child('h'), 1, { dtype: 'float64', requiresGrad: true });
    const f = (x: Tensor, ...rest: Tensor[]) => {
      const m = withParams(
        model,
        ps.map((p) => rest[attnParams(ps).indexOf(p)] ?? p),
      );
      return proj(
        mlaAttention((n) => m.p(n), 'model.layers.0.self_attn.', cfg, x, 1, 3, positions, m.rope, { layer: 0, impl }),
      );
    };
    expect(gradcheck(f, [h, ...attnParams(ps)])).toBeLessThan(1e-6);
  });
});
