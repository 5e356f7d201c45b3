import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compareKv, kvBytesPerToken, kvElementsPerLayer } from '../../src/cost/kvcache.ts';
import { DEEPSEEK_V3, LLAMA_31_405B, QWEN25_72B } from '../../src/cost/models.ts';
import { denseShape } from './arbitraries.ts';

describe('KV cache per token', () => {
  it("is 70,272 B for V3 in BF16 (ISCA'25 Table 1): 576 elements × 61 layers × 2 B", () => {
    expect(kvElementsPerLayer(DEEPSEEK_V3)).toBe(576);
    expect(kvBytesPerToken(DEEPSEEK_V3)).toBe(70_272);
  });

  it('is 327,680 B for Qwen2.5-72B and 516,096 B for Llama-3.1-405B (GQA, 8 KV heads)', () => {
    expect(kvBytesPerToken(QWEN25_72B)).toBe(327_680);
    expect(kvBytesPerToken(LLAMA_31_405B)).toBe(516_096);
  });

  it("is 56.9× smaller than an MHA with V3's 128 heads of 128", () => {
    const [own, mha] = compareKv(DEEPSEEK_V3);
    expect(own!.ratioToModel).toBe(1);
    expect(mha!.elementsPerLayer).toBe(32768);
    expect(mha!.ratioToModel).toBeCloseTo(56.9, 1);
  });

  it("shrinks GQA's cache by nHeads / nKvHeads against MHA, and scales with bytes per element", () => {
    fc.assert(
      fc.property(denseShape, (s) => {
        const mha = { ...s, attention: 'mha' as const, nKvHeads: s.nHeads };
        expect(kvBytesPerToken(mha) * s.nKvHeads).toBe(kvBytesPerToken(s) * s.nHeads);
        expect(kvBytesPerToken(s, 1) * 2).toBe(kvBytesPerToken(s, 2));
      }),
    );
  });
});
