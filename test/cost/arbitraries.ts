// fast-check generators of valid model shapes, dense and DeepSeek-style, small enough to count exactly.
import fc from 'fast-check';
import { defineShape, type ModelShape } from '../../src/cost/shape.ts';

export const denseShape: fc.Arbitrary<ModelShape> = fc
  .record({
    nHeads: fc.integer({ min: 1, max: 16 }),
    headDim: fc.integer({ min: 1, max: 64 }),
    kvDivisor: fc.integer({ min: 1, max: 4 }),
    nLayers: fc.integer({ min: 1, max: 40 }),
    vocab: fc.integer({ min: 1, max: 50_000 }),
    dFF: fc.integer({ min: 1, max: 4096 }),
    tie: fc.boolean(),
    bias: fc.boolean(),
  })
  .map((r) => {
    const nKvHeads = r.nHeads % r.kvDivisor === 0 ? r.nHeads / r.kvDivisor : r.nHeads;
    return defineShape({
      name: 'dense',
      d: r.nHeads * r.headDim,
      nLayers: r.nLayers,
      nHeads: r.nHeads,
      headDim: r.headDim,
      nKvHeads,
      vocab: r.vocab,
      dFF: r.dFF,
      tieEmbeddings: r.tie,
      qkvBias: r.bias,
    });
  });

export const mlaMoeShape: fc.Arbitrary<ModelShape> = fc
  .record({
    d: fc.integer({ min: 8, max: 2048 }),
    nHeads: fc.integer({ min: 1, max: 32 }),
    nLayers: fc.integer({ min: 2, max: 30 }),
    dense: fc.integer({ min: 0, max: 1 }),
    vocab: fc.integer({ min: 1, max: 50_000 }),
    qLoraRank: fc.integer({ min: 0, max: 512 }),
    kvLoraRank: fc.integer({ min: 1, max: 512 }),
    nope: fc.integer({ min: 1, max: 128 }),
    rope: fc.integer({ min: 0, max: 64 }),
    v: fc.integer({ min: 1, max: 128 }),
    groups: fc.constantFrom(1, 2, 4, 8),
    perGroup: fc.integer({ min: 1, max: 16 }),
    k: fc.integer({ min: 1, max: 8 }),
    shared: fc.integer({ min: 0, max: 2 }),
    moeInterDim: fc.integer({ min: 1, max: 1024 }),
    mtp: fc.integer({ min: 0, max: 2 }),
  })
  .map((r) => {
    const nRoutedExperts = r.groups * r.perGroup;
    return defineShape({
      name: 'mla-moe',
      d: r.d,
      nLayers: r.nLayers,
      nHeads: r.nHeads,
      vocab: r.vocab,
      dFF: 4 * r.d,
      attention: 'mla',
      qLoraRank: r.qLoraRank,
      kvLoraRank: r.kvLoraRank,
      qkNopeHeadDim: r.nope,
      qkRopeHeadDim: r.rope,
      vHeadDim: r.v,
      nDenseLayers: r.dense,
      nRoutedExperts,
      nSharedExperts: r.shared,
      nActivatedExperts: Math.min(r.k, nRoutedExperts),
      moeInterDim: r.moeInterDim,
      nExpertGroups: r.groups,
      nLimitedGroups: Math.max(1, r.groups / 2),
      mtpDepth: r.mtp,
    });
  });

export const anyShape = fc.oneof(denseShape, mlaMoeShape);
