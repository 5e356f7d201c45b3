import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEEPSEEK_V2, DEEPSEEK_V3, LLAMA_31_405B, QWEN25_72B } from '../../src/cost/models.ts';
import { attentionMatrixParams, attentionVectorParams, countParams, ffnParams } from '../../src/cost/params.ts';
import { anyShape, denseShape, mlaMoeShape } from './arbitraries.ts';

const within = (ours: number, published: number, tol: number) =>
  expect(Math.abs(ours / published - 1)).toBeLessThan(tol);

describe('parameter accounting', () => {
  it('gives DeepSeek-V3 671B total and 37B activated (within 2%)', () => {
    const c = countParams(DEEPSEEK_V3);
    expect(c.total).toBe(671_026_404_352); // checked by hand: 2·0.927B + 61·187.1M + 3·396.4M + 58·(257·44.04M + 1.835M) + norms
    within(c.total, 671e9, 0.001);
    within(c.activated, 37e9, 0.02);
    expect(c.activated).toBe(37_552_282_624);
  });

  it('matches the per-block figures of the reference notes: MLA 187.1M per layer, an expert 44.04M', () => {
    expect(attentionMatrixParams(DEEPSEEK_V3) + attentionVectorParams(DEEPSEEK_V3)).toBe(187_107_328);
    expect(ffnParams(DEEPSEEK_V3, DEEPSEEK_V3.moeInterDim)).toBe(44_040_192);
    expect(countParams(DEEPSEEK_V3).embedding).toBe(129280 * 7168);
  });

  it('gives the MTP module about the published 11.5B (we count its router and norms too)', () => {
    within(countParams(DEEPSEEK_V3).mtp, 11.5e9, 0.02);
  });

  it('gives DeepSeek-V2 236B / 21B, Llama-3.1-405B 405B and Qwen2.5-72B 72.7B', () => {
    within(countParams(DEEPSEEK_V2).total, 236e9, 0.01);
    within(countParams(DEEPSEEK_V2).activated, 21e9, 0.02);
    within(countParams(LLAMA_31_405B).total, 405e9, 0.005);
    within(countParams(QWEN25_72B).total, 72.7e9, 0.001);
  });

  it('activates every parameter of an untied dense model', () => {
    fc.assert(
      fc.property(denseShape, (s) => {
        const c = countParams(s);
        expect(c.activated).toBe(c.total + (s.tieEmbeddings ? c.embedding : 0));
      }),
    );
  });

  it('never activates more than an MoE model holds, and activates more as K_r grows', () => {
    fc.assert(
      fc.property(mlaMoeShape, (s) => {
        const c = countParams(s);
        expect(c.activated).toBeLessThanOrEqual(c.total);
        if (s.nActivatedExperts < s.nRoutedExperts) {
          const more = countParams({ ...s, nActivatedExperts: s.nActivatedExperts + 1 });
          expect(more.activated - c.activated).toBe((s.nLayers - s.nDenseLayers) * ffnParams(s, s.moeInterDim));
          expect(more.total).toBe(c.total);
        }
      }),
    );
  });

  it('sums its parts to the total', () => {
    fc.assert(
      fc.property(anyShape, (s) => {
        const c = countParams(s);
        expect(
          c.embedding + c.head + c.attention + c.denseFfn + c.routedExperts + c.sharedExperts + c.router + c.norms,
        ).toBe(c.total);
      }),
    );
  });
});
