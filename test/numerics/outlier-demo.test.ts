import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/core/errors.ts';
import { outlierScalingDemo } from '../../src/numerics/outlier-demo.ts';

describe('outlier scaling demo', () => {
  const rows = outlierScalingDemo({ outlier: 1e5, seed: 0 });
  const by = (name: string) => rows.find((r) => r.scaling === name)!;

  it('shows one outlier ruining a per-tensor scale: many ordinary values flushed to zero, error several times larger', () => {
    expect(by('per-tensor, no outlier').flushedToZero).toBe(0);
    expect(by('per-tensor').flushedToZero).toBeGreaterThan(1000);
    expect(by('per-tensor').relRmse).toBeGreaterThan(3 * by('per-tensor, no outlier').relRmse);
  });

  it("shows 1×128 tiles confining the damage to the outlier's own 127 neighbours", () => {
    const tile = by('tile 1x128');
    expect(tile.flushedToZero).toBeLessThanOrEqual(127);
    expect(tile.relRmse).toBeLessThan(1.5 * by('per-tensor, no outlier').relRmse);
    expect(tile.scales).toBe(16 * 4);
    expect(by('block 128x128').scales).toBe(4);
    // A block shares the outlier with 128×128 - 1 values (here all 16 tokens): worse than a tile, better than the tensor.
    expect(by('block 128x128').flushedToZero).toBeGreaterThan(tile.flushedToZero);
    expect(by('block 128x128').flushedToZero).toBeLessThan(by('per-tensor').flushedToZero);
  });

  it('stores the outlier itself exactly enough (it sets the scale, so it maps to ±448)', () => {
    for (const r of rows.filter((x) => x.withOutlier)) expect(r.outlierRelError!).toBeLessThan(1e-6);
  });

  it('is deterministic in its seed and refuses a zero or non-float32 outlier', () => {
    expect(outlierScalingDemo({ seed: 5 })).toEqual(outlierScalingDemo({ seed: 5 }));
    expect(outlierScalingDemo({ seed: 5 })).not.toEqual(outlierScalingDemo({ seed: 6 }));
    expect(() => outlierScalingDemo({ outlier: 0 })).toThrow(InputError);
    expect(() => outlierScalingDemo({ outlier: 1e40 })).toThrow(InputError);
  });
});
