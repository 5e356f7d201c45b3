// YaRN: the frequency blend, the correction range and the mscale factors, against V3's numbers.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ropeInvFreq } from '../../src/core/ops/index.ts';
import type { YarnScaling } from '../../src/model/config.ts';
import {
  yarnAttentionFactor,
  yarnCorrectionRange,
  yarnInvFreq,
  yarnMscale,
  yarnSoftmaxScaleFactor,
} from '../../src/model/yarn.ts';

const v3: YarnScaling = {
  type: 'yarn',
  factor: 40,
  originalMaxPositionEmbeddings: 4096,
  betaFast: 32,
  betaSlow: 1,
  mscale: 1,
  mscaleAllDim: 1,
};

describe('YaRN', () => {
  it("keeps V3's correction range: dims 10..23 of the 32 rope frequencies are blended", () => {
    // d·ln(4096 / (β·2π)) / (2·ln 10⁴): β = 32 → 10.47 (floor 10), β = 1 → 22.51 (ceil 23)
    expect(yarnCorrectionRange(64, 10000, v3)).toEqual([10, 23]);
  });

  it('keeps fast dims, divides slow dims by the factor, and blends monotonically in between', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(8, 16, 32, 64),
        fc.double({ min: 1.5, max: 64, noNaN: true }),
        fc.integer({ min: 4, max: 8192 }),
        (dim, factor, orig) => {
          const y: YarnScaling = { ...v3, factor, originalMaxPositionEmbeddings: orig };
          const base = ropeInvFreq(dim, 10000),
            scaled = yarnInvFreq(dim, 10000, y);
          const [low, high] = yarnCorrectionRange(dim, 10000, y);
          for (let i = 0; i < dim / 2; i++) {
            const ratio = scaled[i]! / base[i]!; // 1 (kept) … 1/s (interpolated)
            expect(ratio).toBeLessThanOrEqual(1 + 1e-6);
            expect(ratio).toBeGreaterThanOrEqual(1 / factor - 1e-6);
            if (i <= low) expect(ratio).toBeCloseTo(1, 5);
            // A context so short that high < low (e.g. 4 positions) makes the reference's ramp 0 everywhere:
            // model.py then keeps every frequency, and so do we (the checks above and below still hold).
            if (high >= low && i >= Math.max(high, low + 1)) expect(ratio).toBeCloseTo(1 / factor, 5);
            if (i > 0) expect(scaled[i]!).toBeLessThanOrEqual(scaled[i - 1]! * (1 + 1e-6));
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  it('keeps every frequency when the correction range is empty (high < low), as model.py does', () => {
    const y: YarnScaling = { ...v3, factor: 1.5, originalMaxPositionEmbeddings: 4 };
    expect(yarnCorrectionRange(64, 10000, y)).toEqual([0, -1]);
    const plain = ropeInvFreq(64, 10000),
      scaled = yarnInvFreq(64, 10000, y);
    plain.forEach((f, i) => expect(scaled[i]! / f).toBeCloseTo(1, 6));
  });

  it('is plain RoPE at factor 1', () => {
    const plain = ropeInvFreq(16, 10000),
      scaled = yarnInvFreq(16, 10000, { ...v3, factor: 1 });
    plain.forEach((f, i) => expect(scaled[i]).toBeCloseTo(f, 6));
  });

  it("gives V3's attention numbers: mscale 1.36889, softmax factor 1.87385, cos/sin factor 1", () => {
    expect(yarnMscale(40, 1)).toBeCloseTo(1.368888, 5);
    expect(yarnSoftmaxScaleFactor(v3)).toBeCloseTo(1.873855, 5);
    expect(yarnAttentionFactor(v3)).toBe(1);
    expect(yarnMscale(1, 1)).toBe(1);
    expect(yarnSoftmaxScaleFactor(undefined)).toBe(1);
  });

  it("follows HF's attention factor: mscale ratio when both are set, else mscale(s), unless given", () => {
    expect(yarnAttentionFactor({ ...v3, mscaleAllDim: 0.707 })).toBeCloseTo(
      yarnMscale(40, 1) / yarnMscale(40, 0.707),
      12,
    );
    expect(yarnAttentionFactor({ ...v3, mscale: undefined, mscaleAllDim: undefined })).toBeCloseTo(yarnMscale(40), 12);
    expect(yarnAttentionFactor({ ...v3, attentionFactor: 0.5 })).toBe(0.5);
    expect(yarnSoftmaxScaleFactor({ ...v3, mscaleAllDim: 0 })).toBe(1);
  });
});
