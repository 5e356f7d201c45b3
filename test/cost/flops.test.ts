import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { inferFlopsPerToken, trainFlopsPerToken } from '../../src/cost/flops.ts';
import { DEEPSEEK_V2, DEEPSEEK_V3, LLAMA_31_405B } from '../../src/cost/models.ts';
import { countParams } from '../../src/cost/params.ts';
import { defineShape } from '../../src/cost/shape.ts';
import { anyShape, denseShape } from './arbitraries.ts';

const G = 1e9;

describe('training FLOPs per token', () => {
  it('gives DeepSeek-V3 about 250 GFLOP at 4K (within 2%), term by term as the reference table', () => {
    const f = trainFlopsPerToken(DEEPSEEK_V3, 4096);
    expect(Math.abs(f.model / 250e9 - 1)).toBeLessThan(0.02);
    expect(f.denseFfn / G).toBeCloseTo(7.1, 1);
    expect(f.experts / G).toBeCloseTo(137.9, 1);
    expect(f.attnProj / G).toBeCloseTo(68.5, 1);
    expect(f.attnCore / G).toBeCloseTo(30.7, 1);
    expect(f.head / G).toBeCloseTo(5.6, 1);
    expect(f.model / G).toBeCloseTo(249.8, 1);
    expect(f.mtp / G).toBeCloseTo(10.2, 1);
  });

  it('gives DeepSeek-V3 ~465 and ~1202 GFLOP at 32K and 128K (context extension)', () => {
    expect(trainFlopsPerToken(DEEPSEEK_V3, 32768).model / G).toBeCloseTo(464.7, 0);
    expect(trainFlopsPerToken(DEEPSEEK_V3, 131072).model / G).toBeCloseTo(1201.7, 0);
  });

  it("gives DeepSeek-V2 155 GFLOP and Llama-3.1-405B 2448 GFLOP at 4K (ISCA'25 Table 2) within 2%", () => {
    expect(Math.abs(trainFlopsPerToken(DEEPSEEK_V2, 4096).model / 155e9 - 1)).toBeLessThan(0.02);
    expect(Math.abs(trainFlopsPerToken(LLAMA_31_405B, 4096).model / 2448e9 - 1)).toBeLessThan(0.02);
  });

  it("equals 6·N (N = activated matrix parameters) once attention's quadratic term is gone", () => {
    fc.assert(
      fc.property(anyShape, (s) => {
        const f = trainFlopsPerToken(s, 0);
        expect(f.model + f.router).toBe(6 * countParams(s).activatedMatmul);
      }),
    );
  });

  it('agrees with 6·N·D for a dense model within the attention term, which grows linearly with context', () => {
    fc.assert(
      fc.property(denseShape, fc.integer({ min: 1, max: 65536 }), (s, seq) => {
        const f = trainFlopsPerToken(s, seq);
        const sixN = 6 * countParams(s).activatedMatmul;
        expect(f.model - sixN).toBeCloseTo(f.attnCore, 0);
        expect(f.attnCore).toBeCloseTo(6 * (seq / 2) * s.nHeads * 2 * s.headDim * s.nLayers, 0);
      }),
    );
  });

  it("reproduces GPT-3's 3.14e23 training FLOP from its shape within 2%", () => {
    const gpt3 = defineShape({
      name: 'gpt3',
      d: 12288,
      nLayers: 96,
      nHeads: 96,
      vocab: 50257,
      dFF: 32768,
      tieEmbeddings: true,
    });
    expect(Math.abs((trainFlopsPerToken(gpt3, 2048).model * 300e9) / 3.14e23 - 1)).toBeLessThan(0.02);
  });
});

describe('inference FLOPs per token', () => {
  it('makes prefill one third of training (forward only, MTP discarded)', () => {
    fc.assert(
      fc.property(anyShape, fc.integer({ min: 1, max: 32768 }), (s, seq) => {
        const t = trainFlopsPerToken(s, seq);
        expect(inferFlopsPerToken(s, seq, 'prefill').total).toBeCloseTo((t.total - t.mtp) / 3, 0);
      }),
    );
  });

  it('grows decode cost linearly with the KV length', () => {
    fc.assert(
      fc.property(anyShape, fc.integer({ min: 1, max: 10000 }), (s, c) => {
        const a = inferFlopsPerToken(s, c, 'decode').total;
        const b = inferFlopsPerToken(s, 2 * c, 'decode').total;
        const z = inferFlopsPerToken(s, 0, 'decode').total;
        expect(b - a).toBeCloseTo(a - z, 0);
      }),
    );
  });

  it("makes V3's absorbed decode attend over the 576-wide latent: 2·n_h·(576 + 512) FLOPs per key per layer", () => {
    const per =
      (inferFlopsPerToken(DEEPSEEK_V3, 1001, 'decode').attnCore -
        inferFlopsPerToken(DEEPSEEK_V3, 1000, 'decode').attnCore) /
      61;
    expect(per).toBe(2 * 128 * (576 + 512));
  });
});
